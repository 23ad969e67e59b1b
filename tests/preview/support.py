"""Helpers of the preview, watch and stats tests: projects in tmp dirs, pages, PNGs."""

from __future__ import annotations

import argparse
import re
import struct
import textwrap
import zlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from threadsync.config import load_config
from threadsync.content import load_project
from threadsync.state import PartState, PostState, State, atomic_write, dump_state

CONFIG = """\
timezone: Europe/Berlin
media:
  base_url: "https://raw.githubusercontent.com/{repo}/{sha}/{path}"
"""


def png(width: int, height: int, rgb: tuple[int, int, int] = (200, 80, 40)) -> bytes:
    """A valid, solid-colour PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, body in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")


def parse(module: ModuleType, *argv: str) -> argparse.Namespace:
    """Parse ``argv`` with the parser the command's ``add_parser`` registers."""
    parser = argparse.ArgumentParser(prog="threadsync")
    sub = parser.add_subparsers(dest="command")
    module.add_parser(sub)
    return parser.parse_args(list(argv))


def hashes(root: Path) -> dict[str, str]:
    project = load_project(root, load_config(None, root))
    return {p.id: p.content_hash for p in project.posts}


def write_state(root: Path, entries: dict[str, PostState], user_id: str | None = None) -> None:
    state = State(user_id=user_id, posts=entries)
    atomic_write(root / ".threadsync/state.json", dump_state(state))


def published_entry(
    content_hash: str, media_id: str, permalink: str | None = None, **more: object
) -> PostState:
    return PostState(
        status="published",
        content_hash=content_hash,
        parts=[PartState(media_id=media_id, permalink=permalink, **more)],
    )


_CARD = re.compile(r'<article class="card status-(?P<kind>[a-z]+)" id="(?P<anchor>[^"]+)"')


def cards(html: str) -> dict[str, str]:
    """anchor (``post-ID`` or ``file-PATH``) -> the HTML of its card, ``<article`` to its end."""
    out = {}
    for m in _CARD.finditer(html):
        end = html.index("</article>", m.start())
        out[m.group("anchor")] = html[m.start() : end]
    return out


def status_of(card: str) -> str:
    m = _CARD.search(card)
    assert m is not None
    return m.group("kind")


Fetch = Callable[[str], str]
