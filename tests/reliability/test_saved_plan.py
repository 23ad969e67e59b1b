"""``plan --out FILE`` then ``apply FILE``: exactly what was reviewed, or nothing."""

from __future__ import annotations

import json
from pathlib import Path

from threadsync.emulator import Emulator

from .support import (
    apply,
    check_exactly_once,
    commit,
    create_requests,
    live_posts,
    make_project,
    run_cli,
    text_spec,
    write_post,
)


def _save_plan(root: Path, emu: Emulator, path: Path) -> list[str]:
    run = run_cli(root, emu, "plan", "--out", str(path))
    assert run.returncode == 0, run
    return [c["id"] for c in json.loads(path.read_text("utf-8"))["changes"]]


def test_saved_plan_applies(emu: Emulator, tmp_path: Path) -> None:
    spec = text_spec("a", "b")
    spec.add("c", {"text": "A thread.", "thread": [{"text": "Its reply."}]})
    root = make_project(tmp_path / "p", {"a": spec.files["a"]})
    assert apply(root, emu).returncode == 0  # the state file exists from here on
    for post_id in ("b", "c"):
        write_post(root, post_id, spec.files[post_id])
    commit(root, "more posts")
    plan = tmp_path / "p.json"
    assert _save_plan(root, emu, plan) == ["b", "c"]
    run = run_cli(root, emu, "apply", str(plan))  # a saved plan needs no --yes
    assert run.returncode == 0, run
    assert check_exactly_once(emu, root, spec.expected) == []


def test_saved_plan_applies_before_the_first_apply(emu: Emulator, tmp_path: Path) -> None:
    """Regression: a new State() had a random lineage each load (fixed in 88860a3)."""
    spec = text_spec("a", "b")
    root = make_project(tmp_path / "p", spec.files)
    plan = tmp_path / "p.json"
    assert _save_plan(root, emu, plan) == ["a", "b"]
    run = run_cli(root, emu, "apply", str(plan))
    assert run.returncode == 0, run
    assert check_exactly_once(emu, root, spec.expected) == []


def test_saved_plan_is_stale_after_the_content_changes(emu: Emulator, tmp_path: Path) -> None:
    spec = text_spec("a", "b")
    root = make_project(tmp_path / "p", spec.files)
    plan = tmp_path / "p.json"
    _save_plan(root, emu, plan)
    write_post(root, "b", {"text": "The post b, edited after the review."})
    commit(root, "edit")
    run = run_cli(root, emu, "apply", str(plan))
    assert run.returncode == 1, run
    assert "error: the saved plan is stale" in run.stderr
    assert live_posts(emu) == [] and create_requests(emu) == []


def test_saved_plan_is_stale_after_the_state_changes(emu: Emulator, tmp_path: Path) -> None:
    spec = text_spec("a", "b")
    root = make_project(tmp_path / "p", spec.files)
    plan = tmp_path / "p.json"
    _save_plan(root, emu, plan)
    first = apply(root, emu, "--target", "a")
    assert first.returncode == 0, first
    run = run_cli(root, emu, "apply", str(plan))
    assert run.returncode == 1, run
    assert "error: the saved plan is stale" in run.stderr and "serial" in run.stderr
    assert [p["params"]["text"] for p in live_posts(emu)] == ["The post a."]
