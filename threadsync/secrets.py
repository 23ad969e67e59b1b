"""Keep secrets out of anything we print or write.

The API client redacts what it knows (its token, its app secret); the CLI
uses the same :class:`~threadsync.api._redact.Redactor` for its error lines and
log files, fed with every secret in the environment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from threadsync.api._redact import Redactor

SECRET_ENV_VARS = ("THREADS_ACCESS_TOKEN", "THREADS_APP_SECRET", "THREADS_API_SECRET")


# A name is split into words on anything but letters ("GH_PAT2" is GH, PAT).
# Words that are a credential on their own, but also parts of innocent words
# (PATH, BYPASS, MONKEY, AUTHOR), count only as whole words ...
_WORDS = frozenset(
    {"PAT", "PASS", "PW", "KEY", "KEYS", "AUTH", "AUTHN", "AUTHZ", "SIG", "OTP", "TOTP"}
    | {"JWT", "BEARER", "HMAC", "SALT", "SAS", "NPMRC", "NETRC"}
)
# ... these anywhere in a word ("MYPASSWORD", "APIKEY", "GHTOKEN") ...
_PARTS = (
    "TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "PASSCODE", "PWD", "CRED",
    "APIKEY", "ACCESSKEY", "PRIVKEY", "PRIVATE", "SIGNINGKEY", "SSHKEY", "DSN", "WEBHOOK",
    "COOKIE", "SESSION", "CERT", "OAUTH", "BASICAUTH", "AUTHORIZATION", "CONNSTR",
    "CONNECTIONSTRING", "KEYSTORE", "KEYRING", "KEYCHAIN", "KEYFILE", "KEYPAIR",
)  # fmt: skip
# ... and a URL or URI of a data store, which holds its password: DATABASE_URL, REDIS_URI.
_STORES = frozenset(
    {"DATABASE", "DB", "REDIS", "MONGO", "MONGODB", "POSTGRES", "POSTGRESQL", "PG", "MYSQL"}
    | {"MARIADB", "AMQP", "RABBITMQ", "BROKER", "CELERY", "ELASTICSEARCH", "SQLALCHEMY"}
)
_WORD = re.compile(r"[A-Z]+")
# Names whose values are paths (the shell's working directories, where the
# credentials file is): printed in messages, not secrets, so never redacted.
_PATH_NAMES = frozenset({"PWD", "OLDPWD", "THREADSYNC_CREDENTIALS"})
_PATH_SUFFIXES = ("_FILE", "_PATH", "_DIR", "_SOCK")


def is_secret_name(name: str) -> bool:
    """Whether an environment variable's name says it may hold a credential.

    Any common spelling counts, whatever the case or separator:
    ``THREADS_ACCESS_TOKEN_BRAND``, ``GH_PAT``, ``DB_PASS``, ``MYPASSWORD``,
    ``APIKEY``, ``X_AUTH``, ``SENTRY_DSN``, ``SLACK_WEBHOOK_URL``,
    ``SESSION_ID``, ``TLS_CERT``, ``DATABASE_URL``.  Short words count only
    whole (``PATH`` and ``AUTHOR`` are not ``PAT`` and ``AUTH``), so a name
    such as ``HOCKEY_SCORE`` (ends in ``KEY``) is refused too: a false alarm
    costs a rename, a missed secret a leak.
    """
    upper = name.upper()
    if upper in SECRET_ENV_VARS:
        return True
    words = _WORD.findall(upper)
    if any(w in _WORDS or w.endswith("KEY") for w in words):
        return True
    joined = "".join(words)
    if any(part in joined for part in _PARTS):
        return True
    return len(words) >= 2 and words[-1] in ("URL", "URI") and words[-2] in _STORES


def known_secrets(extra: Iterable[str] = ()) -> list[str]:
    """The values of every secret-named variable in the environment, and ``extra``."""
    values = [
        value
        for name, value in sorted(os.environ.items())
        if is_secret_name(name)
        and name not in _PATH_NAMES
        and not name.upper().endswith(_PATH_SUFFIXES)
    ]
    return values + list(extra)


def redact(text: str, extra: Iterable[str] = ()) -> str:
    return Redactor(known_secrets(extra)).text(text)
