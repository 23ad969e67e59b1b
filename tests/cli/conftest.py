"""End-to-end fixtures: real content repos in tmp dirs, the CLI in-process, the emulator.

Each project is a git repository (as in pre-commit's tests), and every command
runs through ``threadsync.cli.main`` so that the one error handler, the exit
codes and the output are those a user gets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from threadsync.cli import main
from threadsync.emulator import Emulator

from .support import Outside, Project, Result, Run


@pytest.fixture
def make_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Project]:
    """``make_project({"content/a.yaml": "text: hi"}, config=...)``: a committed git repo."""

    def make(files: dict[str, str], config: str | None = None) -> Project:
        root = tmp_path / "repo"
        root.mkdir()
        project = Project(root)
        project.git("init", "-q")
        if config is not None:
            project.write("threadsync.yaml", config)
        for rel, text in files.items():
            project.write(rel, text)
        project.commit("initial content")
        monkeypatch.chdir(root)
        return project

    return make


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Run:
    """Run ``threadsync ARGS...`` in-process; returns the exit code and both streams.

    A crash log (an unexpected exception) would land in ``tmp_path/logs``.
    """
    monkeypatch.setenv("THREADSYNC_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("CI", raising=False)

    def run(*args: str) -> Result:
        capsys.readouterr()
        rc = main(list(args))
        captured = capsys.readouterr()
        return Result(rc, captured.out, captured.err)

    return run


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """An emulator with instant processing, and the environment pointing at it."""
    with Emulator(processing="image=0s,video=0s,carousel=0s") as emulator:
        monkeypatch.setenv("THREADS_ACCESS_TOKEN", emulator.token)
        monkeypatch.setenv("THREADS_API_URL", emulator.url)
        yield emulator


@pytest.fixture
def outside(emu: Emulator) -> Iterator[Outside]:
    client = Outside(emu)
    yield client
    client.close()
