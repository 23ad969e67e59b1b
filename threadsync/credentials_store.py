"""Where ``threadsync auth`` finds and keeps a token: a file only its owner can read, or CI's
environment variable, and what is known of that token.

Why a file of our own and not the keyring: the same file works on a laptop, a
server and in CI, and ``chmod 600`` is a rule every user can check.  The file
is written atomically (a temporary file created 0600, then renamed), so a
crash never leaves a half-written token, and it is never readable by others,
not even for a moment, whatever the umask.

A login in two steps (print the URL now, paste the redirect later with
``--callback-url``) keeps its OAuth ``state`` in a pending file beside it, also
0600, that is used once and expires with the authorization code (1 hour).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import stat
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from threadsync.errors import ThreadsyncError
from threadsync.secrets import known_secrets

ENV_VAR = "THREADSYNC_CREDENTIALS"
PENDING_NAME = "login-pending.json"
PENDING_TTL = dt.timedelta(hours=1)  # an authorization code lives 1 hour


def default_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$THREADSYNC_CREDENTIALS``, else ``$XDG_CONFIG_HOME/threadsync/credentials.json``
    (``~/.config/threadsync/credentials.json``)."""
    env = os.environ if environ is None else environ
    if env.get(ENV_VAR):
        return Path(env[ENV_VAR]).expanduser()
    base = Path(env.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "threadsync" / "credentials.json"


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with mode 0600, atomically; a new directory gets 0700."""
    path = path.expanduser()
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # created 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def is_private(path: Path) -> bool:
    """True when neither the group nor others may read or write the file."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return True
    return not mode & (stat.S_IRWXG | stat.S_IRWXO)


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ThreadsyncError(
            f"no {what} at {path}: run 'threadsync auth login' first "
            "(or point --credentials / THREADSYNC_CREDENTIALS at the file)"
        ) from None
    except (OSError, ValueError) as exc:
        # The message names the file, never its content (which holds a token).
        reason = exc.strerror if isinstance(exc, OSError) else "not valid JSON"
        raise ThreadsyncError(f"can't read the {what} at {path}: {reason}") from None
    if not isinstance(data, dict):
        raise ThreadsyncError(f"the {what} at {path} is not a JSON object")
    return data


_FIELDS = ("user_id", "scopes", "short_lived", "access_token", "expiration", "issued_at")


def load_credentials(path: Path) -> tuple[Any, dict[str, Any]]:
    """The stored ``Credentials``, and the other (non-secret) fields, such as the username."""
    from threadsync.api import Credentials, ThreadsError

    data = _read_json(path, "credentials")
    try:
        credentials = Credentials.from_json(json.dumps(data))
    except (ThreadsError, ValueError):
        raise ThreadsyncError(
            f"the credentials at {path} are incomplete or damaged: run 'threadsync auth login'"
        ) from None
    return credentials, {k: v for k, v in data.items() if k not in _FIELDS}


def save_credentials(
    path: Path, credentials: Any, *, extra: Mapping[str, Any] | None = None
) -> None:
    """Store ``Credentials`` (and non-secret ``extra`` fields such as the username)."""
    data = json.loads(credentials.to_json())
    data.update(extra or {})
    write_private(path, json.dumps(data, indent=2) + "\n")


@dataclass(frozen=True)
class PendingLogin:
    """What a login in progress must remember between printing the URL and the callback."""

    state: str
    app_id: str
    redirect_uri: str
    scopes: list[str]
    created: dt.datetime

    def expired(self, now: dt.datetime | None = None) -> bool:
        return (now or dt.datetime.now(dt.timezone.utc)) - self.created > PENDING_TTL


def pending_path(credentials_path: Path) -> Path:
    return credentials_path.expanduser().with_name(PENDING_NAME)


def save_pending(credentials_path: Path, pending: PendingLogin) -> Path:
    path = pending_path(credentials_path)
    data = {
        "state": pending.state,
        "app_id": pending.app_id,
        "redirect_uri": pending.redirect_uri,
        "scopes": pending.scopes,
        "created": pending.created.isoformat(),
    }
    write_private(path, json.dumps(data, indent=2) + "\n")
    return path


def load_pending(credentials_path: Path) -> PendingLogin | None:
    """The login in progress, or None when there is none (or it is unreadable)."""
    path = pending_path(credentials_path)
    if not path.exists():
        return None
    try:
        data = _read_json(path, "pending login")
        created = dt.datetime.fromisoformat(str(data["created"]))
        return PendingLogin(
            state=str(data["state"]),
            app_id=str(data["app_id"]),
            redirect_uri=str(data["redirect_uri"]),
            scopes=[str(s) for s in data.get("scopes") or []],
            created=created if created.tzinfo else created.replace(tzinfo=dt.timezone.utc),
        )
    except (ThreadsyncError, KeyError, ValueError):
        return None


def clear_pending(credentials_path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        pending_path(credentials_path).unlink()


def days_left(expiration: dt.datetime | None, now: dt.datetime) -> float | None:
    return None if expiration is None else (expiration - now) / dt.timedelta(days=1)


def env_token(name: str) -> str:
    token = os.environ.get(name, "").strip()
    if not token:
        raise ThreadsyncError(f"{name} is not set: it should hold the access token")
    return token


def credentials_from_env(name: str, base_url: str | None) -> Any:
    """Credentials for the token in ``$name``, dated by debug_token when the API answers.

    CI keeps only the token (a secret), not the file; its age, which the 24 h
    refresh rule needs, comes from debug_token's ``issued_at``.
    """
    from threadsync.api import (
        API,
        Credentials,
        ThreadsError,
        ThreadsServerError,
        ThreadsTransportError,
    )

    token = env_token(name)
    try:
        with API(
            Credentials.from_token(token), base_url=base_url, secrets=known_secrets()
        ) as client:
            info = client.get_token_info()
    except (ThreadsTransportError, ThreadsServerError):
        return Credentials.from_token(token)  # the refresh itself will tell
    except ThreadsError as exc:
        raise ThreadsyncError(f"the token in {name} was refused: {exc}") from None
    if info.is_valid is False:
        raise ThreadsyncError(
            f"the token in {name} is not valid (expired or revoked): run 'threadsync auth login'"
        )
    return Credentials.from_token(
        token,
        info.user_id,
        expiration=info.expires_at,
        issued_at=info.issued_at,
        scopes=list(info.scopes),
    )


def token_facts(
    *, token_env: str | None, path: Path, base_url: str | None, offline: bool
) -> dict[str, Any]:
    """What is known of a token: the file's record, then what debug_token says of it.

    Only Threads refusing the token (code 190, or debug_token's is_valid)
    makes it invalid.  A 5xx or a failed connection says nothing about the
    token: it is reported in ``unreachable``, naming the host and the cause;
    any other error in ``api_error``.
    """
    from threadsync.api import (
        API,
        Credentials,
        InvalidAccessToken,
        ThreadsError,
        ThreadsServerError,
        ThreadsTransportError,
    )

    facts: dict[str, Any] = {"source": f"${token_env}" if token_env else str(path)}
    facts.update(valid=None, user_id=None, username=None, scopes=[], issued_at=None)
    facts.update(expires_at=None, checked="stored", note=None, unreachable=None, api_error=None)
    if token_env:
        token = env_token(token_env)
    else:
        stored, extra = load_credentials(path)
        token = stored.access_token
        facts.update(user_id=stored.user_id, username=extra.get("username"), scopes=stored.scopes)
        facts.update(issued_at=stored.issued_at, expires_at=stored.expiration)
        if not is_private(path):
            facts["note"] = f"{path} is readable by others: run 'chmod 600 {path}'"
    if offline:
        return facts
    client = API(Credentials.from_token(token), base_url=base_url, secrets=known_secrets())
    try:
        info = client.get_token_info()
        facts.update(checked="debug_token", valid=info.is_valid, scopes=list(info.scopes))
        facts.update(user_id=info.user_id or facts["user_id"])
        facts.update(issued_at=info.issued_at, expires_at=info.expires_at)
        if info.is_valid:
            facts["username"] = client.get_account().username or facts["username"]
    except ThreadsTransportError as exc:  # its one line names the server, the cause, the fix
        facts["unreachable"] = str(exc)
    except ThreadsServerError as exc:
        host = urlsplit(client.base_url).netloc
        facts["unreachable"] = f"Threads could not be reached at {host}: {exc}"
    except InvalidAccessToken as exc:
        facts.update(valid=False, note=f"the API refused the token: {exc}")
    except ThreadsError as exc:  # a refusal that is not about the token: a scope, a rate limit
        facts["api_error"] = str(exc)
    finally:
        client.close()
    return facts


def verdict(facts: Mapping[str, Any], now: dt.datetime, warn_days: float) -> tuple[str, str]:
    """``(status, message)``: ok, expiring, expired, invalid, unreachable or unknown."""
    left = days_left(facts["expires_at"], now)
    if left is not None and left <= 0:
        return "expired", "expired: run 'threadsync auth login'"
    if facts.get("unreachable"):
        return "unreachable", f"{facts['unreachable']}; the token was not checked"
    if facts.get("api_error"):
        return "unknown", f"could not be checked: {facts['api_error']}"
    if facts["valid"] is False:
        return "invalid", "not valid (expired or revoked): run 'threadsync auth login'"
    if left is not None and left <= warn_days:
        return "expiring", f"expires in {left:.1f} days: run 'threadsync auth refresh'"
    if facts["valid"] is None and facts["expires_at"] is None:
        return "unknown", "could not be checked"
    if left is None:
        return "ok", "valid (no expiry known)"
    return "ok", f"valid for {left:.0f} more days"


def format_time(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if moment else "?"


def validity(credentials: Any, now: dt.datetime) -> str:
    left = days_left(credentials.expiration, now)
    shown = f" ({left:.0f} days)" if left is not None else ""
    return f"valid until {format_time(credentials.expiration)}{shown}"


def dump_credentials(credentials: Any, extra: Mapping[str, Any]) -> str:
    """The credentials as JSON, token included: only for ``--print``."""
    data = json.loads(credentials.to_json())
    data.update(extra)
    return json.dumps(data, indent=2) + "\n"


def app_secret() -> str:
    """The Threads app secret: THREADS_APP_SECRET (or pythreads' THREADS_API_SECRET), else
    asked for on a terminal, never taken from a command line where others could read it."""
    value = os.environ.get("THREADS_APP_SECRET") or os.environ.get("THREADS_API_SECRET")
    if value:
        return value
    if sys.stdin.isatty():
        import getpass

        value = getpass.getpass("Threads app secret (input hidden): ").strip()
        if value:
            return value
    raise ThreadsyncError(
        "the app secret is missing: set THREADS_APP_SECRET to the Threads app secret "
        "(App Dashboard > Use cases > Access the Threads API > Settings); "
        "it is never taken on the command line"
    )


def app_settings(
    app_id: str | None, redirect_uri: str | None, scopes: str | None, config: str | None
) -> tuple[str, str, list[str]]:
    """The app id, redirect URI and scopes a login asks for: the flags, else THREADS_APP_ID
    and THREADS_REDIRECT_URI, else threadsync.yaml's ``auth:`` (once the config has one).
    Scopes come from the flag or the file; [] means the caller's default."""
    app_id = app_id or os.environ.get("THREADS_APP_ID")
    redirect_uri = redirect_uri or os.environ.get("THREADS_REDIRECT_URI")
    settings: dict[str, Any] = {}
    if not (app_id and redirect_uri and scopes):
        from threadsync.config import load_config

        path = Path(config) if config else None
        section = getattr(load_config(path, path.parent if path else Path.cwd()), "auth", None)
        if section is not None:
            settings = dict(section.model_dump() if hasattr(section, "model_dump") else section)
    app_id = app_id or settings.get("app_id")
    redirect_uri = redirect_uri or settings.get("redirect_uri")
    missing = [] if app_id else ["--app-id/THREADS_APP_ID"]
    missing += [] if redirect_uri else ["--redirect-uri/THREADS_REDIRECT_URI"]
    if missing:
        raise ThreadsyncError(
            f"login needs {' and '.join(missing)}: the Threads app id and one of its redirect "
            "URIs, from Meta's App Dashboard (see docs/github.md, '4. Create the Threads app')"
        )
    given = [s.strip() for s in (scopes or "").split(",") if s.strip()]
    return str(app_id), str(redirect_uri), given or [str(s) for s in settings.get("scopes") or ()]
