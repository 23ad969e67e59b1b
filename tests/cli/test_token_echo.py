"""A server that echoes the token in its errors can't get it printed or written anywhere.

Every command that talks to the API runs against the emulator while its fault
plan answers one request (the first, then the second, ... up to every request
the command makes) with an error whose every field holds the canary token and
the canary app secret.  Neither may appear on stdout, stderr, in any file the
command writes (state, journal, plan --out, stats --out, the insights cache),
the job summary, the step outputs or a crash log.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from threadsync.api import Credentials
from threadsync.cli import main
from threadsync.credentials_store import save_credentials
from threadsync.emulator import Emulator

from .support import Project

CANARY = "EAAG-canary-7d1f3e9a0b5c4d2e8f6a1b3c5d7e9f0a"
APP_CANARY = "appsecret-canary-4b8c2d6e0f1a3b5c"
CODE_CANARY = "AQ-code-canary-1c3e5a7b9d"
REDIRECT = "https://app.example/callback"
ECHO = f"{CANARY} {APP_CANARY} {CODE_CANARY} access_token={CANARY}"

GRAPH_ALL_FIELDS = {
    "error": {
        "message": ECHO,
        "type": ECHO,
        "code": 100,
        "error_subcode": 2207001,
        "error_user_title": ECHO,
        "error_user_msg": ECHO,
        "fbtrace_id": ECHO,
        "is_transient": False,
    }
}
# (status, body): the Graph envelope as a refusal, as a token error and as a 5xx;
# the OAuth endpoints' two shapes; and a body that is not JSON at all.
SHAPES: dict[str, tuple[int, Any]] = {
    "graph": (400, GRAPH_ALL_FIELDS),
    "token": (400, {"error": {**GRAPH_ALL_FIELDS["error"], "code": 190, "error_subcode": 463}}),
    "server": (503, {"error": {**GRAPH_ALL_FIELDS["error"], "code": 2, "is_transient": True}}),
    "oauth": (400, {"error_type": ECHO, "code": 100, "error_message": ECHO}),
    "rfc6749": (400, {"error": ECHO, "error_description": ECHO}),
    "text": (502, f"<html>{ECHO}</html>"),
}

COMMANDS: dict[str, tuple[str, ...]] = {
    "plan": ("plan",),
    "plan-json": ("plan", "--json"),
    "plan-markdown": ("plan", "--format", "markdown"),
    "plan-refresh": ("plan", "--refresh"),
    "plan-out": ("plan", "--out", "saved.plan"),
    "apply": ("apply", "--yes"),
    "apply-json": ("apply", "--yes", "--json"),
    "import": ("import",),
    "import-json": ("import", "--json"),
    "status": ("status",),
    "status-json": ("status", "--json"),
    "stats": ("stats", "--max-age", "0"),
    "stats-json": ("stats", "--max-age", "0", "--format", "json"),
    "stats-csv": ("stats", "--max-age", "0", "--format", "csv"),
    "stats-html": ("stats", "--max-age", "0", "--format", "html", "--out", "stats.html"),
    "auth-status-env": ("auth", "status", "--token-env", "THREADS_ACCESS_TOKEN"),
    "auth-status-json": ("auth", "status", "--json", "--token-env", "THREADS_ACCESS_TOKEN"),
    "auth-status-file": ("auth", "status"),
    "auth-refresh-file": ("auth", "refresh"),
    "auth-refresh-env": ("auth", "refresh", "--token-env", "THREADS_ACCESS_TOKEN"),
    "auth-login": ("auth", "login", "--callback-url"),
}
FILE_TOKEN = {"auth-status-file", "auth-refresh-file", "auth-login"}  # no token in the env
# What each run holds (and must keep): the token and the app secret (both in the
# environment, or the token in the credentials file).  A login has no token yet,
# but a code, which is spent once its exchange (request 1) is answered.  Text the
# client never sent is no secret of the run.
SECRETS = (CANARY, APP_CANARY)


def secrets_of(name: str, nth: int | None) -> tuple[str, ...]:
    if name == "auth-login":
        return (APP_CANARY, CODE_CANARY) if nth in (None, 1) else (APP_CANARY,)
    return SECRETS


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(token=CANARY, processing="image=0s,video=0s,carousel=0s") as emulator:
        emulator.core.store.app_secret = APP_CANARY
        yield emulator


@pytest.fixture
def template(tmp_path: Path, emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with one post published (so stats and refresh have work) and one to go."""
    root = tmp_path / "template"
    root.mkdir()
    project = Project(root)
    project.git("init", "-q")
    project.post("published", "text: already out\n")
    monkeypatch.chdir(root)
    monkeypatch.setenv("THREADS_API_URL", emu.url)
    monkeypatch.setenv("THREADS_ACCESS_TOKEN", CANARY)
    assert main(["apply", "--yes"]) == 0
    project.post("next", "text: the next one\n")
    project.post("matched", "text: published elsewhere\n")
    project.commit()
    return root


