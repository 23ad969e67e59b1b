"""Ctrl-C (a real SIGINT) during apply: it says what went out, exits 130, and the next apply
publishes the rest exactly once, even the post whose publish was in flight."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from threadsync.emulator import Emulator

from .support import (
    apply,
    check_exactly_once,
    live_posts,
    load_state,
    make_project,
    mixed_spec,
    start_cli,
)

# The second publish (the image post) hangs on the server until released.
SECOND_PUBLISH = {
    "action": "stall_before",
    "method": "POST",
    "path": r"/threads_publish$",
    "nth": 2,
    "timeout": 60,
}


def test_sigint_during_a_publish_reports_and_the_next_apply_finishes_once(
    emu: Emulator, tmp_path: Path
) -> None:
    spec = mixed_spec()
    root = make_project(tmp_path / "p", spec.files)
    emu.add_fault(**SECOND_PUBLISH)
    proc = start_cli(root, emu, "apply", "--yes")
    try:
        assert emu.wait_for_stall(30) is not None, "apply never reached the second publish"
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        emu.release_stalls()  # the stalled publish then happens: its answer is lost
        emu.clear_faults()
    assert proc.returncode == 130, stderr
    assert "✓ p01-text: published" in stdout
    assert "✗ p02-image: interrupted  (stopped by Ctrl-C; the next apply resumes it)" in stdout
    assert "Apply: 1 published, 1 interrupted." in stdout
    assert stderr.splitlines()[-1] == "Interrupted: run apply again to resume"
    assert "Traceback" not in stderr and "error:" not in stderr
    state = load_state(root)
    assert state["posts"]["p01-text"]["status"] == "published"
    assert state["posts"]["p02-image"]["parts"][0]["attempts"]  # its container is journalled

    deadline = time.monotonic() + 10
    while len(live_posts(emu)) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)  # the released publish finishes on the server
    second = apply(root, emu)
    assert second.returncode == 0, second
    assert "p01-text: published" not in second.stdout
    assert check_exactly_once(emu, root, spec.expected) == []
