"""Helpers for the content tests: tiny real image files and project trees."""

from __future__ import annotations

import struct
import textwrap
import zlib
from pathlib import Path

from threadsync.config import load_config
from threadsync.content import Content, load_project


def png_bytes(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    """A valid RGB PNG of the given size, filled with one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return (
            struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width
    raw = row * height
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def jpeg_bytes(width: int = 4, height: int = 3, *, app1: int = 0) -> bytes:
    """The header of a baseline JPEG: SOI, an optional APP1 of ``app1`` bytes, SOF0, EOI.

    Enough for type sniffing and size reading (not a decodable picture).
    """
    out = b"\xff\xd8"
    out += b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    if app1:
        out += b"\xff\xe1" + struct.pack(">H", app1 + 2) + b"E" * app1
    sof = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    out += b"\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof
    return out + b"\xff\xd9"


def mp4_bytes() -> bytes:
    return struct.pack(">I", 24) + b"ftypisom" + b"\x00\x00\x02\x00isomiso2" + b"\x00" * 16


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (path → text or bytes) under ``root``; text is dedented."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def load(
    root: Path,
    files: dict[str, str | bytes],
    *,
    config: str | None = None,
    **kwargs: object,
) -> Content:
    """Write a project (``files`` under ``root``, optional threadsync.yaml text) and load it."""
    write(root, files)
    if config is not None:
        (root / "threadsync.yaml").write_text(textwrap.dedent(config), encoding="utf-8")
    (root / "content").mkdir(exist_ok=True)
    return load_project(root, load_config(None, root), **kwargs)  # type: ignore[arg-type]


def messages(project: Content) -> list[str]:
    """``path:line:col: [warning: ]message`` of every problem."""
    return [str(p) for p in project.problems]
