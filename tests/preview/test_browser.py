"""The preview in a real browser: headless Chromium loads it from 127.0.0.1 and screenshots it.

Skipped only when no Chromium binary is installed (CI installs Debian's ``chromium``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from threadsync.commands import preview_cmd as preview
from threadsync.preview.server import PreviewServer

from .conftest import EVERY_KIND
from .pngdecode import decode, luminance_stats
from .support import parse

CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium binary found (apt-get install chromium)"
)
# Local media only: the browser must not reach beyond 127.0.0.1.
LOCAL_ONLY = {k: v for k, v in EVERY_KIND.items() if k != "content/video.yaml"}


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-proxy-server",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)


@pytest.fixture
def served(project: Callable[..., Path], tmp_path: Path) -> Iterator[str]:
    root = project(LOCAL_ONLY)
    out = root / "site"
    preview.run(parse(preview, "preview", "--out", str(out), "--name", "acme"))
    server = PreviewServer(out, 0, dict, lambda: 0)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def test_cards_carousel_and_poll_are_in_the_dom_and_the_page_is_not_blank(
    served: str, tmp_path: Path
) -> None:
    dom = chromium(tmp_path, "--dump-dom", served + "index.html")
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert len(re.findall(r'<article class="card status-', html)) == len(LOCAL_ONLY) - 3
    assert '<div class="carousel" role="region" tabindex="0"' in html
    assert len(re.findall(r'<li class="poll-option">', html)) == 3
    assert '<a class="skip-link" href="#main">' in html

    shot = tmp_path / "shot.png"
    run = chromium(
        tmp_path, "--hide-scrollbars", f"--screenshot={shot}", "--window-size=800,900", served
    )
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    image = decode(shot.read_bytes())
    assert (image.width, image.height) == (800, 900)
    variance, colours = luminance_stats(image)
    assert variance > 200, f"the screenshot looks blank (variance {variance:.1f})"
    assert colours > 50, f"the screenshot has only {colours} colours"
