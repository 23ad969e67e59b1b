"""How apply meets the publish step's failures: not ready, rate limits, lost answers."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import threadsync.runner as runner
from threadsync.emulator import Emulator

from .support import (
    apply,
    check_exactly_once,
    create_requests,
    live_posts,
    load_state,
    make_project,
    publish_requests,
    start_cli,
    text_spec,
    write_config,
)

PUBLISH = r"/threads_publish$"


def _creation_ids(emu: Emulator) -> list[str]:
    return [r["params"]["creation_id"] for r in publish_requests(emu)]


def test_media_not_ready_is_retried_on_the_same_container(emu: Emulator, tmp_path: Path) -> None:
    spec = text_spec("a")
    spec.add(
        "b",
        {"text": "An image.", "media": [{"image": "https://example.test/b.png"}]},
        kind="IMAGE",
    )
    root = make_project(tmp_path / "p", spec.files)
    # The image's publish (the 2nd) is refused once with Meta's early-publish race answer.
    emu.add_fault(action="graph_error", method="POST", path=PUBLISH, nth=2, code=24,
                  subcode=4279009, message="The requested resource does not exist")  # fmt: skip
    run = apply(root, emu)
    assert run.returncode == 0, run
    assert check_exactly_once(emu, root, spec.expected) == []
    ids = _creation_ids(emu)
    assert len(ids) == 3 and ids[1] == ids[2], ids  # the same container, published again
    image_creates = [r for r in create_requests(emu) if r["params"].get("media_type") == "IMAGE"]
    assert len(image_creates) == 1
    attempts = load_state(root)["posts"]["b"]["parts"][0]["attempts"]
    assert [a["container_id"] for a in attempts] == [ids[1]]


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(
            {"action": "graph_error", "code": 4, "retry_after": 1}, id="code-4-retry-after-1"
        ),
        pytest.param(
            {"action": "http_error", "status": 429, "retry_after": 1, "body": "slow down"},
            id="http-429-retry-after-1",
        ),
    ],
)
def test_rate_limit_on_publish_backs_off_and_succeeds(
    emu: Emulator, tmp_path: Path, fault: dict[str, object]
) -> None:
    spec = text_spec("a", "b")
    root = make_project(tmp_path / "p", spec.files)
    emu.add_fault(method="POST", path=PUBLISH, nth=1, **fault)
    run = apply(root, emu)
    assert run.returncode == 0, run
    assert check_exactly_once(emu, root, spec.expected) == []
    publishes = publish_requests(emu)
    assert len(publishes) == 3
    first, again = publishes[0], publishes[1]
    assert first["params"]["creation_id"] == again["params"]["creation_id"]
    assert first["status"] == (429 if fault["action"] == "http_error" else 400)
    waited = again["time"] - first["time"]
    assert 0.9 <= waited < 10, f"waited {waited:.2f} s before publishing again"


def test_rate_limit_retry_after_zero_does_not_wait_the_default_delay(
    emu: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In-process, with apply's sleeps recorded: Retry-After 0 must not cost 30 s.

    Regression: ``retry_after or rate_limit_delay`` made 0 wait 30 s (fixed in 88860a3).
    """
    root = make_project(tmp_path / "p", text_spec("a").files)
    emu.add_fault(action="graph_error", method="POST", path=PUBLISH, nth=1, code=4, retry_after=0)
    slept: list[float] = []
    monkeypatch.chdir(root)
    monkeypatch.setenv("THREADS_ACCESS_TOKEN", emu.token)
    monkeypatch.setenv("THREADS_API_URL", emu.url)
    result = runner.apply(runner.ApplyRequest(), QuietUI(), sleep=slept.append).only()
    assert result.report is not None and result.report.ok
    assert len(live_posts(emu)) == 1
    assert len(publish_requests(emu)) == 2  # the fault fired: refused once, then published
    assert slept == [0.0], f"apply slept {slept}"


class QuietUI:
    """Apply's UI for an in-process run: shows nothing, asks nothing."""

    def show_plan(self, target: object, plan: object) -> None:
        pass

    def confirm(self, target: object, plan: object) -> bool:
        return True

    @contextlib.contextmanager
    def progress(self, target: object) -> Iterator[Callable[[str, str], None]]:
        yield lambda post_id, step: None


