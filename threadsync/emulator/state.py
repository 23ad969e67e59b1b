"""The in-memory model of one emulated Threads world, and its persistence.

One re-entrant lock guards everything: request handlers hold it while they
read or change the state, never while they sleep or stall (see faults.py).
With a data file the state is written after every change, atomically: a temp
file in the same directory, flushed and fsynced, then ``os.replace``.  A data
file that is a symlink is refused, never read nor replaced: it may sit in a
committed ``.threadsync/emulator/`` (the CLI checks the folders above it).
"""

from __future__ import annotations

import json
import os
import secrets
import string
import tempfile
import threading
from pathlib import Path
from typing import Any

from .clock import Clock
from .model import (
    ALL_SCOPES,
    DAY,
    GRANT,
    LONG_LIVED,
    SEED_LOCATIONS,
    SHORT_LIVED,
    AuthCode,
    Container,
    Location,
    Post,
    QuotaEvent,
    Token,
    User,
    from_dict,
    to_dict,
)

FORMAT = 1
# TEXT is FINISHED at once unless told otherwise: Meta's text containers usually are.
DEFAULT_PROCESSING = {"text": 0.0, "image": 1.0, "video": 5.0, "carousel": 1.0}
DEFAULT_USER_ID = "17841400000000001"
DEFAULT_USERNAME = "emulator_user"
DEFAULT_APP_ID = "1234567890123456"
DEFAULT_APP_SECRET = "emulator-app-secret"  # noqa: S105 - a documented, fake default
_CONTAINER_BASE = 17890000000000000
_MEDIA_BASE = 18000000000000000
_USER_BASE = 17841400000000000
_TOKEN_CHARS = string.ascii_letters + string.digits


def new_secret(prefix: str, length: int) -> str:
    return prefix + "".join(secrets.choice(_TOKEN_CHARS) for _ in range(length))


def _refuse_link(path: Path) -> None:
    """The data file may sit in a committed folder: never read or replace a link there.

    The file itself is checked, and each folder from a ``.threadsync`` one down
    (the rest of the path was chosen by whoever started the emulator).
    """
    parts = Path(os.path.abspath(path)).parts
    first = len(parts) - 1
    if ".threadsync" in parts[:-1]:
        first = len(parts) - 2 - parts[-2::-1].index(".threadsync")
    for end in range(first + 1, len(parts) + 1):
        link = Path(*parts[:end])
        if link.is_symlink():
            raise ValueError(
                f"{link} is a symlink; the emulator never reads or writes its data file "
                "through a link: remove it"
            )


