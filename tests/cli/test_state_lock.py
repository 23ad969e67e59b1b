"""The state lock as users meet it: a second run refused, killed runs, ``force-unlock``."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from threadsync.emulator import Emulator

from .support import Project, Run, live_texts, lock_held

HOST = socket.gethostname()


def lock_record(pid: int, host: str, age: dt.timedelta, command: str = "apply") -> str:
    started = dt.datetime.now(dt.timezone.utc) - age
    record = {"pid": pid, "host": host, "command": command, "started": started.isoformat()}
    return json.dumps(record)


def dead_pid() -> int:
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(proc.stdout)


@pytest.fixture
def stalled_apply(
    make_project: Callable[..., Project], emu: Emulator
) -> Iterator[tuple[Project, subprocess.Popen[bytes]]]:
    """``threadsync apply`` in another process, stopped in the middle of publishing."""
    project = make_project({"content/held.yaml": "text: Held up\n"})
    emu.add_fault(action="stall_before", method="POST", path="threads_publish$", timeout=20)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(THREADS_ACCESS_TOKEN=emu.token, THREADS_API_URL=emu.url)
    proc = subprocess.Popen(
        [sys.executable, "-m", "threadsync", "apply", "--yes"],
        cwd=project.root,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert emu.wait_for_stall(timeout=30) is not None, "apply never reached publishing"
        yield project, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        emu.clear_faults()
        emu.release_stalls()


def test_a_running_apply_holds_the_lock_and_names_itself(
    stalled_apply: tuple[Project, subprocess.Popen[bytes]], cli: Run
) -> None:
    project, proc = stalled_apply
    holder = json.loads(project.lock_path.read_text(encoding="utf-8"))
    assert holder["pid"] == proc.pid
    assert holder["host"] == HOST
    assert holder["command"] == "apply"
    started = dt.datetime.fromisoformat(holder["started"])
    assert abs(dt.datetime.now(dt.timezone.utc) - started) < dt.timedelta(minutes=2)

    for command in (["apply", "--yes"], ["import"]):
        result = cli(*command)
        assert result.rc == 1
        assert len(result.error_lines) == 1
        assert result.error_lines[0].startswith(
            f"error: the state is locked by pid {proc.pid} on {HOST} (apply, since "
        )
        assert result.error_lines[0].endswith(
            "wait for it to finish and run again, or run with --lock-timeout SECONDS to wait for it"
        )

    result = cli("force-unlock")
    assert result.rc == 1
    assert f"the lock is held by pid {proc.pid} on {HOST}" in result.err
    assert "which is alive; not breaking it" in result.err


def test_a_killed_run_never_needs_force_unlock(
    stalled_apply: tuple[Project, subprocess.Popen[bytes]], cli: Run, emu: Emulator
) -> None:
    project, proc = stalled_apply
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    emu.clear_faults()
    emu.release_stalls()

    result = cli("apply", "--yes")
    assert result.rc == 0, result.err
    assert live_texts(emu) == ["Held up"]  # resumed, published once
    assert project.state()["posts"]["held"]["status"] == "published"
    assert project.lock_path.read_text(encoding="utf-8") == ""  # released on exit


def test_lock_timeout_waits_for_the_other_run(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project({"content/a.yaml": "text: A\n"})
    with lock_held(project.state_path) as release_in:
        for command in ("apply", "import"):
            refused = cli(command, "--lock-timeout", "0.2")
            assert refused.rc == 1
            assert refused.error_lines[0].startswith("error: the state is still locked by pid ")
            assert refused.error_lines[0].endswith(
                "after 0.2 s; run again once it has finished, or with a longer "
                "--lock-timeout SECONDS"
            )
        release_in(0.3)
        result = cli("apply", "--yes", "--lock-timeout", "10")
        assert result.rc == 0, result.err
    assert live_texts(emu) == ["A"]


# -- force-unlock ----------------------------------------------------------------------------


def test_force_unlock_with_nothing_locked(make_project: Callable[..., Project], cli: Run) -> None:
    make_project({"content/a.yaml": "text: A\n"})
    result = cli("force-unlock")
    assert (result.rc, result.out) == (0, "The state is not locked.\n")


def test_another_hosts_lock_is_honoured_until_force_unlocked_once_old_enough(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project({"content/a.yaml": "text: A\n"})
    project.lock_path.parent.mkdir()
    project.lock_path.write_text(lock_record(4242, "build-host-7", dt.timedelta(minutes=60)))

    result = cli("apply", "--yes")
    assert result.rc == 1
    assert "locked by pid 4242 on build-host-7 (apply, since " in result.error_lines[0]
    assert result.error_lines[0].endswith("if that run is dead, run 'threadsync force-unlock'")
    assert emu.posts() == []

    result = cli("force-unlock")  # default age: 6 h
    assert result.rc == 1
    assert "is only 60 min old; it can be broken once it is older than 6 h" in result.err
    assert "build-host-7" in project.lock_path.read_text(encoding="utf-8")

    result = cli("force-unlock", "--max-age", "30")
    assert result.rc == 0, result.err
    assert result.out.startswith("Removed the lock of pid 4242 on build-host-7 (apply, since ")
    assert cli("force-unlock").out == "The state is not locked.\n"
    assert cli("apply", "--yes").rc == 0
    assert live_texts(emu) == ["A"]


def test_force_unlock_breaks_an_old_record_with_the_default_age(
    make_project: Callable[..., Project], cli: Run
) -> None:
    project = make_project({"content/a.yaml": "text: A\n"})
    project.lock_path.parent.mkdir()
    project.lock_path.write_text(lock_record(4242, "build-host-7", dt.timedelta(hours=7)))
    result = cli("force-unlock")
    assert result.rc == 0, result.err
    assert "Removed the lock of pid 4242 on build-host-7" in result.out
    assert project.lock_path.read_text(encoding="utf-8") == ""


def test_force_unlock_breaks_a_fresh_record_of_a_dead_process_on_this_host(
    make_project: Callable[..., Project], cli: Run
) -> None:
    project = make_project({"content/a.yaml": "text: A\n"})
    project.lock_path.parent.mkdir()
    pid = dead_pid()
    project.lock_path.write_text(lock_record(pid, HOST, dt.timedelta(seconds=5)))
    result = cli("force-unlock")
    assert result.rc == 0, result.err
    assert f"Removed the lock of pid {pid} on {HOST}" in result.out


def test_force_unlock_uses_the_state_option(
    make_project: Callable[..., Project], cli: Run, tmp_path: Path
) -> None:
    make_project({"content/a.yaml": "text: A\n"})
    elsewhere = tmp_path / "shared" / "state.json"
    elsewhere.parent.mkdir()
    (elsewhere.parent / "state.lock").write_text(
        lock_record(4242, "build-host-7", dt.timedelta(hours=7))
    )
    result = cli("force-unlock", "--state", str(elsewhere))
    assert result.rc == 0, result.err
    assert "Removed the lock" in result.out


def test_lock_max_age_can_be_set_in_threadsync_yaml(
    make_project: Callable[..., Project], cli: Run
) -> None:
    project = make_project({"content/a.yaml": "text: A\n"}, config="limits:\n  lock_max_age: 30\n")
    project.lock_path.parent.mkdir()
    project.lock_path.write_text(lock_record(4242, "build-host-7", dt.timedelta(minutes=60)))
    result = cli("force-unlock")
    assert result.rc == 0, result.err
    assert "Removed the lock of pid 4242" in result.out


def test_a_future_record_of_another_host_is_refused_then_force_unlocked(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project({"content/a.yaml": "text: A\n"})
    project.lock_path.parent.mkdir()
    project.lock_path.write_text(lock_record(4242, "build-host-7", -dt.timedelta(days=3)))

    result = cli("apply", "--yes")
    assert result.rc == 1
    assert len(result.error_lines) == 1
    assert "locked by pid 4242 on build-host-7 (apply, since " in result.error_lines[0]
    assert "whose start time is in the future" in result.error_lines[0]
    assert result.error_lines[0].endswith("if that run is dead, run 'threadsync force-unlock'")
    assert emu.posts() == []

    result = cli("force-unlock")  # default age: 6 h, which a future record never reaches
    assert result.rc == 0, result.err
    assert result.out.startswith("Removed the lock of pid 4242 on build-host-7 (apply, since ")
    assert "its start time was in the future" in result.out
    assert project.lock_path.read_text(encoding="utf-8") == ""
    assert cli("apply", "--yes").rc == 0
    assert live_texts(emu) == ["A"]


ACCOUNTS = "accounts:\n  brand: {}\n  blog: {}\n"


def test_force_unlock_takes_an_account(make_project: Callable[..., Project], cli: Run) -> None:
    project = make_project(
        {"content/brand/a.yaml": "text: A\n", "content/blog/b.yaml": "text: B\n"}, config=ACCOUNTS
    )
    locks = {}
    for name in ("brand", "blog"):
        locks[name] = project.root / f".threadsync/{name}/state.lock"
        locks[name].parent.mkdir(parents=True)
        locks[name].write_text(lock_record(4242, f"host-{name}", dt.timedelta(hours=7)))

    result = cli("force-unlock", "--account", "brand")
    assert result.rc == 0, result.err
    assert "Removed the lock of pid 4242 on host-brand" in result.out
    assert locks["brand"].read_text() == ""
    assert "host-blog" in locks["blog"].read_text()

    result = cli("force-unlock")  # every account
    assert result.rc == 0, result.err
    assert "== account blog\nRemoved the lock of pid 4242 on host-blog" in result.out
    assert "== account brand\nThe state is not locked." in result.out
    assert locks["blog"].read_text() == ""

    result = cli("force-unlock", "--account", "nope")
    assert result.rc == 1
    assert "--account 'nope' is not in threadsync.yaml" in result.err


def test_a_committed_lock_symlink_is_refused_and_its_target_untouched(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious\n")
    project = make_project({"content/a.yaml": "text: A\n"})
    project.lock_path.parent.mkdir()
    project.lock_path.symlink_to(victim)
    project.commit("a lock that points elsewhere")

    for command in (["apply", "--yes"], ["import"], ["force-unlock"]):
        result = cli(*command)
        assert result.rc == 1, command
        assert result.error_lines == [
            "error: .threadsync/state.lock is a symlink; threadsync never reads or writes the "
            "state lock through a link: remove it (git rm) and run again"
        ]
        assert victim.read_bytes() == b"precious\n"
    assert emu.posts() == []
    assert not (tmp_path / "logs").exists()
