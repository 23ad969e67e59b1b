"""Reading content files without reading anything outside the repository.

Content comes from pull requests and is read next to the Threads token, so a
file it names (a post, a partial, ``_vars.yaml``, a media file, the content
dir itself) is resolved, symlinks followed, and must stay inside the
repository root: a symlink to ``/proc/self/environ`` must not become a
partial.  Only regular files are read, and a file's size is checked (on the
open file) before it is read, so a link to ``/dev/zero`` or a FIFO can't make
``validate`` read forever.

:class:`RepoFiles` holds the root, resolved once; every refusal is a
:class:`Refused` whose message names the file as the user sees it.
"""

from __future__ import annotations

import errno
import os
import stat

TEXT_MAX_BYTES = 4 * 1024 * 1024  # a post, a partial or _vars.yaml: a few MB is generous

_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)  # the path was resolved: a symlink now means it changed
    | getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not wait for a writer
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
# Post files found walking the content dir are opened by name in their folder,
# and the folder is opened once, step by step from the content dir, refusing a
# symlink at every step: the kernel walks a file's path from its folder, not
# from "/" (a tenth of loading 10,000 posts), and no folder between the content
# dir and the file can be swapped for a symlink between the walk and the read.
_DIR_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_DIRECTORY", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_DIR_FD = os.open in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class Refused(Exception):
    """A content file that may not be read: ``shown`` is the file, ``reason`` why."""

    def __init__(self, shown: str, reason: str) -> None:
        super().__init__(f"{shown}: {reason}")
        self.shown = shown
        self.reason = reason
        self.message = f"{shown}: {reason}"


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def _inside(root: str, real: str) -> bool:
    return real == root or real.startswith(root if root.endswith(os.sep) else root + os.sep)


class RepoFiles:
    """The files of one repository, read only if they really are inside it."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = os.path.realpath(root)
        self._base = os.path.abspath(root)

    def shown(self, path: str) -> str:
        """``path`` as the user sees it: relative to the root, ``/``-separated."""
        rel = os.path.relpath(os.path.abspath(path), self._base)
        return rel.replace(os.sep, "/")

    def resolve(self, path: str, shown: str | None = None) -> str:
        """The real path of ``path``; :class:`Refused` if it leaves the repository."""
        real = os.path.realpath(path)
        if _inside(self.root, real):
            return real
        shown = shown or self.shown(path)
        if _has_symlink(os.path.abspath(path), self._base):
            what = "a directory" if os.path.isdir(real) else "a file"
            # Where it points, as committed (a folder on the way may be the link instead).
            target = os.readlink(path) if os.path.islink(path) else real
            raise Refused(shown, f"a symlink to {what} outside the repository ({target})")
        raise Refused(shown, "outside the repository")

    def open_dir(self, base: str, rel_dir: str) -> int | None:
        """The folder ``rel_dir`` (``/``-separated) under ``base``, to read plain files
        from (see ``read(dir_fd=)``), or None where the platform can't; the caller
        closes it.

        ``base`` is a real path (no symlink in it), and each folder below it is
        opened in the one before without following a symlink: ``OSError`` means
        one of them is no longer a folder, and the files in it must be resolved
        like any other path.
        """
        if not _DIR_FD:
            return None
        fd = os.open(base, _DIR_FLAGS)
        try:
            for name in rel_dir.split("/") if rel_dir else ():
                inner = os.open(name, _DIR_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = inner
        except BaseException:
            os.close(fd)
            raise
        return fd

    def open(
        self,
        path: str,
        shown: str | None = None,
        *,
        limit: int | None,
        resolve: bool = True,
        dir_fd: int | None = None,
    ) -> tuple[int, int]:
        """``(fd, size)`` of a regular file inside the repository; the caller closes ``fd``.

        ``limit`` (bytes) refuses a bigger file before anything is read; ``None``
        leaves the size to the caller.  ``resolve=False`` is for a path already
        known to be inside (a plain file found walking a checked directory);
        with it, ``dir_fd`` is that directory (``open_dir``), and the file is
        opened by its name in it.
        """
        real = self.resolve(path, shown) if resolve else path
        try:
            if dir_fd is not None and not resolve:
                fd = os.open(path.rpartition(os.sep)[2], _FLAGS, dir_fd=dir_fd)
            else:
                fd = os.open(real, _FLAGS)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise Refused(shown or self.shown(path), "changed while being read") from None
            raise
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise Refused(
                    shown or self.shown(path), f"{_kind(info.st_mode)}, not a regular file"
                )
            if limit is not None and info.st_size > limit:
                raise Refused(
                    shown or self.shown(path),
                    f"{_size(info.st_size)}; a file here may be at most {_size(limit)}",
                )
        except BaseException:
            os.close(fd)
            raise
        return fd, info.st_size

    def read(
        self,
        path: str,
        shown: str | None = None,
        *,
        limit: int = TEXT_MAX_BYTES,
        resolve: bool = True,
        dir_fd: int | None = None,
    ) -> bytes:
        """The bytes of a regular file inside the repository, at most ``limit``."""
        fd, size = self.open(path, shown, limit=limit, resolve=resolve, dir_fd=dir_fd)
        try:
            data = os.read(fd, size + 1)
            if len(data) == size:
                return data
            chunks = [data]  # it changed size while read: read on, up to the limit
            total = len(data)
            while total <= limit and (chunk := os.read(fd, 1 << 16)):
                chunks.append(chunk)
                total += len(chunk)
            if total > limit:
                raise Refused(shown or self.shown(path), f"grew past {_size(limit)} while read")
            return b"".join(chunks)
        finally:
            os.close(fd)


def _has_symlink(path: str, base: str) -> bool:
    """Whether ``path`` or one of its folders below ``base`` is a symlink."""
    while path != base and _inside(base, path):
        if os.path.islink(path):
            return True
        path = os.path.dirname(path)
    return False


__all__ = ["TEXT_MAX_BYTES", "Refused", "RepoFiles"]
