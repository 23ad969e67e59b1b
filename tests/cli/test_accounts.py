"""Several accounts in one repository: own content (dir or glob), state and token each."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from threadsync.emulator import Emulator

from .support import Project, Run

CONFIG = """\
accounts:
  brand:
    content: "content/brand/*.yaml"
    token_env: BRAND_TOKEN
  blog: {}
"""

FILES = {
    "content/brand/launch.yaml": "text: Brand launch\n",
    "content/brand/notes.md": "Not matched by the brand glob\n",
    "content/blog/hello.md": "Blog hello\n",
}


def test_plan_runs_over_every_account_with_its_own_content(
    make_project: Callable[..., Project], cli: Run
) -> None:
    make_project(FILES, config=CONFIG)
    text = cli("plan")
    assert text.rc == 0, text.err
    blocks = text.out.split("== account ")[1:]
    assert [b.splitlines()[0] for b in blocks] == ["blog", "brand"]
    assert "+ hello" in blocks[0] and "+ launch" in blocks[1]

    # JSON is one document a program can read, keyed by account.
    result = cli("plan", "--json")
    assert result.rc == 0, result.err
    plans = json.loads(result.out)["accounts"]
    assert list(plans) == ["blog", "brand"]
    assert [c["id"] for c in plans["blog"]["changes"]] == ["hello"]
    assert [c["id"] for c in plans["brand"]["changes"]] == ["launch"]  # notes.md: not *.yaml
    assert json.loads(cli("plan", "--format", "json").out)["accounts"] == plans


def test_json_of_several_accounts_holds_each_accounts_error(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_project(FILES, config=CONFIG)
    brand = emu.mint_token(username="brand_account")
    monkeypatch.setenv("BRAND_TOKEN", brand["access_token"])
    monkeypatch.delenv("THREADS_ACCESS_TOKEN_BLOG", raising=False)
    result = cli("apply", "--yes", "--json")
    assert result.rc == 1
    reports = json.loads(result.out)["accounts"]
    assert "set THREADS_ACCESS_TOKEN_BLOG" in reports["blog"]["error"]
    assert [(p["id"], p["status"]) for p in reports["brand"]["posts"]] == [("launch", "published")]
    assert "error: account blog: " in result.err
    assert brand["access_token"] not in result.out + result.err

    status = json.loads(cli("status", "--json").out)["accounts"]
    assert status["brand"]["summary"]["published"] == 1
    assert status["blog"]["summary"]["due"] == 1


def test_account_option_picks_one_and_rejects_unknown_names(
    make_project: Callable[..., Project], cli: Run
) -> None:
    make_project(FILES, config=CONFIG)
    one = cli("plan", "--account", "brand", "--format", "json")
    assert one.rc == 0 and "== account" not in one.out
    assert [c["id"] for c in json.loads(one.out)["changes"]] == ["launch"]
    bad = cli("plan", "--account", "nope")
    assert bad.rc == 1 and "'nope' is not in threadsync.yaml (known: blog, brand)" in bad.err


def test_each_account_applies_with_its_own_token_and_state(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = make_project(FILES, config=CONFIG)
    brand = emu.mint_token(username="brand_account")
    monkeypatch.setenv("BRAND_TOKEN", brand["access_token"])
    monkeypatch.delenv("THREADS_ACCESS_TOKEN_BLOG", raising=False)

    result = cli("apply", "--yes", "--account", "brand")
    assert result.rc == 0, result.err
    state = json.loads((project.root / ".threadsync/brand/state.json").read_text())
    assert state["user_id"] == brand["user_id"] != emu.user_id
    assert list(state["posts"]) == ["launch"]

    missing = cli("apply", "--yes", "--account", "blog")
    assert missing.rc == 1 and "set THREADS_ACCESS_TOKEN_BLOG" in missing.err
    assert not (project.root / ".threadsync/blog/state.json").exists()


def test_one_accounts_api_error_does_not_stop_the_others(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_project(FILES, config=CONFIG)
    # blog runs first (accounts go in name order), with a token Threads refuses.
    monkeypatch.setenv("THREADS_ACCESS_TOKEN_BLOG", "not-a-token-the-emulator-knows")
    monkeypatch.setenv("BRAND_TOKEN", emu.token)

    text = cli("apply", "--yes")
    assert text.rc == 1
    assert "error: account blog: " in text.err
    assert "launch: published" in text.err  # brand went on after blog's error
    assert "not-a-token-the-emulator-knows" not in text.out + text.err

    result = cli("apply", "--yes", "--json")
    assert result.rc == 1
    reports = json.loads(result.out)["accounts"]
    assert reports["brand"]["posts"] == []  # published by the first run: nothing left to do
    assert "error: account blog: " in result.err
    assert reports["blog"]["output"] is None  # it failed before printing anything


def test_json_keeps_the_report_of_an_apply_that_stopped(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_project(FILES, config=CONFIG)
    monkeypatch.setenv("THREADS_ACCESS_TOKEN_BLOG", emu.token)
    monkeypatch.setenv("BRAND_TOKEN", emu.token)
    # blog's publish (the first) fails with a transient error: its apply stops.
    emu.add_fault(action="graph_error", method="POST", path=r"/threads_publish$", nth=1, code=2)
    result = cli("apply", "--yes", "--json")
    assert result.rc == 1
    reports = json.loads(result.out)["accounts"]
    assert reports["blog"]["error"].startswith("stopped at hello")
    assert reports["blog"]["output"]["aborted"]  # the report it printed is kept
    assert [p["status"] for p in reports["blog"]["output"]["posts"]] == ["interrupted"]
    assert [p["id"] for p in reports["brand"]["posts"]] == ["launch"]


def test_import_runs_against_the_emulator(make_project: Callable[..., Project], cli: Run) -> None:
    make_project({"content/a.yaml": "text: Hello\n"})
    result = cli("import", "--emulator", "--dry-run")
    assert result.rc == 0, result.err
    assert "Using a local Threads emulator" in result.err
