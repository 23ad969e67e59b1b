"""Files under the project, read and written without ever following a symlink.

``.threadsync/`` is committed, so a stranger's pull request can put a link
anywhere in it: ``.threadsync -> ~/.ssh``, ``state.json -> ../../victim``.
Every file threadsync keeps there (the state, its backup, the lock, the
insights cache, the emulator's data, the preview) goes through this module:
it walks from the project root down one directory at a time with
``O_NOFOLLOW`` and works relative to the directory it opened, so a link on
the way is refused with a message and what it points to is never opened;
so is a folder where a file belongs, or a file where a folder belongs.

Writes are atomic: a temp file made with ``O_EXCL``, synced, then renamed
over the file.  A full disk is one message (the old file is intact), not a
crash.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from threadsync.errors import ThreadsyncError

STATE_DIR = ".threadsync"
NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _CLOEXEC
_CHUNK = 1 << 20


class UnsafePath(ThreadsyncError):
    """Something other than a plain file or folder where threadsync keeps its files."""


class SymlinkRefused(UnsafePath):
    """A symlink where threadsync reads or writes its own files."""


class NoSpaceLeft(ThreadsyncError):
    """The disk (or quota) is full; the file being replaced is intact."""


@dataclass(frozen=True)
class Place:
    """A file as a trusted directory (the project root) and the names below it."""

    anchor: Path
    names: tuple[str, ...]  # never empty: the last is the file's own name
    shown: str  # as the user sees it: relative to the project root when under it

    @property
    def name(self) -> str:
        return self.names[-1]

    @property
    def depth(self) -> int:
        """The index of the file's own name in ``names``."""
        return len(self.names) - 1

    def show(self, depth: int) -> str:
        """The ``depth``-th name with the ones above it, as the user sees it."""
        return self.shown if depth == self.depth else "/".join(self.names[: depth + 1])


def place(path: Path, root: Path | None = None) -> Place:
    """Where ``path`` hangs from: ``root`` if under it, else the folder holding ``.threadsync``.

    Outside both (a ``--state`` or ``--out`` elsewhere, chosen on the command
    line), only the file itself is checked.  Paths are made absolute without
    resolving links: resolving them is what must not happen.
    """
    full = Path(os.path.abspath(path))
    base = Path(os.path.abspath(root)) if root is not None else None
    if base is not None and full != base and full.is_relative_to(base):
        anchor = base
    elif STATE_DIR in full.parts[:-1]:
        index = len(full.parts) - 2 - full.parts[-2::-1].index(STATE_DIR)
        anchor = Path(*full.parts[:index])
    else:
        return Place(full.parent, (full.name,), str(path))
    names = full.relative_to(anchor).parts
    return Place(anchor, names, "/".join(names))


def _check_entry(dir_fd: int, name: str, shown: str, what: str, *, folder: bool = False) -> None:
    """Raise UnsafePath when ``name`` under ``dir_fd`` is a link, or not a file (a folder)."""
    try:
        info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except OSError:
        return
    if stat.S_ISLNK(info.st_mode):
        tail = " and restore the file" if what == "state" else " and run again"
        raise SymlinkRefused(
            f"{shown} is a symlink; threadsync never reads or writes {what} "
            f"through a link: remove it (git rm){tail}"
        )
    _refuse_odd(info.st_mode, shown, what, folder=folder)


def _refuse_odd(mode: int, shown: str, what: str, *, folder: bool = False) -> None:
    """A folder where a file belongs (or the reverse) is one message, not a crash."""
    if folder and not stat.S_ISDIR(mode):
        raise UnsafePath(
            f"{shown} is not a folder; threadsync keeps {what} in it: remove it (git rm) and "
            "run again"
        )
    if not folder and not stat.S_ISREG(mode):
        raise UnsafePath(
            f"{shown} is not a regular file; threadsync keeps {what} there: remove it (git rm) "
            "and run again"
        )


def _check_at(dir_fd: int, where: Place, depth: int, what: str, *, folder: bool = False) -> None:
    _check_entry(dir_fd, where.names[depth], where.show(depth), what, folder=folder)


def _open_anchor(where: Place, create: bool) -> int | None:
    """The trusted directory everything is opened from; made if missing and ``create``."""
    flags = os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC
    try:
        return os.open(where.anchor, flags)
    except FileNotFoundError:
        if not create:
            return None
    os.makedirs(where.anchor, exist_ok=True)  # chosen on the command line: trusted
    return os.open(where.anchor, flags)


