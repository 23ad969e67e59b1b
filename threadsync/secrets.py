"""Keep secrets out of anything we print or write.

The API client redacts what it knows (its token, its app secret); the CLI
uses the same :class:`~threadsync.api._redact.Redactor` for its error lines and
log files, fed with every secret in the environment.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from threadsync.api._redact import Redactor

SECRET_ENV_VARS = ("THREADS_ACCESS_TOKEN", "THREADS_APP_SECRET", "THREADS_API_SECRET")


_SECRET_WORDS = frozenset({"TOKEN", "SECRET", "PASSWORD", "PASSWD", "KEY"})


def is_secret_name(name: str) -> bool:
    """Whether an environment variable's name says it holds a secret.

    The fixed names, and any name with a word such as TOKEN, SECRET or KEY:
    ``THREADS_ACCESS_TOKEN_BRAND``, ``GITHUB_TOKEN``, ``AWS_SECRET_ACCESS_KEY``.
    """
    return name in SECRET_ENV_VARS or not _SECRET_WORDS.isdisjoint(name.upper().split("_"))


def known_secrets(extra: Iterable[str] = ()) -> list[str]:
    """The values of every secret-named variable in the environment, and ``extra``."""
    values = [value for name, value in sorted(os.environ.items()) if is_secret_name(name)]
    return values + list(extra)


def redact(text: str, extra: Iterable[str] = ()) -> str:
    return Redactor(known_secrets(extra)).text(text)