class Store:
    def __init__(
        self,
        clock: Clock,
        *,
        data_path: str | os.PathLike[str] | None = None,
        processing: dict[str, float] | None = None,
        token: str | None = None,
        app_id: str = DEFAULT_APP_ID,
        app_secret: str = DEFAULT_APP_SECRET,
    ) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.path = Path(data_path) if data_path is not None else None
        self.app_id = app_id
        self.app_secret = app_secret
        self.default_processing = {**DEFAULT_PROCESSING, **(processing or {})}
        self.dirty = False
        self._fresh(DEFAULT_USER_ID, token or new_secret("TH", 60))
        if self.path is not None:
            _refuse_link(self.path)
            if self.path.exists():
                self._load(self.path)
        if token is not None:
            self.primary_token = token
        self.issue_primary_token()
        self.save()

    # -- lifecycle -------------------------------------------------------------------------
    def _fresh(self, user_id: str, token: str) -> None:
        self.users: dict[str, User] = {
            user_id: User(user_id, DEFAULT_USERNAME, "Emulator User", "A local Threads account.")
        }
        self.tokens: dict[str, Token] = {}
        self.codes: dict[str, AuthCode] = {}
        self.containers: dict[str, Container] = {}
        self.posts: dict[str, Post] = {}
        self.quota: list[QuotaEvent] = []
        self.locations: dict[str, Location] = {loc.id: loc for loc in SEED_LOCATIONS}
        self.processing = dict(self.default_processing)
        self.seq = 0
        self.primary_user = user_id
        self.primary_token = token
        self.clock.set_offset(0.0)

    def reset(self) -> None:
        """Back to a fresh world; the primary user and token stay valid."""
        with self.lock:
            self._fresh(self.primary_user, self.primary_token)
            self.issue_primary_token()
            self.save()

    def issue_primary_token(self) -> Token:
        """(Re)issue the printed token as a fresh long-lived token with every scope."""
        with self.lock:
            now = self.clock.now()
            tok = Token(
                self.primary_token,
                self.primary_user,
                self.app_id,
                "long",
                now,
                now + LONG_LIVED,
                list(ALL_SCOPES),
                now + GRANT,
            )
            self.tokens[tok.value] = tok
            self.dirty = True
            return tok

    # -- ids, tokens, quotas ---------------------------------------------------------------
    def next_id(self, kind: str) -> str:
        with self.lock:
            self.seq += 1
            self.dirty = True
            base = {"container": _CONTAINER_BASE, "user": _USER_BASE}.get(kind, _MEDIA_BASE)
            return str(base + 100 + self.seq)

    def issue_token(
        self,
        user_id: str,
        kind: str,
        scopes: list[str],
        *,
        issued_at: float | None = None,
        grant_expires_at: float | None = None,
    ) -> Token:
        with self.lock:
            at = self.clock.now() if issued_at is None else issued_at
            life = SHORT_LIVED if kind == "short" else LONG_LIVED
            value = new_secret("TH", 60)
            tok = Token(
                value,
                user_id,
                self.app_id,
                kind,
                at,
                at + life,
                list(scopes),
                grant_expires_at if grant_expires_at is not None else at + GRANT,
            )
            self.tokens[value] = tok
            self.dirty = True
            return tok

    def add_user(self, username: str, **fields: Any) -> User:
        with self.lock:
            for user in self.users.values():
                if user.username == username:
                    return user
            uid = str(fields.pop("id", None) or self.next_id("user"))
            user = User(uid, username, fields.pop("name", username.title()), **fields)
            self.users[uid] = user
            self.dirty = True
            return user

    def quota_used(self, user_id: str, kind: str) -> int:
        """Rolling 24 h usage (ref §4 "Per-profile rolling 24 h quotas")."""
        with self.lock:
            since = self.clock.now() - DAY
            return sum(
                1 for e in self.quota if e.user_id == user_id and e.kind == kind and e.at > since
            )

    def count_quota(self, user_id: str, kind: str) -> None:
        with self.lock:
            self.quota.append(QuotaEvent(kind, user_id, self.clock.now()))
            self.dirty = True

    # -- persistence -----------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "format": FORMAT,
                "clock_offset": self.clock.offset,
                "seq": self.seq,
                "primary_user": self.primary_user,
                "primary_token": self.primary_token,
                "processing": self.processing,
                "users": [to_dict(u) for u in self.users.values()],
                "tokens": [to_dict(t) for t in self.tokens.values()],
                "codes": [to_dict(c) for c in self.codes.values()],
                "containers": [to_dict(c) for c in self.containers.values()],
                "posts": [to_dict(p) for p in self.posts.values()],
                "quota": [to_dict(q) for q in self.quota],
            }

    def _load(self, path: Path) -> None:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(fd, encoding="utf-8") as handle:
                data = json.load(handle)
            if data.get("format") != FORMAT:
                raise ValueError(f"unknown format {data.get('format')!r}")
            self.clock.set_offset(float(data["clock_offset"]))
            self.seq = int(data["seq"])
            self.primary_user = str(data["primary_user"])
            self.primary_token = str(data["primary_token"])
            # A file written before a kind existed keeps that kind's default.
            saved = {k: float(v) for k, v in data["processing"].items()}
            self.processing = {**self.default_processing, **saved}
            self.users = {u["id"]: from_dict(User, u) for u in data["users"]}
            self.tokens = {t["value"]: from_dict(Token, t) for t in data["tokens"]}
            self.codes = {c["value"]: from_dict(AuthCode, c) for c in data["codes"]}
            self.containers = {c["id"]: from_dict(Container, c) for c in data["containers"]}
            self.posts = {p["id"]: from_dict(Post, p) for p in data["posts"]}
            self.quota = [from_dict(QuotaEvent, q) for q in data["quota"]]
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"cannot read emulator data file {path}: {exc}") from exc

    def save(self) -> None:
        """Write the data file atomically, if there is one; clears the dirty flag."""
        with self.lock:
            self.dirty = False
            if self.path is None:
                return
            text = json.dumps(self.snapshot(), indent=1, sort_keys=True)
            directory = self.path.parent
            directory.mkdir(parents=True, exist_ok=True)
            # mkstemp opens with O_EXCL (and O_NOFOLLOW): it never writes through a link.
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=directory)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
                _refuse_link(self.path)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise

    def flush(self) -> None:
        with self.lock:
            if self.dirty:
                self.save()