def _open_dirs(where: Place, upto: int, *, create: bool, what: str) -> int | None:
    """A descriptor of the directory ``names[:upto]``, opened without following a link.

    Missing directories are made when ``create``; else None is returned.
    """
    fd = _open_anchor(where, create)
    for depth in range(upto):
        if fd is None:
            return None
        try:
            child = _open_child_dir(fd, where, depth, create=create, what=what)
        finally:
            os.close(fd)
        fd = child
    return fd


def _open_child_dir(fd: int, where: Place, depth: int, *, create: bool, what: str) -> int | None:
    name = where.names[depth]
    try:
        try:
            return os.open(name, _DIR_FLAGS, dir_fd=fd)
        except FileNotFoundError:
            if not create:
                return None
        with suppress(FileExistsError):  # made meanwhile, or a dangling link: the open says
            os.mkdir(name, 0o777, dir_fd=fd)  # mkdir never follows a link
        return os.open(name, _DIR_FLAGS, dir_fd=fd)
    except OSError:
        _check_at(fd, where, depth, what, folder=True)
        raise


def check_no_links(path: Path, *, root: Path | None = None, what: str = "state") -> None:
    """Refuse a link anywhere from the project root down to ``path`` (which may not exist)."""
    where = place(path, root)
    fd = _open_dirs(where, where.depth, create=False, what=what)
    if fd is not None:
        try:
            _check_at(fd, where, where.depth, what)
        finally:
            os.close(fd)


def make_dirs(directory: Path, *, root: Path | None = None, what: str = "state") -> None:
    """``mkdir -p`` that refuses a link on the way instead of going through it."""
    where = place(directory, root)
    fd = _open_dirs(where, len(where.names), create=True, what=what)
    assert fd is not None
    os.close(fd)


def read_bytes(path: Path, *, root: Path | None = None, what: str = "state") -> bytes | None:
    """The file's bytes, or None when it (or a directory above it) does not exist."""
    fd = _open_file(place(path, root), os.O_RDONLY, 0, what)
    if fd is None:
        return None
    with os.fdopen(fd, "rb") as fh:
        return fh.read()


def open_nofollow(
    path: Path,
    flags: int,
    *,
    root: Path | None = None,
    what: str = "state",
    command: str = "apply",
    mode: int = 0o644,
    report_as: Path | None = None,
) -> int | None:
    """``os.open(path, flags)`` without following a link; None if missing and not O_CREAT.

    With ``O_CREAT`` the directories are made.  The caller closes the descriptor.
    A full disk names ``report_as`` (default ``path``): the file the user knows.
    """
    where = place(path, root)
    with _full_disk_reported(place(report_as, root) if report_as else where, command):
        return _open_file(where, flags, mode, what)


def remove(path: Path, *, root: Path | None = None, what: str = "state") -> None:
    """Delete ``path`` if it exists (a link itself, never what it points to); sync the folder."""
    where = place(path, root)
    dir_fd = _open_dirs(where, where.depth, create=False, what=what)
    if dir_fd is None:
        return
    try:
        with suppress(FileNotFoundError):
            os.unlink(where.name, dir_fd=dir_fd)
        _fsync_quietly(dir_fd)
    finally:
        os.close(dir_fd)


def list_files(directory: Path, *, root: Path | None = None, what: str = "state") -> list[str]:
    """The names of the regular files in ``directory`` (not links), or [] if it is missing.

    The directory is reached without following a link, so a linked folder
    is refused rather than listed.
    """
    where = place(directory, root)
    fd = _open_dirs(where, len(where.names), create=False, what=what)
    if fd is None:
        return []
    try:
        with os.scandir(fd) as entries:
            return sorted(e.name for e in entries if e.is_file(follow_symlinks=False))
    finally:
        os.close(fd)


@contextmanager
def full_disk_reported(
    path: Path, *, root: Path | None = None, command: str = "apply"
) -> Iterator[None]:
    """Writes to ``path`` in the block: a full disk becomes the one-line NoSpaceLeft."""
    with _full_disk_reported(place(path, root), command):
        yield


