"""The state lock: one writing run at a time, and never a stale lock on one host.

The lock is an OS lock (``fcntl.flock``) on ``.threadsync/state.lock``, so it
dies with its process: a run killed with SIGKILL never needs
``force-unlock`` on the same machine.  The holder's pid, host, command and
start time are written inside, so a waiting run can say who holds it.

``flock`` does not reach across hosts on every shared filesystem.  A lock
record left by another host is therefore honoured until it is older than the
configured age; ``threadsync force-unlock`` removes such a record.  A record
whose start time is in the future (clocks that disagree, or a forged record)
has no age to wait for: it is honoured, and force-unlock breaks it at once.

The lock file is opened without following a link (``threadsync.safewrite``):
a committed ``state.lock`` symlink is refused, and its target never touched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from threadsync.errors import ThreadsyncError
from threadsync.safewrite import full_disk_reported, open_nofollow

DEFAULT_MAX_AGE = dt.timedelta(hours=6)
LOCK_WHAT = "the state lock"
FUTURE = "whose start time is in the future (clocks that disagree, or a forged record)"
_SHOWN_MAX = 80


class LockError(ThreadsyncError):
    """Another run holds the state lock."""


@dataclass(frozen=True)
class Holder:
    pid: int
    host: str
    command: str
    started: dt.datetime

    @classmethod
    def current(cls, command: str) -> Holder:
        return cls(os.getpid(), socket.gethostname(), command, dt.datetime.now(dt.timezone.utc))

    def to_json(self) -> str:
        return json.dumps(
            {
                "pid": self.pid,
                "host": self.host,
                "command": self.command,
                "started": self.started.isoformat(),
            }
        )

    @classmethod
    def parse(cls, text: str) -> Holder | None:
        """The record, or None for one that is not ours (a lock file can be committed)."""
        try:
            data = json.loads(text)
            pid = int(data["pid"])
            started = dt.datetime.fromisoformat(data["started"])
            if not 0 < pid < 2**31:
                return None
            return cls(
                pid,
                _printable(str(data["host"])),
                _printable(str(data["command"])),
                started if started.tzinfo else started.replace(tzinfo=dt.timezone.utc),
            )
        except (ValueError, KeyError, TypeError, OverflowError):
            return None

    def describe(self) -> str:
        return (
            f"pid {self.pid} on {self.host} ({self.command}, since "
            f"{self.started.strftime('%Y-%m-%d %H:%M:%S %Z')})"
        )

    def in_future(self, now: dt.datetime) -> bool:
        return self.started > now


def _printable(text: str) -> str:
    """A record's host or command, safe to print: no control characters, not too long."""
    clean = "".join(c if c.isprintable() else "?" for c in text)
    return clean if len(clean) <= _SHOWN_MAX else clean[: _SHOWN_MAX - 3] + "..."


def lock_path_for(state_path: Path) -> Path:
    return state_path.with_name("state.lock")


def _read_holder(fd: int) -> Holder | None:
    os.lseek(fd, 0, os.SEEK_SET)
    raw = os.read(fd, 4096).decode("utf-8", "replace")
    return Holder.parse(raw) if raw.strip() else None


@contextlib.contextmanager
def state_lock(
    state_path: Path,
    command: str,
    *,
    wait: float = 0.0,
    max_age: dt.timedelta = DEFAULT_MAX_AGE,
    sleep: Callable[[float], None] = time.sleep,
    root: Path | None = None,
) -> Iterator[Holder]:
    """Hold the state lock for the duration of the block.

    ``wait`` is how long to wait for a live holder on this host before giving up.
    ``root`` is the project root: no directory from there down may be a link.
    """
    path = lock_path_for(state_path)
    fd = open_nofollow(path, os.O_RDWR | os.O_CREAT, root=root, what=LOCK_WHAT, command=command)
    assert fd is not None  # O_CREAT
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _read_holder(fd)
                    who = holder.describe() if holder else "another process"
                    raise LockError(_held_message(who, wait)) from None
                sleep(0.1)
        me = Holder.current(command)
        previous = _read_holder(fd)
        if previous is not None and previous.host != me.host:
            future = previous.in_future(me.started)
            if future or me.started - previous.started < max_age:
                fcntl.flock(fd, fcntl.LOCK_UN)
                why = f", {FUTURE}" if future else ""
                raise LockError(
                    f"the state is locked by {previous.describe()}{why}; if that run is dead, "
                    "run 'threadsync force-unlock'"
                )
        with full_disk_reported(path, root=root, command=command):
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, me.to_json().encode())
            os.fsync(fd)
        try:
            yield me
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _held_message(who: str, waited: float) -> str:
    """Names ``--lock-timeout``, which every command that takes the lock has."""
    if waited > 0:
        return (
            f"the state is still locked by {who} after {waited:g} s; run again once it has "
            "finished, or with a longer --lock-timeout SECONDS"
        )
    return (
        f"the state is locked by {who}; wait for it to finish and run again, or run with "
        "--lock-timeout SECONDS to wait for it"
    )


def force_unlock(
    state_path: Path,
    *,
    max_age: dt.timedelta = DEFAULT_MAX_AGE,
    now: dt.datetime | None = None,
    root: Path | None = None,
) -> Holder | None:
    """Remove a lock record left by a dead run; returns the record removed, if any.

    A lock held by a live process on this host is never broken; nor is a
    record younger than ``max_age``, which may belong to a live run elsewhere.
    A record started in the future has no age to wait for, and is broken.
    """
    path = lock_path_for(state_path)
    fd = open_nofollow(path, os.O_RDWR, root=root, what=LOCK_WHAT, command="force-unlock")
    if fd is None:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            who = holder.describe() if holder else "a running process"
            raise LockError(f"the lock is held by {who}, which is alive; not breaking it") from None
        try:
            holder = _read_holder(fd)
            if holder is None:
                return None
            current = now or dt.datetime.now(dt.timezone.utc)
            age = current - holder.started
            dead_here = holder.host == socket.gethostname() and not _pid_alive(holder.pid)
            if dt.timedelta(0) <= age < max_age and not dead_here:
                raise LockError(
                    f"the lock of {holder.describe()} is only {_human(age)} old; it can be "
                    f"broken once it is older than {_human(max_age)} (limits.lock_max_age)"
                )
            os.ftruncate(fd, 0)
            return holder
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _human(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"
