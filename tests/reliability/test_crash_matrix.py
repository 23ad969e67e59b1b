"""Crash matrix: SIGKILL apply at every request it makes, before and after the server's work.

A clean apply of a mixed plan (text, image, video, carousel of 3, thread of 3,
quote, poll) makes N requests (about 40; the number of status polls varies
with timing).  For every n in 1..N+6 and each mode:

- ``before``: the n-th request reaches the emulator and is held there (a
  ``drop_before`` rule with a delay); the client is killed, and the request is
  then dropped with no work done: the server never served it.
- ``after``: the emulator does the n-th request's work and stalls before
  answering (``stall_after``); the client is killed, and the answer is lost.

A case whose run makes fewer than n requests runs to the end by itself, and
must exit 0.  Then apply runs again until it exits 0 (at most 4 runs), and
everything must hold: each post exactly once, in plan order, threads chained,
the quote on the right media id, and the state file and the account agreeing.

The emulator's ``stall_before`` is not used for ``before``: a released stall
goes on to do the work, so it cannot stand for "the server never saw it".

Cases run in parallel, each with its own emulator and project copy; the whole
matrix always runs (nothing is sampled).  Runs are forked by a zygote (see
support.py); with THREADSYNC_TEST_SUBPROCESS=1 each is a fresh ``python``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from s3kit import Bucket

from threadsync.emulator import Emulator

from .support import (
    FAST_PROCESSING,
    Forked,
    Run,
    Spec,
    Zygote,
    apply,
    apply_until_done,
    check_exactly_once,
    cli_env,
    copy_project,
    create_requests,
    killed_apply,
    make_project,
    mixed_spec,
    run_cli,
    start_cli,
    wait_for_fired,
)

MODES = ("before", "after")
HOLD_BEFORE = 3.0  # how long a "before" request is held, unserved, while the client is killed
PARALLEL = 4
MARGIN = 6  # cases past the clean run's count: a faulted run may poll more often
MAX_RERUNS = 4

pytestmark = pytest.mark.slow


@dataclass
class Case:
    n: int
    mode: str
    reached: bool = False
    killed_code: int | None = None
    target: str = ""
    runs: list[Run] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def describe(self) -> str:
        head = f"[{self.mode} #{self.n} {self.target}]"
        body = "; ".join(self.problems)
        last = f"\n{self.runs[-1]}" if self.runs and self.runs[-1].returncode else ""
        return f"{head} {body}{last}"


def _wait_for_stall(emu: Emulator, proc: Forked | subprocess.Popen[str], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if emu.wait_for_stall(0.02) is not None:
            return True
        if proc.poll() is not None:
            return emu.wait_for_stall(0.0) is not None
    return False


def _run_case(zygote: Zygote, template: Path, workdir: Path, spec: Spec, n: int, mode: str) -> Case:
    case = Case(n, mode)
    started = time.monotonic()
    with Emulator(processing=FAST_PROCESSING) as emu:
        root = copy_project(template, workdir / f"{mode}-{n:03d}")
        if mode == "after":
            rule = emu.add_fault(action="stall_after", nth=n, timeout=60)
        else:
            rule = emu.add_fault(action="drop_before", nth=n, delay=HOLD_BEFORE)
        proc: Forked | subprocess.Popen[str]
        if zygote is not None:
            proc = zygote.spawn(root, ["apply", "--yes"], cli_env(emu))
        else:
            proc = start_cli(root, emu, "apply", "--yes")
        try:
            if mode == "after":
                case.reached = _wait_for_stall(emu, proc, 30)
            else:
                case.reached = wait_for_fired(emu, rule["id"], 30, proc)
        finally:
            proc.kill()
            proc.communicate(timeout=30)
        case.killed_code = proc.returncode
        made = len(emu.requests())
        stalls = emu.stalls()
        if stalls:
            case.target = f"{stalls[0]['method']} {stalls[0]['path']}"
        emu.clear_faults()  # releases the stalled request: its answer goes nowhere
        for _ in range(MAX_RERUNS):
            run = apply(root, emu, zygote=zygote, fresh=zygote is None)
            case.runs.append(run)
            if run.returncode == 0:
                break
        else:
            case.problems.append(f"apply still fails after {MAX_RERUNS} runs")
        if case.reached and case.killed_code != -signal.SIGKILL:
            case.problems.append(f"the killed run exited {case.killed_code}, not by SIGKILL")
        if not case.reached and (case.killed_code != 0 or made >= n):
            case.problems.append(
                f"the run neither reached request {n} nor finished by itself "
                f"(exit {case.killed_code} after {made} requests)"
            )
        case.problems += check_exactly_once(emu, root, spec.expected)
        held = [r for r in emu.requests() if r["fault"] == rule["id"]]
        if held and not case.target:
            case.target = f"{held[0]['method']} {held[0]['path'].split('?')[0]}"
    case.seconds = time.monotonic() - started
    return case


@pytest.fixture(scope="module")
def matrix_setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Spec, int]:
    """The template project, its spec, and N: the request count of a clean apply."""
    spec = mixed_spec()
    base = tmp_path_factory.mktemp("crash")
    template = make_project(base / "template", spec.files)
    with Emulator(processing=FAST_PROCESSING) as emu:
        clean = copy_project(template, base / "clean")
        plan = run_cli(clean, emu, "plan", "--json", fresh=True)
        assert plan.returncode == 0, plan
        order = [c["id"] for c in json.loads(plan.stdout)["changes"]]
        assert order == spec.ids, "the plan order is not the order the test expects"
        emu.clear_requests()
        run = apply(clean, emu, fresh=True)
        assert run.returncode == 0, run
        n = len(emu.requests())
        assert check_exactly_once(emu, clean, spec.expected) == []
    assert n > 20, f"a clean apply made only {n} requests"
    return template, spec, n


@pytest.mark.parametrize("mode", MODES)
def test_crash_at_every_request(
    mode: str, matrix_setup: tuple[Path, Spec, int], tmp_path: Path
) -> None:
    template, spec, n_requests = matrix_setup
    started = time.monotonic()
    fresh = bool(os.environ.get("THREADSYNC_TEST_SUBPROCESS"))
    zygote = None if fresh else Zygote(tmp_path / "runs")
    try:
        with ThreadPoolExecutor(PARALLEL) as pool:
            cases = list(
                pool.map(
                    lambda n: _run_case(zygote, template, tmp_path, spec, n, mode),
                    range(1, n_requests + MARGIN + 1),
                )
            )
    finally:
        if zygote is not None:
            zygote.close()
    elapsed = time.monotonic() - started
    reached = sum(c.reached for c in cases)
    reruns = sorted({len(c.runs) for c in cases})
    print(
        f"crash matrix ({mode}): clean run {n_requests} requests, {len(cases)} cases, "
        f"{reached} killed at their request "
        f"(the rest ran to the end with fewer requests), "
        f"apply runs after the kill: {reruns}, {elapsed:.1f} s"
    )
    failed = [c for c in cases if c.problems]
    # A case that did not reach its request is one whose run made fewer requests
    # than the clean one (the number of status polls varies) and ended by itself.
    assert not failed, f"{len(failed)} of {len(cases)} cases failed:\n" + "\n".join(
        c.describe() for c in failed
    )


# -- a kill between an upload to the media store and its container -----------------------------

MEDIA = {
    "a.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + b"\x00\x00\x00\x02" * 2 + b"\x08\x02a",
    "b.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + b"\x00\x00\x00\x02" * 2 + b"\x08\x02b",
    "c.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + b"\x00\x00\x00\x02" * 2 + b"\x08\x02c",
    "v.mp4": (24).to_bytes(4, "big") + b"ftypisom" + b"\x00" * 28,
}


def _media_spec() -> Spec:
    """Posts whose local files go to the bucket: one file shared by two posts."""
    spec = Spec()
    spec.add("m01-text", {"text": "Text before the pictures."})
    spec.add("m02-image", {"text": "A picture from the bucket.", "media": ["_media/a.png"]})
    spec.add(
        "m03-carousel",
        {"text": "Two pictures, one shared.", "media": ["_media/a.png", "_media/b.png"]},
    )
    spec.add("m04-video", {"text": "A video, stored.", "media": [{"video": "_media/v.mp4"}]})
    spec.add(
        "m05-thread",
        {"text": "A thread.", "thread": [{"text": "Its part two.", "media": ["_media/c.png"]}]},
    )
    return spec


@pytest.mark.parametrize(
    "point", ["before-upload:1", "after-upload:1", "after-upload:3", "after-upload:4"]
)
def test_a_kill_between_upload_and_container(point: str, bucket: Bucket, tmp_path: Path) -> None:
    """The upload is kept or redone, the container made once, and each post goes out once."""
    import hashlib

    import yaml

    spec = _media_spec()
    keys = {
        name: f"threadsync/{hashlib.sha256(data).hexdigest()}{Path(name).suffix}"
        for name, data in MEDIA.items()
    }
    with Emulator(processing=FAST_PROCESSING) as emu:
        root = make_project(tmp_path / "p", spec.files, yaml.safe_load(bucket.media_config()))
        (root / "content" / "_media").mkdir()
        for name, data in MEDIA.items():
            (root / "content" / "_media" / name).write_bytes(data)
        killed = killed_apply(root, emu, point)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        uploads = int(point.partition(":")[2])
        stored = bucket.keys()
        assert len(stored) >= (uploads if point.startswith("after") else uploads - 1)
        urls = {bucket.public_base_url + key for key in stored}
        made = {
            r["params"].get("image_url") or r["params"].get("video_url")
            for r in create_requests(emu)
        } - {None}
        assert made <= urls  # no container before its file is in the bucket

        runs = apply_until_done(root, emu, max_runs=MAX_RERUNS)
        assert runs[-1].returncode == 0
        assert check_exactly_once(emu, root, spec.expected) == []
        assert bucket.keys() == sorted(keys.values())
        for name, key in keys.items():
            assert bucket.read(key)[0] == MEDIA[name]
        sent = {
            r["params"].get("image_url") or r["params"].get("video_url")
            for r in create_requests(emu)
        } - {None}
        assert sent == {bucket.public_base_url + key for key in keys.values()}