@contextmanager
def _full_disk_reported(where: Place, command: str) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        if exc.errno in NO_SPACE:
            raise NoSpaceLeft(
                f"no space left writing {where.shown}; nothing was lost; free space and run "
                f"{command} again"
            ) from exc
        raise


def _open_file(where: Place, flags: int, mode: int, what: str) -> int | None:
    create = bool(flags & os.O_CREAT)
    dir_fd = _open_dirs(where, where.depth, create=create, what=what)
    if dir_fd is None:
        return None
    try:
        fd = os.open(where.name, flags | os.O_NOFOLLOW | _CLOEXEC, mode, dir_fd=dir_fd)
    except FileNotFoundError:
        if create:
            raise
        return None
    except OSError:
        _check_at(dir_fd, where, where.depth, what)
        raise
    finally:
        os.close(dir_fd)
    try:
        _refuse_odd(os.fstat(fd).st_mode, where.shown, what)
    except BaseException:
        os.close(fd)
        raise
    return fd


def write_atomic(
    path: Path,
    data: bytes | BinaryIO,
    *,
    root: Path | None = None,
    what: str = "state",
    command: str = "apply",
    sync: bool = True,
    backup: str | None = None,
    previous: bytes | None = None,
) -> None:
    """Make ``path`` hold ``data``: its old bytes or the new ones at every moment, never a mix.

    ``backup`` names a file beside ``path`` that is to keep the version being
    replaced: the current file is hard-linked there (it is already on disk,
    so it is not written twice), or, where links fail, ``previous`` is
    written.  ``sync`` fsyncs the file and the directory (the preview, which
    is rebuilt on every edit, skips it).
    """
    where = place(path, root)
    with _full_disk_reported(where, command):
        dir_fd = _open_dirs(where, where.depth, create=True, what=what)
        assert dir_fd is not None
        try:
            _check_at(dir_fd, where, where.depth, what)
            tmp = _write_temp(dir_fd, where.name, data, sync)
            try:
                if backup is not None:
                    _keep_backup(dir_fd, where, backup, previous, what)
                os.replace(tmp, where.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            except BaseException:
                _unlink(dir_fd, tmp)
                raise
            if sync:
                _fsync_quietly(dir_fd)
        finally:
            os.close(dir_fd)


def _write_temp(dir_fd: int, name: str, data: bytes | BinaryIO, sync: bool) -> str:
    """A new temp file beside ``name`` holding ``data``; its name.

    ``O_EXCL | O_NOFOLLOW``: an entry already there (a dead run's temp file, or
    a committed link) is removed, never opened.
    """
    tmp = f".{name}.{os.getpid()}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | _CLOEXEC
    try:
        fd = os.open(tmp, flags, 0o644, dir_fd=dir_fd)
    except FileExistsError:
        os.unlink(tmp, dir_fd=dir_fd)
        fd = os.open(tmp, flags, 0o644, dir_fd=dir_fd)
    try:
        try:
            _write_all(fd, data)
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        _unlink(dir_fd, tmp)
        raise
    return tmp


def _write_all(fd: int, data: bytes | BinaryIO) -> None:
    if isinstance(data, bytes):
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        return
    while chunk := data.read(_CHUNK):
        _write_all(fd, chunk)


def _keep_backup(dir_fd: int, where: Place, backup: str, previous: bytes | None, what: str) -> None:
    """Keep the file about to be replaced as ``backup``, beside it."""
    _check_entry(dir_fd, backup, _sibling(where, backup), what)
    link = f".{backup}.{os.getpid()}.tmp"
    try:
        _unlink(dir_fd, link)
        os.link(where.name, link, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
        os.replace(link, backup, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except OSError:
        _unlink(dir_fd, link)
        if previous is None:
            raise
        tmp = _write_temp(dir_fd, backup, previous, sync=True)
        try:
            os.replace(tmp, backup, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except BaseException:
            _unlink(dir_fd, tmp)
            raise


def _sibling(where: Place, name: str) -> str:
    head, _, _ = where.shown.rpartition("/")
    return f"{head}/{name}" if head else name


def _unlink(dir_fd: int, name: str) -> None:
    with suppress(OSError):
        os.unlink(name, dir_fd=dir_fd)


def _fsync_quietly(fd: int) -> None:
    """The directory's fsync, for the rename; some filesystems refuse it, which is harmless."""
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno in NO_SPACE:
            raise
