"""Two applies on one project at once: one runs, the other fails fast or waits its turn."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from threadsync.emulator import Emulator

from .support import (
    Run,
    check_exactly_once,
    create_requests,
    make_project,
    mixed_spec,
    publish_requests,
    start_cli,
)

FIRST_PUBLISH = {"action": "stall_before", "method": "POST", "path": r"/threads_publish$"}


def _finish(
    proc: subprocess.Popen[str], args: tuple[str, ...], started: float, timeout: float = 60
) -> Run:
    stdout, stderr = proc.communicate(timeout=timeout)
    return Run(args, proc.returncode, stdout, stderr, time.monotonic() - started)


def _has_open(pid: int, path: Path) -> bool:
    """Whether process ``pid`` has ``path`` open (Linux /proc)."""
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        fds = list(fd_dir.iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(fd) == str(path):
                return True
        except OSError:
            continue
    return False


def test_second_apply_fails_fast_naming_the_holder(emu: Emulator, tmp_path: Path) -> None:
    spec = mixed_spec()
    root = make_project(tmp_path / "p", spec.files)
    emu.add_fault(**FIRST_PUBLISH, timeout=60)
    started = time.monotonic()
    first = start_cli(root, emu, "apply", "--yes")
    try:
        assert emu.wait_for_stall(30) is not None, "the first apply never reached a publish"
        second_started = time.monotonic()
        second = start_cli(root, emu, "apply", "--yes")
        late = _finish(second, ("apply", "--yes"), second_started)
    finally:
        emu.release_stalls()
        emu.clear_faults()
        done = _finish(first, ("apply", "--yes"), started)
    assert late.returncode == 1, late
    assert late.stderr.startswith(f"error: the state is locked by pid {first.pid} "), late.stderr
    assert "(apply, since" in late.stderr
    assert late.seconds < 10, f"the second apply took {late.seconds:.1f} s to give up"
    assert late.stdout == ""
    assert done.returncode == 0, done
    assert check_exactly_once(emu, root, spec.expected) == []


def test_second_apply_with_lock_timeout_waits_then_has_nothing_to_do(
    emu: Emulator, tmp_path: Path
) -> None:
    spec = mixed_spec()
    root = make_project(tmp_path / "p", spec.files)
    emu.add_fault(**FIRST_PUBLISH, timeout=60)
    started = time.monotonic()
    first = start_cli(root, emu, "apply", "--yes")
    try:
        assert emu.wait_for_stall(30) is not None
        second = start_cli(root, emu, "apply", "--yes", "--lock-timeout", "60")
        lock = root / ".threadsync" / "state.lock"
        deadline = time.monotonic() + 30
        while not _has_open(second.pid, lock):  # it is waiting for the lock now
            assert time.monotonic() < deadline, "the second apply never opened the lock"
            assert second.poll() is None, second.communicate()
            time.sleep(0.02)
        time.sleep(0.3)
        assert second.poll() is None, "the second apply did not wait"
        creates = len(create_requests(emu))
    finally:
        emu.release_stalls()
        emu.clear_faults()
    done = _finish(first, ("apply", "--yes"), started)
    waited = _finish(second, ("apply", "--yes", "--lock-timeout", "60"), started)
    assert done.returncode == 0, done
    assert waited.returncode == 0, waited
    assert "No changes." in waited.stdout
    assert creates > 0
    assert check_exactly_once(emu, root, spec.expected) == []
    # One create per container (a carousel is 3 items and itself) and one publish per part:
    # the waiting run made none.
    parts = sum(len(e.texts) for e in spec.expected)
    containers = parts + sum(e.children for e in spec.expected)
    assert len(publish_requests(emu)) == parts
    assert len(create_requests(emu)) == containers
