"""Fixtures of the GitHub-mode tests: the files GitHub Actions hands a step, a fake GitHub
REST API on 127.0.0.1, the Threads emulator, and the commands run in-process through a
parser built the way threadsync/cli.py builds its own (add_parser, then run)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from threadsync.emulator import Emulator
from threadsync.errors import ThreadsyncError
from threadsync.secrets import redact

from .fake_github import FakeGitHub

APP_SECRET = "canary-APP-SECRET-5f1d2c3b4a"


@dataclass(frozen=True)
class Result:
    rc: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Any]]:
    from threadsync.commands import auth_cmd as auth
    from threadsync.commands import github_comment_cmd as comment
    from threadsync.commands import init_cmd as init

    parser = argparse.ArgumentParser(prog="threadsync")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules: dict[str, Any] = {}
    for module in (init, auth, comment):
        before = set(sub.choices)
        module.add_parser(sub)
        for name in set(sub.choices) - before:
            modules[name] = module
    return parser, modules


Run = Callable[..., Result]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Run:
    """``cli("auth", "status", ...)``: as threadsync/cli.py runs a command (one error line)."""
    from threadsync.api import ThreadsError

    parser, modules = build_parser()

    def run(*argv: str) -> Result:
        capsys.readouterr()
        args = parser.parse_args(list(argv))
        try:
            rc = int(modules[args.command].run(args))
        except (ThreadsyncError, ThreadsError) as exc:
            print(f"error: {redact(str(exc))}", file=__import__("sys").stderr)
            rc = 1
        captured = capsys.readouterr()
        return Result(rc, captured.out, captured.err)

    return run


@dataclass
class ActionsEnv:
    """The files of one GitHub Actions step."""

    root: Path

    @property
    def output(self) -> Path:
        return self.root / "github_output"

    @property
    def summary(self) -> Path:
        return self.root / "step_summary.md"

    @property
    def event(self) -> Path:
        return self.root / "event.json"

    def set_event(self, payload: dict[str, Any]) -> None:
        self.event.write_text(json.dumps(payload), encoding="utf-8")

    def outputs(self) -> dict[str, str]:
        return parse_outputs(
            self.output.read_text(encoding="utf-8") if self.output.exists() else ""
        )


def parse_outputs(text: str) -> dict[str, str]:
    """Read a GITHUB_OUTPUT file the way the runner does (name=value and name<<DELIM)."""
    out: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value: list[str] = []
            while lines[i] != delimiter:
                value.append(lines[i])
                i += 1
            i += 1
            out[name] = "\n".join(value)
        else:
            name, value_text = line.split("=", 1)
            out[name] = value_text
    return out


@pytest.fixture
def actions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ActionsEnv:
    env = ActionsEnv(tmp_path / "actions")
    env.root.mkdir()
    env.set_event({})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_OUTPUT", str(env.output))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(env.summary))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(env.event))
    return env


@pytest.fixture
def fake_github(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    fake = FakeGitHub().start()
    monkeypatch.setenv("GITHUB_API_URL", fake.url)
    monkeypatch.setenv("GITHUB_REPOSITORY", "octo/content")
    monkeypatch.delenv("GH_TOKEN", raising=False)
    monkeypatch.setenv("GITHUB_TOKEN", fake.token)
    yield fake
    fake.stop()


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(app_secret=APP_SECRET) as emulator:
        yield emulator
