"""A media store: where local files are uploaded so that Threads can fetch them.

Most content repositories are private, and raw URLs of a private repository
answer 404 to Meta.  A store (``media.store: s3``) holds the files instead,
each under a key named by its bytes (``content.media.object_key``): the same
file is uploaded once, whatever its name or post, and a key never changes
meaning.  The public URL (``public_base_url`` + key) is known from the bytes
alone, so the content loader builds it offline; uploading is apply's job,
here, before the post's first container.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from threadsync.content.media import CONTENT_TYPES, IMAGE_MAX_BYTES, VIDEO_MAX_BYTES, sniff
from threadsync.content.models import MediaItem
from threadsync.content.safefs import Refused, RepoFiles

# Opens the bytes to upload: a store asks for them only when it must upload.
OpenBody = Callable[[], AbstractContextManager[BinaryIO]]


class MediaRefused(Exception):
    """A post's media can't reach Threads as they should: this post is refused, not failed."""


@dataclass(frozen=True)
class LocalMedia:
    """A local file of a post, as a store needs it: its path, bytes' digest, size and type."""

    path: str  # repo-relative, as the post names it
    sha256: str
    size: int
    file_type: str  # jpeg, png, mp4 or mov: read from its first bytes

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.file_type]


class LocalFiles:
    """Reads local media the way the content loader does: inside the repository only."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = RepoFiles(root)

    def describe(self, item: MediaItem) -> LocalMedia:
        """What a store needs to find ``item``'s object: its digest, size and type.

        Only the first bytes are read: a file the store holds already is never
        copied (a video can be 1 GB), only the one it must upload (:meth:`copy`).
        """
        path = item.local_path
        assert path is not None and item.sha256 is not None
        with os.fdopen(self._open(item), "rb") as source:
            size = os.fstat(source.fileno()).st_size
            file_type = sniff(source.read(16))
        if file_type not in CONTENT_TYPES:
            raise MediaRefused(f"{path} changed while apply ran; run apply again")
        return LocalMedia(path, item.sha256, size, file_type)

    @contextmanager
    def copy(self, item: MediaItem) -> Iterator[BinaryIO]:
        """A private copy of ``item``'s file, checked to hold the bytes its post was built from.

        Its key is named by those bytes: uploading anything else under it would
        serve the wrong file under that name for good.  So the file is read
        once, hashed as it is copied, and the copy is what gets uploaded: a
        file written to meanwhile can't change the bytes after they are hashed.
        """
        path = item.local_path
        assert path is not None
        # A file grown past what validation allows is refused unread, not hashed to the end.
        limit = _limit(item)
        fd = self._open(item)
        # Mode 0600, in the temporary folder, and never named (or unlinked at once): it goes
        # when closed.  Only this process can reach it, so what was hashed is what is sent.
        with os.fdopen(fd, "rb") as source, tempfile.TemporaryFile(prefix="threadsync-") as copy:
            try:
                digest, _, head = _copy(source, copy, limit)
            except OSError as exc:
                raise MediaRefused(
                    f"media file {path} can't be copied to upload: {exc.strerror or exc}"
                ) from None
            if digest != item.sha256 or sniff(head) not in CONTENT_TYPES:
                raise MediaRefused(f"{path} changed while apply ran; run apply again")
            copy.seek(0)
            yield copy

    def _open(self, item: MediaItem) -> int:
        path = item.local_path
        assert path is not None
        try:
            fd, _ = self.files.open(str(self.root / path), path, limit=_limit(item))
        except Refused as exc:
            raise MediaRefused(f"media file {exc.message}") from None
        except OSError as exc:
            raise MediaRefused(f"media file {path} can't be read: {exc.strerror or exc}") from None
        return fd

    def size(self, item: MediaItem) -> int:
        """The local file's size, for the preflight to compare with what its URL answers."""
        path = item.local_path
        assert path is not None
        try:
            fd, size = self.files.open(str(self.root / path), path, limit=None)
        except (Refused, OSError) as exc:
            reason = exc.message if isinstance(exc, Refused) else f"{path}: {exc.strerror or exc}"
            raise MediaRefused(f"media file {reason}") from None
        os.close(fd)
        return size


def _limit(item: MediaItem) -> int:
    return IMAGE_MAX_BYTES if item.kind == "image" else VIDEO_MAX_BYTES


def _copy(source: BinaryIO, copy: BinaryIO, limit: int) -> tuple[str, int, bytes]:
    """SHA-256, size and first bytes of what was copied: at most ``limit`` + 1 bytes.

    One byte past the limit is enough to tell a file grown since validation,
    whose digest can't be the planned one then.
    """
    head = source.read(16)
    hasher = hashlib.sha256(head)
    copy.write(head)
    size = len(head)
    while size <= limit and (chunk := source.read(min(1 << 20, limit + 1 - size))):
        hasher.update(chunk)
        copy.write(chunk)
        size += len(chunk)
    copy.flush()
    return hasher.hexdigest(), size, head


class MediaStore(Protocol):
    """Somewhere a local file can be put, so that its public URL serves it."""

    def ensure(self, local: LocalMedia, body: OpenBody) -> bool:
        """Make sure the store holds the file; True if it was uploaded now.

        ``body`` opens the bytes to upload (a private copy), asked for only when needed.

        Raises :class:`MediaRefused` naming the file and what went wrong.
        """
        ...