def _environment(
    monkeypatch: pytest.MonkeyPatch, run_dir: Path, emu: Emulator, name: str
) -> dict[str, Path]:
    files = {
        "summary": run_dir / "summary.md",
        "output": run_dir / "output.txt",
        "logs": run_dir / "logs",
        "credentials": run_dir / "credentials" / "credentials.json",
    }
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(files["summary"]))
    monkeypatch.setenv("GITHUB_OUTPUT", str(files["output"]))
    monkeypatch.setenv("THREADSYNC_LOG_DIR", str(files["logs"]))
    monkeypatch.setenv("THREADSYNC_CREDENTIALS", str(files["credentials"]))
    monkeypatch.setenv("THREADS_APP_SECRET", APP_CANARY)
    monkeypatch.setenv("THREADS_APP_ID", emu.app_id)
    monkeypatch.setenv("THREADS_REDIRECT_URI", REDIRECT)
    monkeypatch.setenv("THREADS_API_URL", emu.url)
    if name in FILE_TOKEN:
        monkeypatch.delenv("THREADS_ACCESS_TOKEN", raising=False)
    else:
        monkeypatch.setenv("THREADS_ACCESS_TOKEN", CANARY)
    two_days_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2)
    credentials = Credentials.from_token(
        CANARY,
        emu.user_id,
        issued_at=two_days_ago,
        expiration=two_days_ago + dt.timedelta(days=60),
        scopes=["threads_basic"],
    )
    save_credentials(files["credentials"], credentials)
    return files


def _argv(name: str, emu: Emulator, capsys: pytest.CaptureFixture[str]) -> list[str]:
    argv = list(COMMANDS[name])
    if name == "auth-login":  # begin a login, consent, and finish it with the code given
        assert main(["auth", "login", "--no-wait"]) == 0
        url = capsys.readouterr().out.strip()
        consent = requests.get(url, allow_redirects=False, timeout=5)
        query = parse_qs(urlsplit(consent.headers["Location"]).query)
        code = emu.core.store.codes.pop(query["code"][0])  # known by the canary's name
        emu.core.store.codes[CODE_CANARY] = dataclasses.replace(code, value=CODE_CANARY)
        argv.append(f"{REDIRECT}?code={CODE_CANARY}&state={query['state'][0]}#_")
        return argv
    if name == "auth-refresh-env":
        argv += ["--credentials", "refreshed.json"]
    return argv


def _written(root: Path, files: dict[str, Path]) -> dict[Path, str]:
    found = [p for p in root.rglob("*") if ".git" not in p.parts]
    found += [files["summary"], files["output"], *files["logs"].rglob("*")]
    return {
        p: p.read_text(encoding="utf-8", errors="replace")
        for p in found
        if p.is_file() and not p.is_symlink()
    }


def _checkout(
    template: Path, run_dir: Path, emu: Emulator, name: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, dict[str, Path]]:
    """A fresh copy of the repository, the current directory, with the run's environment."""
    root = run_dir / "repo"
    shutil.copytree(template, root, symlinks=True)
    monkeypatch.chdir(root)
    return root, _environment(monkeypatch, run_dir, emu, name)


def _assert_kept(
    secrets: tuple[str, ...], captured: Any, written: dict[Path, str], label: str
) -> None:
    shown = {"stdout": captured.out, "stderr": captured.err}
    for where, text in {**shown, **written}.items():
        for secret in secrets:
            assert secret not in text, f"{label}: in {where}:\n{text}"


def _run_once(
    name: str,
    shape: str | None,
    nth: int | None,
    *,
    template: Path,
    run_dir: Path,
    emu: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> int:
    """Run the command with the fault on request ``nth`` (None: on every one); its request count.

    With no ``shape``, no fault: how many requests the command makes when all goes well.
    """
    root, files = _checkout(template, run_dir, emu, name, monkeypatch)
    argv = _argv(name, emu, capsys)
    emu.clear_faults()
    emu.clear_requests()
    if shape is not None:
        status, body = SHAPES[shape]
        rule = {"action": "http_error", "status": status, "body": body, "retry_after": 0}
        emu.add_fault(**rule, every=nth is None, nth=nth or 1)
    capsys.readouterr()
    main(argv)
    captured = capsys.readouterr()
    emu.clear_faults()
    _assert_kept(secrets_of(name, nth), captured, _written(root, files), f"{name} ({shape}, {nth})")
    return len(emu.requests())


@pytest.mark.parametrize("name", list(COMMANDS))
def test_no_command_shows_or_writes_a_token_the_server_echoes(
    name: str,
    template: Path,
    emu: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    runs = iter(range(10_000))

    def run(shape: str | None, nth: int | None) -> int:
        return _run_once(
            name,
            shape,
            nth,
            template=template,
            run_dir=tmp_path / f"run{next(runs)}",
            emu=emu,
            monkeypatch=monkeypatch,
            capsys=capsys,
        )

    requests = run(None, None)
    assert requests > 0
    for nth in range(1, requests + 1):  # each request the command makes fails in turn
        run("graph", nth)
    for shape in SHAPES:  # and every request, with each shape of error
        run(shape, None)


def test_a_container_error_echoing_the_token_is_not_shown_or_stored(
    template: Path,
    emu: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Not an error response: a 200 saying the container is in ERROR, with Meta's free text."""
    root, files = _checkout(template, tmp_path / "run", emu, "apply", monkeypatch)
    Project(root).post("photo", "text: a photo\nmedia: [https://cdn.example.net/p.png]\n")
    emu.set_processing(image="1s")  # polled, so its status is read
    status = {"id": "1", "status": "ERROR", "error_message": ECHO}
    emu.add_fault(
        action="http_error", method="GET", path=r"^/v1\.0/\d+$", status=200, body=status, every=True
    )
    capsys.readouterr()
    assert main(["apply", "--yes"]) == 1
    captured = capsys.readouterr()
    assert "failed" in captured.out
    written = _written(root, files)
    assert "[REDACTED]" in written[root / ".threadsync/state.json"]
    _assert_kept(SECRETS, captured, written, "apply")
