"""Media: telling images from videos, checking local files, building public URLs.

Threads fetches media from public URLs, so a local file (a path relative to the
post's file) is published through ``media.base_url`` of threadsync.yaml, e.g.
``https://raw.githubusercontent.com/{repo}/{sha}/{path}``, or through a media
store (``media.store: s3``), where its key is :func:`object_key`.  ``{path}`` is the
file's repo-relative path; ``{repo}`` and ``{sha}`` come from a
:class:`MediaUrlContext`, which the caller finds at the edge (see
``threadsync.config.detect_media_url_context``): this package runs no git.

Local files are checked the way Threads would: JPEG or PNG images and MP4 or
MOV videos, recognised by their first bytes (not their names); images at most
8 MB with an aspect ratio of at most 10:1, read from the PNG IHDR chunk or the
JPEG SOF segment; videos at most 1 GB.
"""

from __future__ import annotations

import hashlib
import os
import string
from dataclasses import dataclass
from typing import BinaryIO, Literal
from urllib.parse import quote

from threadsync.content.safefs import Refused, RepoFiles

MediaKind = Literal["image", "video"]

IMAGE_MAX_BYTES = 8 * 1024 * 1024
VIDEO_MAX_BYTES = 1024 * 1024 * 1024
MAX_ASPECT = 10.0
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
VIDEO_SUFFIXES = (".mp4", ".mov")
PLACEHOLDERS = ("repo", "sha", "path")


@dataclass(frozen=True, slots=True)
class MediaUrlContext:
    """Values for ``{repo}`` (``owner/name``) and ``{sha}`` (a commit) in ``media.base_url``."""

    repo: str | None = None
    sha: str | None = None


def is_url(ref: str) -> bool:
    low = ref[:8].lower()
    return low.startswith(("https://", "http://"))


def has_credentials(url: str) -> bool:
    """Whether ``url`` carries a user name or password (``https://user:secret@host/``).

    Read without ``urlsplit``, which raises on some malformed hosts: a URL
    that might hold a secret is never echoed in a message, valid or not.
    """
    authority = url.partition("//")[2]
    for end in "/?#":
        authority = authority.split(end, 1)[0]
    return "@" in authority


def kind_from_name(ref: str) -> MediaKind | None:
    """``image``/``video`` from the file extension of a path or URL, else ``None``."""
    name = ref.split("?", 1)[0].split("#", 1)[0].lower()
    if name.endswith(IMAGE_SUFFIXES):
        return "image"
    if name.endswith(VIDEO_SUFFIXES):
        return "video"
    return None


def sniff(head: bytes) -> str | None:
    """The file type from its first bytes: jpeg, png, mp4, mov, or another name, or ``None``."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:2] == b"BM":
        return "bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    box = head[4:8]
    if box == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return "mov"
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"hevc", b"heim", b"heis"):
            return "heic"
        if brand in (b"avif", b"avis"):
            return "avif"
        return "mp4"
    if box in (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"):
        return "mov"
    return None


def png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) >= 24 and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the first SOF segment of a JPEG, or ``None``."""
    i = 2
    n = len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # standalone markers
            i += 2
            continue
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if marker in _SOF:
            if i + 9 > n:
                return None
            height = int.from_bytes(data[i + 5 : i + 7], "big")
            width = int.from_bytes(data[i + 7 : i + 9], "big")
            return width, height
        if length < 2:
            return None
        i += 2 + length
    return None


@dataclass(frozen=True, slots=True)
class LocalFile:
    """What checking a local media file found: its type, size, digest and problems."""

    file_type: str | None
    sha256: str | None
    errors: tuple[str, ...]


_NAMES = {"jpeg": "a JPEG image", "png": "a PNG image", "mp4": "an MP4 video", "mov": "a MOV video"}


def check_local_file(files: RepoFiles, path: str, shown: str, declared: str) -> LocalFile:
    """Check a local media file against what Threads accepts.

    ``declared`` is ``image`` or ``video`` (what the post says); ``shown`` is
    the path to name in messages.  The file must be a regular file inside the
    repository (``files``).  Only an image (at most 8 MB) is read whole, to
    find its size; a video is hashed in chunks, and a file over the limit is
    not read at all.
    """
    try:
        fd, size = files.open(path, shown, limit=None)
    except FileNotFoundError:
        return LocalFile(None, None, (f"media file {shown} does not exist",))
    except Refused as exc:
        if exc.reason.startswith("a directory,"):
            return LocalFile(None, None, (f"media file {shown} is a directory",))
        return LocalFile(None, None, (f"media file {exc.message}",))
    except OSError as exc:
        return LocalFile(None, None, (f"media file {shown} can't be read: {exc.strerror or exc}",))
    try:
        with os.fdopen(fd, "rb") as fh:
            return _check_open_file(fh, size, shown, declared)
    except OSError as exc:
        return LocalFile(None, None, (f"media file {shown} can't be read: {exc.strerror or exc}",))


