"""The state's append-only log: apply journals each step at a cost that does not grow.

Rewriting ``state.json`` after every container and post costs as much as the
whole history (80 ms for 10,000 posts), several times per post.  So apply
appends each change to ``state.json.log`` beside it instead: one JSON line
holding the whole entry of the one post that changed, written and fsynced
before the request that depends on it.  The log is folded into the state
file once, at the end of apply (and by the next command that writes the state
after a crash).  Only the state file is committed; the log never is.

The first line says which state the log builds on (its lineage and serial).
Each further line is ``{"put": ID, "entry": {...}}``, ``{"drop": ID}`` or
``{"user_id": ...}``, and replaying them is idempotent: a line puts a whole
entry.  A last line cut short by a crash is ignored: its change was never
acted on, since the request after it is only sent once the line is on disk.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from threadsync.errors import ThreadsyncError
from threadsync.safewrite import full_disk_reported, open_nofollow, read_bytes, remove

if TYPE_CHECKING:  # state.py imports this module
    from threadsync.state import State

LOG_VERSION = 1


class StateLogError(ThreadsyncError):
    """The log beside the state file can't be used."""


def log_path_for(state_path: Path) -> Path:
    return state_path.with_name(state_path.name + ".log")


@dataclass(frozen=True)
class Folded:
    """What folding a log into a state did."""

    lines: int  # changes replayed
    stale: bool  # the log was already in the state file (a crash during compaction)


def fold(state: State, log: Path, *, root: Path | None = None) -> Folded | None:
    """Replay the log at ``log`` into ``state`` (in memory); None when there is no log."""
    raw = read_bytes(log, root=root, what="state")
    if raw is None:
        return None
    lines = raw.split(b"\n")
    if raw.endswith(b"\n"):
        lines.pop()
    elif lines:
        lines.pop()  # cut short by a crash: never acted on
    if not lines:
        return Folded(0, stale=False)
    header = _parse(lines[0], log, 1)
    if header.get("log") != LOG_VERSION:
        raise StateLogError(
            f"{log} is a state log of version {header.get('log')!r}, not {LOG_VERSION}; "
            "upgrade threadsync"
        )
    lineage, serial = header.get("lineage"), header.get("serial")
    if not isinstance(lineage, str) or not isinstance(serial, int):
        raise StateLogError(f"{log} is corrupt at line 1; restore the state from git")
    if state.lineage and state.lineage != lineage:
        raise StateLogError(
            f"{log} belongs to another state file (lineage {lineage}, and the state's is "
            f"{state.lineage}); if that state is gone, move the log aside and run "
            "'threadsync import' to record what is on the account"
        )
    if state.serial > serial:
        return Folded(0, stale=True)  # compacted, but the log was not removed yet
    state.lineage = lineage
    for number, line in enumerate(lines[1:], start=2):
        _apply(state, _parse(line, log, number), log, number)
    return Folded(len(lines) - 1, stale=False)


def _parse(line: bytes, log: Path, number: int) -> dict[str, object]:
    try:
        record = json.loads(line)
    except ValueError:
        record = None
    if not isinstance(record, dict):
        raise StateLogError(f"{log} is corrupt at line {number}; restore the state from git")
    return record


def _apply(state: State, record: dict[str, object], log: Path, number: int) -> None:
    from threadsync.state import load_entry, problem_of

    if "put" in record:
        try:
            state.posts[str(record["put"])] = load_entry(record.get("entry"))
        except ValidationError as exc:
            message = problem_of(exc)
            raise StateLogError(f"{log} is corrupt at line {number}: {message}") from exc
    elif "drop" in record:
        state.posts.pop(str(record["drop"]), None)
    elif "user_id" in record:
        value = record["user_id"]
        state.user_id = None if value is None else str(value)
    else:
        raise StateLogError(f"{log} is corrupt at line {number}: unknown record")


class LogWriter:
    """Appends changes to the log, each batch fsynced before it returns."""

    def __init__(
        self, path: Path, state_path: Path, *, root: Path | None = None, command: str = "apply"
    ) -> None:
        self.path = path
        self.state_path = state_path  # what a full disk names: the log is part of the state
        self.root = root
        self.command = command
        self._fd: int | None = None

    def start(self, state: State) -> None:
        """Open a new log that builds on ``state`` as it is on disk."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND
        fd = open_nofollow(
            self.path, flags, root=self.root, command=self.command, report_as=self.state_path
        )
        assert fd is not None
        self._fd = fd
        header = {"log": LOG_VERSION, "lineage": state.lineage, "serial": state.serial}
        self._write([header])

    @property
    def open(self) -> bool:
        return self._fd is not None

    def put(self, state: State, post_ids: Iterable[str], *, user: bool = False) -> None:
        from threadsync.state import dump_entry

        records: list[dict[str, object]] = []
        if user:
            records.append({"user_id": state.user_id})
        for post_id in post_ids:
            entry = state.posts.get(post_id)
            if entry is None:
                records.append({"drop": post_id})
            else:
                records.append({"put": post_id, "entry": dump_entry(entry)})
        if records:
            self._write(records)

    def _write(self, records: list[dict[str, object]]) -> None:
        assert self._fd is not None
        data = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records).encode()
        with full_disk_reported(self.state_path, root=self.root, command=self.command):
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            os.fsync(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def remove(self) -> None:
        """Close and delete the log (its changes are in the state file now)."""
        self.close()
        remove(self.path, root=self.root)
