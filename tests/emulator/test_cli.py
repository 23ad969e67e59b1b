"""``threadsync emulator`` as a real process, and ``--data`` persistence."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from threadsync.emulator import Emulator

FIRST_LINE = "Threads emulator listening on http://"


def start(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREADS_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "threadsync", "emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    stdout = proc.stdout
    assert stdout is not None
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    banner: list[str] = []
    try:
        while len(banner) < 6:
            banner.append(lines.get(timeout=10).rstrip("\n"))
    except queue.Empty:
        proc.kill()
        _, err = proc.communicate(timeout=5)
        pytest.fail(f"the emulator printed only {banner}; stderr: {err}")
    assert banner[0].startswith(FIRST_LINE)
    values = dict(line.removeprefix("export ").split("=", 1) for line in banner[1:6])
    values["url"] = banner[0].removeprefix("Threads emulator listening on ")
    return proc, values


def stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
        raise
    err = proc.stderr.read() if proc.stderr else ""
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
    return proc.returncode, err


def test_runs_prints_and_stops_cleanly_on_ctrl_c() -> None:
    proc, env = start()
    try:
        url = env["url"]
        host, port = url.removeprefix("http://").rsplit(":", 1)
        assert host == "127.0.0.1" and int(port) > 0  # the real port, not 0
        assert env["THREADS_API_URL"] == url
        r = requests.get(
            f"{url}/v1.0/me",
            headers={"Authorization": f"Bearer {env['THREADS_ACCESS_TOKEN']}"},
            timeout=5,
        )
        assert r.json() == {"id": env["THREADS_USER_ID"]}
        assert env["THREADS_APP_ID"] and env["THREADS_APP_SECRET"]
    finally:
        code, err = stop(proc)
    assert code == 0
    assert "Traceback" not in err


def test_sigterm_also_stops_cleanly() -> None:
    proc, _ = start("--token", "THmy-own-token-123")
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)
    code, err = stop(proc)
    assert code == 0 and "Traceback" not in err


def test_token_option(tmp_path: Path) -> None:
    proc, env = start("--token", "THfixed-token-for-tests")
    try:
        assert env["THREADS_ACCESS_TOKEN"] == "THfixed-token-for-tests"
        r = requests.get(
            f"{env['url']}/v1.0/me", params={"access_token": "THfixed-token-for-tests"}, timeout=5
        )
        assert r.status_code == 200
    finally:
        assert stop(proc)[0] == 0


def test_data_survives_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "emu" / "state.json"
    proc, env = start("--data", str(data), "--processing", "image=0s")
    try:
        headers = {"Authorization": f"Bearer {env['THREADS_ACCESS_TOKEN']}"}
        cid = requests.post(
            f"{env['url']}/v1.0/me/threads",
            data={"media_type": "TEXT", "text": "persist me"},
            headers=headers,
            timeout=5,
        ).json()["id"]
        mid = requests.post(
            f"{env['url']}/v1.0/me/threads_publish",
            data={"creation_id": cid},
            headers=headers,
            timeout=5,
        ).json()["id"]
    finally:
        assert stop(proc)[0] == 0
    assert json.loads(data.read_text())["posts"][0]["id"] == mid
    assert sorted(p.name for p in data.parent.iterdir()) == ["state.json"]  # no temp files left
    with Emulator(data=data) as emu:  # the restart (in-process, to keep the test fast)
        assert emu.token == env["THREADS_ACCESS_TOKEN"]  # the same token after a restart
        r = requests.get(
            f"{emu.url}/v1.0/{mid}",
            params={"fields": "text"},
            timeout=5,
            headers={"Authorization": f"Bearer {emu.token}"},
        )
        assert r.json() == {"id": mid, "text": "persist me"}


def test_processing_takes_a_text_kind() -> None:
    proc, env = start("--processing", "text=0.3s,video=4s")
    try:
        r = requests.get(f"{env['url']}/__emulator__/processing", timeout=5)
        assert r.json() == {"text": 0.3, "image": 1.0, "video": 4.0, "carousel": 1.0}
    finally:
        assert stop(proc)[0] == 0


def test_bad_processing_spec_is_one_error_line() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "threadsync", "emulator", "--port", "0", "--processing", "audio=1s"],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert r.returncode == 1
    assert r.stderr.startswith("error: ") and "Traceback" not in r.stderr


def test_port_in_use_is_one_error_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        r = subprocess.run(
            [sys.executable, "-m", "threadsync", "emulator", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=20,
        )
    assert r.returncode == 1
    assert r.stderr.startswith("error: cannot listen on") and "Traceback" not in r.stderr


def test_python_api_persistence_and_clock(tmp_path: Path) -> None:
    data = tmp_path / "state.json"
    with Emulator(data=data) as emu:
        token = emu.token
        headers = {"Authorization": f"Bearer {token}"}
        cid = requests.post(
            f"{emu.url}/v1.0/me/threads",
            headers=headers,
            timeout=5,
            data={"media_type": "IMAGE", "image_url": "https://e.com/a.jpg"},
        ).json()["id"]
        emu.advance(7200)
    with Emulator(data=data) as emu:
        assert emu.token == token
        assert emu.now() - 7200 > 0 and emu.core.clock.offset >= 7200  # the clock offset persists
        r = requests.get(f"{emu.url}/v1.0/{cid}", headers=headers, timeout=5)
        assert r.json()["status"] == "FINISHED"


def test_corrupt_data_file(tmp_path: Path) -> None:
    data = tmp_path / "state.json"
    data.write_text("{not json")
    with pytest.raises(ValueError, match="cannot read emulator data file"):
        Emulator(data=data)
    r = subprocess.run(
        [sys.executable, "-m", "threadsync", "emulator", "--port", "0", "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert r.returncode == 1 and r.stderr.startswith("error: cannot read emulator data file")


@pytest.mark.parametrize("link", ["data.json", ".threadsync/emulator"])
def test_a_linked_data_file_or_folder_is_refused_and_its_target_untouched(
    tmp_path: Path, link: str
) -> None:
    """The data file may sit in a committed .threadsync/emulator/: a link there is not followed."""
    victim = tmp_path / "elsewhere" / "data.json"
    victim.parent.mkdir()
    victim.write_text("precious")
    project = tmp_path / "repo"
    (project / ".threadsync/emulator").mkdir(parents=True)
    data = project / ".threadsync/emulator/data.json"
    if link == "data.json":
        data.symlink_to(victim)
    else:
        (project / ".threadsync/emulator").rmdir()
        (project / ".threadsync/emulator").symlink_to(victim.parent)
    with pytest.raises(ValueError, match="is a symlink; the emulator never reads or writes"):
        Emulator(data=data)
    r = subprocess.run(
        [sys.executable, "-m", "threadsync", "emulator", "--port", "0", "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert r.returncode == 1
    assert r.stderr.startswith("error: ") and "is a symlink" in r.stderr
    assert r.stderr.count("\n") == 1
    assert victim.read_text() == "precious"
    assert [p.name for p in victim.parent.iterdir()] == ["data.json"]
