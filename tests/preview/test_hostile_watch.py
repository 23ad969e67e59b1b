"""``watch`` with hostile content: it renders on its own thread, and still stays in bounds.

No signal reaches a thread other than the main one, so the template budget
must stop an endless template by its own checks; and a symlinked partial is
refused on the served page as everywhere else.
"""

from __future__ import annotations

import os
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from threadsync.commands import watch_cmd as watch
from threadsync.content import budget

from .support import parse

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, no proxy
CANARY = "canary-token-9d41a7"


def _get(url: str) -> str:
    with _OPENER.open(url, timeout=5) as response:
        return str(response.read().decode("utf-8"))


def test_watch_stops_an_endless_template_and_refuses_a_symlinked_partial(
    project: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THREADS_ACCESS_TOKEN", CANARY)
    (tmp_path / "secret.txt").write_text(f"token={CANARY}\n")
    root = project(
        {
            "content/leak.yaml": "text: 'x {% include \"footer.txt\" %}'\n",
            "content/fine.yaml": "text: fine\n",
        }
    )
    (root / "content/_partials").mkdir()
    os.symlink(tmp_path / "secret.txt", root / "content/_partials/footer.txt")
    args = parse(watch, "watch", "--port", "0", "--name", "acme")
    watcher = watch.make_watcher(watch.request_from(args), tmp_path / "site").start()
    try:
        # The first build ran on this thread; a save is rebuilt on the watcher's own.
        (root / "content/slow.yaml").write_text(
            "text: '{% for a in range(100000) %}{% for b in range(100000) %}"
            "{% endfor %}{% endfor %}'\n"
        )
        saved = time.monotonic()
        index = ""
        while time.monotonic() - saved < budget.MAX_RENDER_SECONDS + 10:
            index = _get(watcher.url)
            if "slow.yaml" in index:
                break
            time.sleep(0.05)
        took = time.monotonic() - saved
    finally:
        watcher.stop()
    assert "template too large/slow: text: rendering took over 1 s" in index
    assert took < budget.MAX_RENDER_SECONDS + 5
    assert "content/_partials/footer.txt: a symlink to a file outside the repository" in index
    assert CANARY not in index
    assert CANARY not in "".join(p.read_text() for p in (tmp_path / "site").rglob("*.html"))
