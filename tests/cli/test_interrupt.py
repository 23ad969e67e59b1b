"""Ctrl-C during apply: what was published, how to go on, exit 130; the next apply resumes.

Ctrl-C is a KeyboardInterrupt raised where the main thread is.  Here it is
raised from apply's progress output at a chosen step (in-process, so the test
can look at the lock and the state); tests/reliability/test_interrupt.py sends
a real SIGINT to a separate process.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import pytest

from threadsync import runner
from threadsync.emulator import Emulator
from threadsync.output.progress import PlainProgress
from threadsync.project import Where
from threadsync.runner import ApplyRequest, PlanRequest

from .support import Project, Run

POSTS = {"content/a.yaml": "text: First\n", "content/b.yaml": "text: Second\n"}


SHOWN = PlainProgress.__call__


def ctrl_c_at(monkeypatch: pytest.MonkeyPatch, post_id: str, step: str) -> None:
    """Press Ctrl-C when apply shows ``step`` of ``post_id`` (before it does it)."""

    def progress(self: PlainProgress, post: str, message: str) -> None:
        SHOWN(self, post, message)
        if post == post_id and message.startswith(step):
            raise KeyboardInterrupt

    monkeypatch.setattr(PlainProgress, "__call__", progress)


def texts(emu: Emulator) -> list[str]:
    return [p["params"]["text"] for p in emu.posts()]


def test_ctrl_c_reports_what_was_published_and_exits_130(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = make_project(POSTS)
    ctrl_c_at(monkeypatch, "b", "publishing")
    result = cli("apply", "--yes")
    assert result.rc == 130
    assert texts(emu) == ["First"]
    assert "  ✓ a: published  https://www.threads.net/" in result.out
    assert "  ✗ b: interrupted  (stopped by Ctrl-C; the next apply resumes it)" in result.out
    assert "Apply: 1 published, 1 interrupted." in result.out
    assert result.err.splitlines()[-1] == "Interrupted: run apply again to resume"
    assert "error:" not in result.err and "Traceback" not in result.err
    # Everything done before Ctrl-C is in the state file: b's container too.
    state = json.loads(project.state_path.read_text(encoding="utf-8"))
    assert state["posts"]["a"]["status"] == "published"
    assert state["posts"]["b"]["status"] == "pending"
    assert state["posts"]["b"]["parts"][0]["attempts"][0]["container_id"]
    assert not (project.root / ".threadsync" / "state.lock").read_text()  # the holder is gone

    monkeypatch.setattr(PlainProgress, "__call__", SHOWN)  # no more Ctrl-C
    again = cli("apply", "--yes")  # the lock was released, so this one may run
    assert again.rc == 0, again.err
    assert "  ✓ b: published" in again.out and "a:" not in again.out
    assert texts(emu) == ["First", "Second"]  # each once


def test_ctrl_c_with_json_prints_the_partial_report(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = make_project(POSTS)
    ctrl_c_at(monkeypatch, "b", "creating container")
    result = cli("apply", "--yes", "--json")
    assert result.rc == 130
    report = result.json()
    assert (report["ok"], report["interrupted"], report["aborted"]) == (False, True, None)
    assert [(p["id"], p["status"]) for p in report["posts"]] == [
        ("a", "published"),
        ("b", "interrupted"),
    ]
    assert result.err.splitlines()[-1] == "Interrupted: run apply again to resume"
    # b's entry waited for the next save (nothing depended on it yet): the way out saved it.
    state = json.loads(project.state_path.read_text(encoding="utf-8"))
    assert state["posts"]["b"]["status"] == "pending"


def test_the_runner_raises_the_partial_result_with_the_lock_released(
    make_project: Callable[..., Project], emu: Emulator
) -> None:
    """A fake sleep stands in for Ctrl-C: b's container creation gets a 503, and while
    the client waits to send it again, the user presses Ctrl-C."""
    # One worker makes the containers in plan order, so the 2nd creation is b's.
    project = make_project(POSTS, config="apply: {workers: 1}\n")
    emu.add_fault(action="http_error", method="POST", path=r"/threads$", status=503, nth=2)
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        raise KeyboardInterrupt

    request = ApplyRequest(plan=PlanRequest(where=Where()))
    caught: BaseException | None = None
    try:  # not pytest.raises: a bare KeyboardInterrupt getting out would stop the test run
        runner.apply(request, QuietUI(), sleep=sleep).only()
    except KeyboardInterrupt as exc:
        caught = exc
    assert isinstance(caught, runner.Interrupted)
    assert len(waits) == 1  # the client's retry waited through apply's sleep
    report = caught.result.report
    assert report is not None and report.interrupted and not report.ok
    assert [(r.id, r.status) for r in report.results] == [("a", "published"), ("b", "interrupted")]
    assert texts(emu) == ["First"]
    from threadsync.lock import state_lock

    with state_lock(project.state_path, "test"):  # free: it would raise LockError otherwise
        pass


def test_after_ctrl_c_a_waiting_worker_gives_up_at_once() -> None:
    """A worker polling a container sleeps on the stop event: setting it ends the wait."""
    from threadsync.publisher import Interrupted

    stop = threading.Event()
    pause = runner._stoppable(None, stop)
    threading.Timer(0.05, stop.set).start()
    with pytest.raises(Interrupted):
        pause(60)  # returns at once when stop is set, not after a minute
    with pytest.raises(Interrupted):
        runner._stoppable(lambda s: None, stop)(0.1)


class QuietUI:
    def show_plan(self, target: object, plan: object) -> None:
        pass

    def confirm(self, target: object, plan: object) -> bool:
        return True

    def progress(self, target: object) -> object:
        import contextlib

        return contextlib.nullcontext(lambda post_id, step: None)
