from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from threadsync.lock import Holder, LockError, force_unlock, lock_path_for, state_lock


def test_lock_records_holder_and_is_released(tmp_path: Path) -> None:
    state = tmp_path / ".threadsync" / "state.json"
    with state_lock(state, "apply") as me:
        record = json.loads(lock_path_for(state).read_text())
        assert record["pid"] == os.getpid() == me.pid
        assert record["command"] == "apply"
        assert record["host"] == socket.gethostname()
    assert lock_path_for(state).read_text() == ""
    with state_lock(state, "apply"):
        pass


def _hold_in_child(state: Path) -> subprocess.Popen[str]:
    code = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from threadsync.lock import state_lock
        with state_lock(Path({str(state)!r}), "apply"):
            print("held", flush=True)
            time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "held"
    return proc


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.kill()
    proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


def test_second_run_is_refused_with_the_holder_named(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    proc = _hold_in_child(state)
    try:
        with (
            pytest.raises(LockError, match=rf"pid {proc.pid} on .*\(apply, since"),
            state_lock(state, "plan"),
        ):
            pass
        with pytest.raises(LockError, match="alive; not breaking it"):
            force_unlock(state)
    finally:
        _stop(proc)


def test_a_killed_holder_never_needs_force_unlock(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    proc = _hold_in_child(state)
    os.kill(proc.pid, signal.SIGKILL)
    _stop(proc)
    assert json.loads(lock_path_for(state).read_text())["pid"] == proc.pid  # record left behind
    with state_lock(state, "apply") as me:
        assert me.pid == os.getpid()


def test_other_host_lock_is_honoured_until_old_then_force_unlocked(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    started = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    foreign = Holder(pid=1234, host="runner-elsewhere", command="apply", started=started)
    lock_path_for(state).write_text(foreign.to_json())
    with (
        pytest.raises(LockError, match=r"runner-elsewhere.*force-unlock"),
        state_lock(state, "apply"),
    ):
        pass
    with pytest.raises(LockError, match="only 5 min old"):
        force_unlock(state, max_age=dt.timedelta(hours=1))
    removed = force_unlock(state, max_age=dt.timedelta(minutes=1))
    assert removed == foreign
    with state_lock(state, "apply"):
        pass