@pytest.mark.parametrize(
    ("nth", "fault"),
    [
        pytest.param(1, {"action": "drop_after"}, id="root-dropped-after-work"),
        pytest.param(
            1, {"action": "http_error", "status": 502, "phase": "after"}, id="root-502-after-work"
        ),
        pytest.param(3, {"action": "drop_after"}, id="thread-reply-dropped-after-work"),
    ],
)
def test_ambiguous_publish_is_reconciled_without_publishing_again(
    emu: Emulator, tmp_path: Path, nth: int, fault: dict[str, object]
) -> None:
    spec = text_spec("a")
    spec.add("b", {"text": "Thread root.", "thread": [{"text": "Reply one."}, {"text": "Two."}]})
    root = make_project(tmp_path / "p", spec.files)
    emu.add_fault(method="POST", path=PUBLISH, nth=nth, **fault)
    run = apply(root, emu)
    assert run.returncode == 0, run
    assert check_exactly_once(emu, root, spec.expected) == []
    ids = _creation_ids(emu)
    assert len(ids) == len(set(ids)) == 4, f"a container was published twice: {ids}"
    assert len(create_requests(emu)) == 4  # and no spare container was made


def test_publishes_that_never_get_an_answer_stop_after_one_resend(
    emu: Emulator, tmp_path: Path
) -> None:
    """Dropped before the work every time: the container stays FINISHED; apply re-sends once."""
    spec = text_spec("a")
    root = make_project(tmp_path / "p", spec.files)
    emu.add_fault(action="drop_before", method="POST", path=PUBLISH, every=True)
    first = apply(root, emu)
    assert first.returncode == 1, first
    assert "Threads gave no answer to 2 publishes of container" in first.stderr
    assert len(publish_requests(emu)) == 2  # the first send and one re-send, no more
    assert live_posts(emu) == []
    emu.clear_faults()
    second = apply(root, emu)
    assert second.returncode == 0, second
    assert check_exactly_once(emu, root, spec.expected) == []
    assert len(create_requests(emu)) == 1  # the same container, published at last


def test_slow_container_interrupts_and_the_next_run_waits_for_the_same_one(
    emu: Emulator, tmp_path: Path
) -> None:
    spec = text_spec("a")
    spec.add("b", {"text": "A slow video.", "media": [{"video": "https://example.test/v.mp4"}]})
    spec.add("c", {"text": "After the video."})
    root = make_project(tmp_path / "p", spec.files)
    emu.set_processing(video=300)
    write_config(root, {"apply": {"container_timeout": 0.5}})
    first = apply(root, emu)
    assert first.returncode == 1, first
    assert "error:" in first.stderr and "run apply again" in first.stderr
    state = load_state(root)
    assert state["posts"]["a"]["status"] == "published"
    assert state["posts"]["b"]["status"] == "pending"
    assert "c" not in state["posts"] or state["posts"]["c"]["status"] != "published"
    assert [p["params"]["text"] for p in live_posts(emu)] == ["The post a."]
    emu.advance(300)  # the video is processed now (and far from expiring)
    write_config(root)  # back to the usual container timeout
    second = apply(root, emu)
    assert second.returncode == 0, second
    assert check_exactly_once(emu, root, spec.expected) == []
    videos = [r for r in create_requests(emu) if r["params"].get("media_type") == "VIDEO"]
    assert len(videos) == 1, "the second run made a new container instead of waiting"


def test_container_expired_between_runs_is_replaced(emu: Emulator, tmp_path: Path) -> None:
    spec = text_spec()
    spec.add(
        "v", {"text": "A video that expires.", "media": [{"video": "https://example.test/v.mp4"}]}
    )
    root = make_project(tmp_path / "p", spec.files)
    emu.set_processing(video=300)
    write_config(root, {"apply": {"container_timeout": 0.5}})
    first = apply(root, emu)
    assert first.returncode == 1, first
    emu.advance(dt.timedelta(hours=25).total_seconds())  # the container is EXPIRED now
    emu.set_processing(video=0.05)
    write_config(root)
    second = apply(root, emu)
    assert second.returncode == 0, second
    assert check_exactly_once(emu, root, spec.expected) == []
    attempts = load_state(root)["posts"]["v"]["parts"][0]["attempts"]
    assert [a["closed"] for a in attempts] == ["expired", "published"]


def test_permalink_is_recorded_after_a_kill_between_publish_and_link(
    emu: Emulator, tmp_path: Path
) -> None:
    spec = text_spec("a")
    root = make_project(tmp_path / "p", spec.files)
    # The first read of a media object (ids 18...) is the permalink read after the publish.
    emu.add_fault(action="stall_before", method="GET", path=r"^/v1\.0/18\d+$", timeout=60)
    proc = start_cli(root, emu, "apply", "--yes")
    try:
        assert emu.wait_for_stall(30) is not None
    finally:
        proc.kill()
        proc.communicate(timeout=30)
        emu.clear_faults()
    assert load_state(root)["posts"]["a"]["parts"][0]["media_id"]  # journalled before the kill
    run = apply(root, emu, "--json")
    assert run.returncode == 0, run
    assert check_exactly_once(emu, root, spec.expected) == []
    link = live_posts(emu)[0]["permalink"]
    assert load_state(root)["posts"]["a"]["parts"][0].get("permalink") == link
    assert json.loads(run.stdout)["posts"][0].get("permalinks") == [link]
