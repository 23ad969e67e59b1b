"""Errors a person can act on: an unreachable API is one line, and retries show as they happen."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable

import pytest

from threadsync.emulator import Emulator

from .support import Project, Run

RETRY = re.compile(r"^GET /v1\.0/me: (.+); retrying in ([0-9.]+) s \((\d)/3\)$")


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The client's waits, recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)
    return waits


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_closed_port_is_one_line_naming_the_host_the_cause_and_the_fix(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    slept: list[float],
) -> None:
    make_project({"content/a.yaml": "text: Hello\n"})
    port = closed_port()
    monkeypatch.setenv("THREADS_API_URL", f"http://127.0.0.1:{port}")
    result = cli("plan")
    assert result.rc == 1
    lines = result.err.splitlines()
    assert lines[-1] == (
        f"error: can't reach http://127.0.0.1:{port} (connection refused): "
        "is the emulator running? (THREADS_API_URL)"
    )
    retries = [RETRY.match(line) for line in lines[:-1]]
    assert all(retries), lines
    assert [(m.group(1), m.group(3)) for m in retries if m] == [
        ("connection refused", "1"),
        ("connection refused", "2"),
        ("connection refused", "3"),
    ]
    assert len(slept) == 3
    assert result.out == "" and "Traceback" not in result.err and "urllib3" not in result.err
    assert emu.token not in result.err


def test_retries_show_on_stderr_as_they_happen(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, slept: list[float]
) -> None:
    make_project({"content/a.yaml": "text: Hello\n"})
    emu.add_fault(action="http_error", method="GET", path=r"/me$", status=503, every=True, times=2)
    result = cli("plan")
    assert result.rc == 0, result.err
    shown = [RETRY.match(line) for line in result.err.splitlines()]
    assert [(m.group(1), m.group(3)) for m in shown if m] == [("HTTP 503", "1"), ("HTTP 503", "2")]
    # Each line says the wait that follows it, and the wait was the injected one.
    assert [float(m.group(2)) for m in shown if m] == [round(s, 1) for s in slept]
    assert 0.3 <= slept[0] <= 0.5 and 0.7 <= slept[1] <= 1.0  # 0.5 s, then 1 s, less jitter
    assert "+ a" in result.out and "retrying" not in result.out
