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


def _record(state: Path, **fields: object) -> None:
    record = {"pid": 1234, "host": "runner-elsewhere", "command": "apply"}
    record.update(fields)
    lock_path_for(state).write_text(json.dumps(record))


def test_a_future_record_of_another_host_is_refused_then_breakable(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    future = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30)
    _record(state, started=future.isoformat())
    with (
        pytest.raises(LockError) as info,
        state_lock(state, "apply", max_age=dt.timedelta(minutes=1)),
    ):
        pass
    message = str(info.value)
    assert "runner-elsewhere" in message
    assert "start time is in the future" in message
    assert message.endswith("run 'threadsync force-unlock'")
    # No age to wait for: the default max age does not protect it.
    removed = force_unlock(state)
    assert removed is not None and removed.started == future
    assert lock_path_for(state).read_text() == ""
    with state_lock(state, "apply"):
        pass


def test_a_future_record_of_this_host_is_breakable_though_its_pid_lives(tmp_path: Path) -> None:
    """The flock is free, so whoever wrote it is gone; a live pid is another process."""
    state = tmp_path / "state.json"
    future = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2)
    _record(state, pid=os.getpid(), host=socket.gethostname(), started=future.isoformat())
    assert force_unlock(state) is not None


def test_a_young_record_of_another_host_still_needs_a_smaller_max_age(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    started = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    _record(state, started=started.isoformat())
    with pytest.raises(LockError, match="only 5 min old"):
        force_unlock(state)
    assert force_unlock(state, max_age=dt.timedelta(0)) is not None


def test_a_record_without_a_timezone_is_read_as_utc(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    naive = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)).replace(tzinfo=None)
    _record(state, started=naive.isoformat())
    with pytest.raises(LockError, match="runner-elsewhere"), state_lock(state, "apply"):
        pass
    with pytest.raises(LockError, match="only 5 min old"):
        force_unlock(state)


@pytest.mark.parametrize("pid", [0, -1, 2**40, "x"])
def test_a_record_with_an_impossible_pid_is_not_a_holder(pid: object) -> None:
    text = json.dumps({"pid": pid, "host": "h", "command": "apply", "started": "2026-01-01"})
    assert Holder.parse(text) is None


def test_a_records_host_and_command_are_printable_and_short() -> None:
    text = json.dumps(
        {
            "pid": 7,
            "host": "evil\x1b[2J\nhost",
            "command": "apply" + "x" * 500,
            "started": "2026-01-01T00:00:00+00:00",
        }
    )
    holder = Holder.parse(text)
    assert holder is not None
    assert holder.host == "evil?[2J?host"
    assert len(holder.command) == 80 and holder.command.endswith("...")
    assert holder.describe().isprintable()
