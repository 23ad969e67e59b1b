"""The state file: what has been published, and what is half-way.

``.threadsync/state.json`` is committed to git and holds no secrets.  It is
the journal that makes apply exactly-once: every container id and media id is
written here, atomically, before the next request that depends on it.

Writes go to a temp file in the same directory, are fsynced and renamed into
place, after the previous version is kept as ``state.json.bak``; never
through a symlink (``threadsync.safewrite``).  A file that
cannot be read (corrupt JSON, unknown version, wrong shape) is reported and
never overwritten.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable
from dataclasses import field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic.dataclasses import dataclass as pydantic_dataclass

from threadsync.errors import ThreadsyncError
from threadsync.safewrite import read_bytes, write_atomic

STATE_VERSION = 1

PostStatus = Literal["pending", "published", "failed"]


class StateError(ThreadsyncError):
    """The state file is unreadable, foreign or locked."""


def _new_lineage() -> str:
    import uuid  # only when a state is first written: it imports platform, which is slow

    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


_CONFIG = ConfigDict(extra="forbid", validate_assignment=False, cache_strings=False)
# cache_strings: pydantic-core looks every short JSON string up in a cache by
# default, and nearly every string here (ids, hashes, permalinks, dates) is
# unique, so the cache costs more than it saves (10,000 posts: 71 -> 65 ms).


class _Model(BaseModel):
    model_config = _CONFIG


# The entries are slotted pydantic dataclasses, not models: a state holds one
# per published post, and a model's dict and set of fields set make 10,000
# entries take 37 MB and 55 ms to read, against 11 MB and 38 ms.  They are
# validated the same way and written to the same JSON.


@pydantic_dataclass(slots=True, kw_only=True, config=_CONFIG)
class Attempt:
    """One container created for a part, with its carousel children.

    Every attempt is kept until the part is published, because any of them
    may have been published by a request whose answer was lost.
    """

    # None while a carousel's children are being created, before the parent exists.
    container_id: str | None = None
    children: list[str] = field(default_factory=list)
    created_at: dt.datetime
    text: str | None = None
    # None while the container may still be published; else why it never will be.
    closed: str | None = None
    # The media URLs the container was made with, item by item; moved to the part once
    # it is published.
    media_urls: list[str] | None = None


@pydantic_dataclass(slots=True, kw_only=True, config=_CONFIG)
class PartState:
    """One part of a post: the root (index 0) or a reply in its thread."""

    attempts: list[Attempt] = field(default_factory=list)
    media_id: str | None = None
    child_media_ids: list[str] = field(default_factory=list)
    permalink: str | None = None
    published_at: dt.datetime | None = None
    # The media URLs the part went out with (None: a text part, or not known: adopted,
    # imported, or published before threadsync recorded them).  A record only: what
    # counts as an edit is the content hash, which holds a local file's bytes, not its URL.
    media_urls: list[str] | None = None

    @property
    def published(self) -> bool:
        return self.media_id is not None

    def open_attempts(self) -> list[Attempt]:
        return [a for a in self.attempts if a.closed is None]


@pydantic_dataclass(slots=True, kw_only=True, config=_CONFIG)
class PostState:
    status: PostStatus
    content_hash: str
    path: str | None = None
    parts: list[PartState] = field(default_factory=list)
    error: str | None = None
    source: Literal["apply", "import", "adopt"] = "apply"
    updated_at: dt.datetime = field(default_factory=utcnow)

    @property
    def media_id(self) -> str | None:
        return self.parts[0].media_id if self.parts else None

    @property
    def permalink(self) -> str | None:
        return self.parts[0].permalink if self.parts else None

    @property
    def published_at(self) -> dt.datetime | None:
        return self.parts[0].published_at if self.parts else None

    @property
    def media_ids(self) -> list[str]:
        return [p.media_id for p in self.parts if p.media_id]


@functools.cache
def _entry_adapter() -> TypeAdapter[PostState]:
    return TypeAdapter(PostState)


def load_entry(data: object) -> PostState:
    """A state entry from its JSON data (as :func:`dump_entry` gives it); raises ValidationError."""
    return _entry_adapter().validate_python(data)


def dump_entry(entry: PostState, *, exclude_none: bool = False) -> dict[str, Any]:
    """A state entry as JSON data, fields in the file's order."""
    data: dict[str, Any] = _entry_adapter().dump_python(
        entry, mode="json", exclude_none=exclude_none
    )
    return data


class State(_Model):
    version: int = STATE_VERSION
    # Empty until the file is first written, so plans made before then agree on it.
    lineage: str = ""
    serial: int = 0
    user_id: str | None = None
    posts: dict[str, PostState] = Field(default_factory=dict)

    def published(self) -> dict[str, PostState]:
        return {k: v for k, v in self.posts.items() if v.status == "published"}

    def check_account(self, user_id: str) -> None:
        """Refuse to mix accounts: state written for one is never used for another."""
        if self.user_id is not None and self.user_id != str(user_id):
            raise StateError(
                f"the state file belongs to Threads user {self.user_id}, but the token is for "
                f"user {user_id}; use that account's token, or a separate state file "
                "(accounts: in threadsync.yaml)"
            )


def load_state(path: Path, root: Path | None = None) -> State:
    """Read the state file, with the changes of an unfolded log; a missing one is empty.

    A log beside the state (a run that stopped before folding it in) is
    replayed in memory: what it records went out, and a plan must know it.
    Only a command that writes the state folds it into the file.  ``root`` is
    the project root: no directory from there down may be a link (see
    ``threadsync.safewrite``).
    """
    from threadsync.statelog import fold, log_path_for

    raw = _read(path, root)
    state = State() if raw is None else parse_state(raw, path)
    fold(state, log_path_for(path), root=root)
    return state


