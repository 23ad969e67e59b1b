"""Media: type sniffing, image headers, local file checks, URL templates."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from threadsync.content.media import (
    MediaUrlContext,
    base_url_problem,
    build_url,
    check_local_file,
    jpeg_size,
    kind_from_name,
    png_size,
    sniff,
)
from threadsync.content.safefs import RepoFiles

from .contentkit import jpeg_bytes, mp4_bytes, png_bytes


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (png_bytes(), "png"),
        (jpeg_bytes(), "jpeg"),
        (mp4_bytes(), "mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "mov"),
        (b"\x00\x00\x00\x08wide\x00\x00", "mov"),
        (b"\x00\x00\x00\x18ftypheic", "heic"),
        (b"\x00\x00\x00\x18ftypavif", "avif"),
        (b"GIF89a....", "gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
        (b"BM\x00\x00", "bmp"),
        (b"II*\x00", "tiff"),
        (b"%PDF-1.7", None),
        (b"", None),
    ],
)
def test_sniff(head: bytes, kind: str | None) -> None:
    assert sniff(head[:16]) == kind


def test_png_and_jpeg_sizes() -> None:
    assert png_size(png_bytes(321, 123)) == (321, 123)
    assert png_size(b"\x89PNG\r\n\x1a\n") is None
    assert jpeg_size(jpeg_bytes(640, 480)) == (640, 480)
    assert jpeg_size(jpeg_bytes(10, 20, app1=5000)) == (10, 20)
    assert jpeg_size(b"\xff\xd8\xff\xe0\x00") is None
    assert jpeg_size(b"\xff\xd8garbage") is None
    # A progressive JPEG (SOF2), after fill bytes and a restart marker.
    prog = b"\xff\xd8\xff\xff\xd0\xff\xc2\x00\x11\x08\x00\x07\x00\x09\x03" + b"\x00" * 9
    assert jpeg_size(prog) == (9, 7)


def test_kind_from_name() -> None:
    assert kind_from_name("a.JPG") == "image"
    assert kind_from_name("https://x/y.jpeg?size=2#top") == "image"
    assert kind_from_name("clip.mov") == "video"
    assert kind_from_name("https://x/clip.mp4") == "video"
    assert kind_from_name("photo.webp") is None
    assert kind_from_name("https://x/y") is None


def test_check_local_file_accepts_threads_types(tmp_path: Path) -> None:
    files = {"a.png": png_bytes(320, 32), "b.jpg": jpeg_bytes(32, 320), "c.mp4": mp4_bytes()}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    assert (
        check_local_file(RepoFiles(tmp_path), str(tmp_path / "a.png"), "a.png", "image").errors
        == ()
    )
    assert (
        check_local_file(RepoFiles(tmp_path), str(tmp_path / "b.jpg"), "b.jpg", "image").errors
        == ()
    )
    result = check_local_file(RepoFiles(tmp_path), str(tmp_path / "c.mp4"), "c.mp4", "video")
    assert result.errors == () and result.file_type == "mp4"
    assert result.sha256 == hashlib.sha256(files["c.mp4"]).hexdigest()  # hashed in chunks


def test_files_over_the_limit_are_refused_without_being_read(tmp_path: Path) -> None:
    """A sparse 1 GB + 1 byte video and a 9 MB image: refused by size, never loaded."""
    video = tmp_path / "huge.mp4"
    with video.open("wb") as fh:
        fh.write(mp4_bytes())
        fh.truncate(1024**3 + 1)
    image = tmp_path / "huge.png"
    with image.open("wb") as fh:
        fh.write(png_bytes())
        fh.truncate(9 * 1024 * 1024)
    big = check_local_file(RepoFiles(tmp_path), str(video), "huge.mp4", "video")
    assert big.errors == ("video huge.mp4 is over 1 GB; Threads accepts at most 1 GB",)
    assert big.sha256 is None
    heavy = check_local_file(RepoFiles(tmp_path), str(image), "huge.png", "image")
    assert heavy.errors == ("image huge.png is 9.0 MB; Threads accepts at most 8 MB",)


def test_check_local_file_by_content_not_name(tmp_path: Path) -> None:
    (tmp_path / "really-a-jpeg.png").write_bytes(jpeg_bytes())
    (tmp_path / "fake.jpg").write_bytes(b"<html>not an image</html>")
    assert (
        check_local_file(
            RepoFiles(tmp_path), str(tmp_path / "really-a-jpeg.png"), "x", "image"
        ).errors
        == ()
    )
    assert check_local_file(
        RepoFiles(tmp_path), str(tmp_path / "fake.jpg"), "fake.jpg", "image"
    ).errors == (
        "media file fake.jpg is not an image or video Threads accepts; Threads accepts JPEG or "
        "PNG images and MP4 or MOV videos",
    )


def test_check_local_file_limits(tmp_path: Path) -> None:
    (tmp_path / "tall.png").write_bytes(png_bytes(10, 101))
    (tmp_path / "ok.png").write_bytes(png_bytes(10, 100))
    (tmp_path / "empty.png").write_bytes(png_bytes(0, 0)[:24])
    assert check_local_file(
        RepoFiles(tmp_path), str(tmp_path / "tall.png"), "tall.png", "image"
    ).errors == ("image tall.png is 10x101, an aspect ratio over 10:1; Threads refuses it",)
    assert (
        check_local_file(RepoFiles(tmp_path), str(tmp_path / "ok.png"), "ok.png", "image").errors
        == ()
    )
    assert check_local_file(
        RepoFiles(tmp_path), str(tmp_path / "empty.png"), "e", "image"
    ).errors == ("image e has no pixels (0x0)",)
    assert check_local_file(
        RepoFiles(tmp_path), str(tmp_path / "missing.png"), "m", "image"
    ).errors == ("media file m does not exist",)


def test_base_url_problem() -> None:
    assert base_url_problem("https://raw.githubusercontent.com/{repo}/{sha}/{path}") is None
    assert base_url_problem("https://cdn.example.com/media") is None
    assert base_url_problem("https://x/{branch}/{path}") == (
        "media.base_url has unknown placeholder {branch}; use {repo}, {sha} and {path}"
    )
    assert base_url_problem("https://x/{path") == (
        "media.base_url is not a valid template: expected '}' before end of string"
    )
    assert base_url_problem("/local/{path}") == (
        "media.base_url must start with https:// (Threads fetches media from it)"
    )


def test_build_url() -> None:
    ctx = MediaUrlContext(repo="me/site", sha="abc")
    assert build_url("https://r/{repo}/{sha}/{path}", ctx, "content/a b.png") == (
        "https://r/me/site/abc/content/a%20b.png"
    )
    assert build_url("https://cdn.example/media/", ctx, "content/a.png") == (
        "https://cdn.example/media/content/a.png"
    )
    with pytest.raises(LookupError, match="sha"):
        build_url("https://r/{sha}/{path}", MediaUrlContext(), "a.png")