def _check_open_file(fh: BinaryIO, size: int, shown: str, declared: str) -> LocalFile:
    head = fh.read(16)
    file_type = sniff(head)
    if file_type in ("jpeg", "png"):
        actual = "image"
    elif file_type in ("mp4", "mov"):
        actual = "video"
    else:
        what = (
            f"is a {file_type.upper()} file"
            if file_type
            else "is not an image or video Threads accepts"
        )
        message = (
            f"media file {shown} {what}; Threads accepts JPEG or PNG images and MP4 or MOV videos"
        )
        return LocalFile(file_type, None, (message,))
    errors: list[str] = []
    if actual != declared:
        errors.append(f"media file {shown} is {_NAMES[file_type]}, but the post says {declared}")
    digest: str | None = None
    if actual == "image":
        if size > IMAGE_MAX_BYTES:
            errors.append(
                f"image {shown} is {size / 1024 / 1024:.1f} MB; Threads accepts at most 8 MB"
            )
            return LocalFile(file_type, None, tuple(errors))
        data = head + fh.read(size)  # never more than the size checked above
        digest = hashlib.sha256(data).hexdigest()
        dims = png_size(data) if file_type == "png" else jpeg_size(data)
        if dims is None:
            errors.append(f"image {shown} is damaged: its size can't be read")
        else:
            w, h = dims
            if w == 0 or h == 0:
                errors.append(f"image {shown} has no pixels ({w}x{h})")
            elif max(w, h) / min(w, h) > MAX_ASPECT:
                errors.append(
                    f"image {shown} is {w}x{h}, an aspect ratio over 10:1; Threads refuses it"
                )
    elif size > VIDEO_MAX_BYTES:
        errors.append(f"video {shown} is over 1 GB; Threads accepts at most 1 GB")
    else:
        hasher = hashlib.sha256(head)
        left = size - len(head)  # a file that grows while hashed is read only to its size
        while left > 0 and (chunk := fh.read(min(left, 1 << 20))):
            hasher.update(chunk)
            left -= len(chunk)
        digest = hasher.hexdigest()
    return LocalFile(file_type, digest, tuple(errors))


# A file in a media store is named by its bytes (content-addressed) and served with
# the type its first bytes show, whatever the file's name says.
STORE_SUFFIXES = {"jpeg": ".jpg", "png": ".png", "mp4": ".mp4", "mov": ".mov"}
CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
}


def object_key(prefix: str, sha256: str, file_type: str) -> str:
    """The key of a local file in a media store: ``prefix`` + its SHA-256 + its suffix.

    The same bytes always get the same key, so a file is uploaded once, and a
    key never names two different files.
    """
    return f"{prefix}{sha256}{STORE_SUFFIXES[file_type]}"


CREDENTIALS_IN_URL = (
    "{field} holds a user name or password; credentials never go in threadsync.yaml, "
    "where every URL is shown and stored"
)


def base_url_problem(base_url: str) -> str | None:
    """A message if ``base_url`` has unknown or malformed placeholders, else ``None``."""
    if has_credentials(base_url):
        return CREDENTIALS_IN_URL.format(field="media.base_url")
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(base_url) if f is not None]
    except ValueError as exc:
        return f"media.base_url is not a valid template: {exc}"
    unknown = [f for f in fields if f not in PLACEHOLDERS]
    if unknown:
        return (
            f"media.base_url has unknown placeholder {{{unknown[0]}}}; use {{repo}}, {{sha}} "
            "and {path}"
        )
    if not is_url(base_url):
        return "media.base_url must start with https:// (Threads fetches media from it)"
    return None


def build_url(base_url: str, context: MediaUrlContext, repo_path: str) -> str:
    """The public URL of a local file; raises ``LookupError`` naming a missing value.

    ``repo_path`` is percent-encoded (``/`` kept), so names with spaces work.
    """
    repo_path = quote(repo_path, safe="/")
    values = {"path": repo_path, "repo": context.repo, "sha": context.sha}
    fields = [f for _, f, _, _ in string.Formatter().parse(base_url) if f]
    for name in fields:
        if values.get(name) is None:
            raise LookupError(name)
    if "path" not in fields:
        return base_url.rstrip("/") + "/" + repo_path
    return base_url.format(**values)
