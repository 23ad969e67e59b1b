"""Which access token a command uses, where it came from, and the local refresh of a due one.

The order, for every command that needs a token:

1. the account's variable (``THREADS_ACCESS_TOKEN``, an account's
   ``token_env``, or ``--token-env``), when it is set and not empty: in CI
   this is the repository secret, and it always wins;
2. else the credentials file that ``threadsync auth login`` wrote
   (``$THREADSYNC_CREDENTIALS``, else ``~/.config/threadsync/credentials.json``).

The file holds one Threads user's token, so it stands in only where that user
is the right one: for a state that records the same user, or for a state that
records none yet when there is a single account (no ``accounts:``, or just
one).  With several accounts, a new account's state could otherwise be
claimed by whichever user last logged in; one account's token never reaches
another account's state.

A token from the file that is due (at least 24 h old, and within
``auth.refresh_days`` of its expiry) is refreshed and saved before the command
runs, so a laptop never has to remember ``auth refresh``.  Never in CI (``CI``
set): there the environment wins, and the weekly workflow refreshes the secret.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from threadsync.errors import ThreadsyncError

CI_VAR = "CI"


def shown_path(path: Path) -> str:
    """A path as a person would type it: ``~/...`` under the home directory."""
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except (ValueError, RuntimeError):
        return str(path)


@dataclass(frozen=True)
class TokenSource:
    """Where a token came from: a variable, the credentials file, or a local emulator."""

    kind: Literal["env", "file", "emulator"]
    name: str  # the variable's name, or the file's path

    def __str__(self) -> str:
        if self.kind == "env":
            return f"${self.name}"
        if self.kind == "file":
            return shown_path(Path(self.name))
        return "the local emulator"


@dataclass(frozen=True)
class Token:
    """A token to use, and what the credentials file recorded of it (when it came from there)."""

    value: str = field(repr=False)
    source: TokenSource
    stored: Any = field(default=None, repr=False)  # the file's Credentials
    extra: Mapping[str, Any] = field(default_factory=dict)  # the file's username, app id


@dataclass(frozen=True)
class Lookup:
    """The token found, or None; and why the credentials file was passed over, if it was."""

    token: Token | None
    passed_over: str | None = None


def find_token(
    token_env: str,
    environ: Mapping[str, str],
    *,
    path: Path | None = None,
    state_user: str | None = None,
    single: bool = True,
) -> Lookup:
    """The token for one account: its variable, else the credentials file if its user fits.

    ``state_user`` is the Threads user the account's state records;
    ``single`` says there is only one account, so a state recording no user
    may take the file's.
    """
    value = environ.get(token_env, "").strip()
    if value:
        return Lookup(Token(value, TokenSource("env", token_env)))
    from threadsync.credentials_store import default_path, load_credentials

    file = path or default_path(environ)
    if not file.is_file():
        return Lookup(None)
    stored, extra = load_credentials(file)
    source = TokenSource("file", str(file))
    if state_user is not None and state_user != stored.user_id:
        why = (
            f"the credentials file {source} holds the token of Threads user {stored.user_id}, "
            f"and this state belongs to user {state_user}"
        )
        return Lookup(None, why)
    if state_user is None and not single:
        why = (
            f"the credentials file {source} holds one user's token, and with several accounts "
            "it is used only for the account whose state records that user"
        )
        return Lookup(None, why)
    return Lookup(Token(stored.access_token, source, stored, extra))


def ready(
    token: Token,
    *,
    refresh_days: float,
    base_url: str | None,
    environ: Mapping[str, str],
    say: Callable[[str], None] | None = None,
    now: dt.datetime | None = None,
) -> Token:
    """The token to use now: a file's token refreshed (and saved) when due, never an expired one.

    ``say`` hears the one line that tells of a refresh, or of one that failed
    (the old token is then used, while it is still valid).
    """
    if token.source.kind != "file":
        return token
    from threadsync.api import Threads, ThreadsError
    from threadsync.credentials_store import format_time, save_credentials

    stored = token.stored
    when = now or dt.datetime.now(dt.timezone.utc)
    if stored.expired(when):
        raise ThreadsyncError(
            f"the access token in {token.source} expired on {format_time(stored.expiration)}: "
            "run 'threadsync auth login'"
        )
    if environ.get(CI_VAR) or stored.short_lived:
        return token
    tell = say or (lambda line: None)
    try:
        renewed = Threads.refresh_if_due(stored, refresh_days, when, base_url=base_url)
    except ThreadsError as exc:
        tell(
            f"warning: could not refresh the access token in {token.source} ({exc}); using it "
            f"as it is, valid until {format_time(stored.expiration)}"
        )
        return token
    if renewed is stored:
        return token
    path = Path(token.source.name)
    fresh = Token(renewed.access_token, token.source, renewed, token.extra)
    until = renewed.expiration.date().isoformat() if renewed.expiration else "?"
    try:
        save_credentials(path, renewed, extra=token.extra)
    except OSError as exc:
        tell(
            f"warning: refreshed the access token, but could not save it to {token.source} "
            f"({exc.strerror}); this run uses it, and the saved one stays valid until "
            f"{format_time(stored.expiration)}"
        )
        return fresh
    tell(f"Refreshed the access token in {token.source}: it is valid until {until}.")
    return fresh