def _read(path: Path, root: Path | None) -> bytes | None:
    try:
        return read_bytes(path, root=root)
    except OSError as exc:
        raise StateError(f"cannot read state file {path}: {exc.strerror}") from exc


def parse_state(raw: bytes, path: Path) -> State:
    # Fast path: one pass in pydantic-core.  Anything it refuses is parsed again
    # below, slowly, to say exactly what is wrong.
    try:
        state = State.model_validate_json(raw)
    except ValidationError:
        pass
    else:
        if state.version == STATE_VERSION and "version" in state.model_fields_set:
            return state
    hint = f"restore it from git (git checkout -- {path}) or from {path}.bak"
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise StateError(f"state file {path} is not UTF-8 text; {hint}") from exc
    except json.JSONDecodeError as exc:
        raise StateError(
            f"state file {path} is corrupt (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            f"{hint}"
        ) from exc
    if not isinstance(data, dict):
        raise StateError(f"state file {path} is not a JSON object; {hint}")
    version = data.get("version")
    if version != STATE_VERSION:
        raise StateError(
            f"state file {path} has version {version!r}, but this threadsync reads version "
            f"{STATE_VERSION}; upgrade threadsync (or {hint})"
        )
    try:
        return State.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise StateError(
            f"state file {path} is malformed at {where}: {problem_of(exc)}; {hint}"
        ) from exc


def problem_of(exc: ValidationError) -> str:
    """The first problem pydantic found in a state entry, in words for the user."""
    first = exc.errors()[0]
    if first["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
        return "a field this threadsync does not know (written by a newer one?)"
    return str(first["msg"])


def dump_state(state: State) -> bytes:
    """The state file's bytes: indented JSON, posts sorted by id, fields in model order.

    Serialised by pydantic-core: ``json.dumps`` with ``indent`` runs in pure
    Python, ten times slower, and apply saves after every container and post
    (0.7 s per save against 0.07 s for a state of 10,000 posts).
    """
    posts = state.posts
    keys = list(posts)
    if keys != sorted(keys):  # new posts are appended; git diffs want a stable order
        state = state.model_copy(update={"posts": dict(sorted(posts.items()))})
    return state.model_dump_json(indent=2, exclude_none=True).encode() + b"\n"


def atomic_write(
    path: Path, data: bytes, *, root: Path | None = None, command: str = "apply"
) -> None:
    """Write ``data`` so that ``path`` holds either the old or the new bytes, never a mix.

    Never through a link, and a full disk is one message naming the file and
    ``command``, to run again once there is space.
    """
    write_atomic(path, data, root=root, command=command)


def write_keeping_backup(
    path: Path,
    data: bytes,
    backup: Path,
    previous: bytes,
    *,
    root: Path | None = None,
    command: str = "apply",
) -> None:
    """``atomic_write(path, data)``, keeping the file it replaces as ``backup``.

    The current file is hard-linked as the backup, so the previous version
    (already on disk and synced) is not written a second time: apply saves
    after every container and post, and this halves each save.  At every
    moment ``path`` holds a whole version, and ``backup`` the one before it
    (or, until the rename, the same one).  Where hard links are not possible,
    ``previous`` is written out instead.
    """
    if backup.parent != path.parent:
        raise ValueError(f"the backup {backup} must be beside {path}")
    write_atomic(path, data, root=root, command=command, backup=backup.name, previous=previous)


class StateStore:
    """The state file on disk, with the log of the changes not folded into it yet.

    It loads the state and folds in a log a crashed run left (see
    ``threadsync.statelog``).  Apply records each change with :meth:`append`,
    which costs the same at any history size, and folds the log into the
    state file once with :meth:`compact`.  :meth:`save` writes the whole
    state (bumping the serial, keeping the previous version as ``.bak``) and
    drops the log it now holds.  Nothing is written through a link under
    ``root`` (the project).  Callers hold the lock (see ``threadsync.lock``)
    while they use a store for writing.
    """

    def __init__(self, path: Path, root: Path | None = None, *, command: str = "apply") -> None:
        from threadsync.statelog import LogWriter, fold, log_path_for

        self.path = path
        self.root = root
        self.command = command  # named in the message for a full disk: run it again
        self.backup_path = path.with_name(path.name + ".bak")
        self._last = _read(path, root)
        self.state = State() if self._last is None else parse_state(self._last, path)
        self.log_path = log_path_for(path)
        folded = fold(self.state, self.log_path, root=root)
        # A log on disk: a run stopped before folding it in (its changes are in memory now).
        self.unfolded = folded is not None
        self.unfolded_lines = folded.lines if folded is not None else None
        self._log = LogWriter(self.log_path, path, root=root, command=command)

    def append(self, post_ids: Iterable[str] = (), *, user: bool = False) -> None:
        """Record the entries of ``post_ids`` (and the account) as they are now, durably."""
        if not self._log.open:
            if self.unfolded:
                self.compact()  # a new log builds on a state file that holds the old one
            if not self.state.lineage:
                self.state.lineage = _new_lineage()
            self._log.start(self.state)
        self._log.put(self.state, post_ids, user=user)

    def compact(self) -> None:
        """Fold the log into the state file, if there is one."""
        if self._log.open or self.unfolded:
            self.save()

    def save(self) -> None:
        if not self.state.lineage:
            self.state.lineage = _new_lineage()
        self.state.serial += 1
        data = dump_state(self.state)
        if self._last is None:
            atomic_write(self.path, data, root=self.root, command=self.command)
        else:
            write_keeping_backup(
                self.path,
                data,
                self.backup_path,
                self._last,
                root=self.root,
                command=self.command,
            )
        self._last = data
        if self._log.open or self.unfolded:
            self._log.remove()  # after the state file holds it: a crash between is harmless
            self.unfolded = False
