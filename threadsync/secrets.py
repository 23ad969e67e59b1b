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


def known_secrets(extra: Iterable[str] = ()) -> list[str]:
    """The values of every secret variable in the environment, and ``extra``.

    That is the fixed names, per-account token variables
    (``THREADS_ACCESS_TOKEN_<NAME>``) and any other ``THREADS_..._TOKEN`` or
    ``..._SECRET`` the user keeps in the environment.
    """
    names = set(SECRET_ENV_VARS)
    names.update(
        n
        for n in os.environ
        if n.startswith("THREADS_") and (n.endswith(("TOKEN", "SECRET")) or "_TOKEN_" in n)
    )
    return [os.environ.get(name, "") for name in sorted(names)] + list(extra)


def redact(text: str, extra: Iterable[str] = ()) -> str:
    return Redactor(known_secrets(extra)).text(text)
