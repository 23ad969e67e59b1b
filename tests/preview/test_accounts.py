"""Several accounts in threadsync.yaml: a site per account, one account watched, stats each."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from threadsync.commands import preview_cmd as preview
from threadsync.commands import stats_cmd as stats
from threadsync.commands import watch_cmd as watch
from threadsync.emulator import Emulator
from threadsync.errors import ThreadsyncError
from threadsync.state import PostState, State, atomic_write, dump_state

from .support import parse

Project = Callable[..., Path]
TWO = {
    "threadsync.yaml": "accounts:\n  brand: {}\n  team: {}\n",
    "content/brand/a.yaml": "text: from the brand\n",
    "content/team/b.yaml": "text: from the team\n",
}


def test_preview_writes_a_site_per_account(project: Project) -> None:
    root = project(TWO)
    assert preview.run(parse(preview, "preview", "--out", "site")) == 0
    brand = (root / "site/brand/index.html").read_text(encoding="utf-8")
    team = (root / "site/team/index.html").read_text(encoding="utf-8")
    assert "from the brand" in brand and "from the team" not in brand
    assert "from the team" in team
    assert '<span class="account">brand</span>' in brand  # the account's name on its cards
    assert preview.run(parse(preview, "preview", "--out", "one", "--account", "team")) == 0
    assert (root / "one/index.html").is_file() and not (root / "one/team").exists()


def test_watch_wants_one_account(project: Project) -> None:
    root = project(TWO)
    with pytest.raises(ThreadsyncError, match=r"watch one account at a time: add --account NAME"):
        watch.make_watcher(watch.request_from(parse(watch, "watch", "--port", "0")), root / "site")
    w = watch.make_watcher(
        watch.request_from(parse(watch, "watch", "--port", "0", "--account", "team")), root / "s"
    )
    try:
        w.start()
        assert "from the team" in (root / "s/index.html").read_text(encoding="utf-8")
    finally:
        w.stop()


def test_stats_reports_each_account(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(TWO)
    with Emulator() as emu:
        for name in ("BRAND", "TEAM"):
            monkeypatch.setenv(f"THREADS_ACCESS_TOKEN_{name}", emu.token)
        monkeypatch.setenv("THREADS_API_URL", emu.url)
        state = State(
            user_id=emu.user_id, posts={"a": PostState(status="failed", content_hash="h")}
        )
        atomic_write(root / ".threadsync/brand/state.json", dump_state(state))
        assert stats.run(parse(stats, "stats", "--format", "json", "--out", "r.json")) == 0
    assert "== account brand" in capsys.readouterr().out
    for name in ("brand", "team"):
        assert json.loads((root / f"r-{name}.json").read_text())["posts"] == []
        assert (root / f".threadsync/{name}/insights.json").is_file()
