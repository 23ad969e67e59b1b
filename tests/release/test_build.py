"""The commit a build comes from: recorded by setup.py, read back by threadsync.buildinfo."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import threadsync
from threadsync import buildinfo

ROOT = Path(__file__).resolve().parents[2]
GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


@pytest.fixture(scope="module")
def hooks() -> ModuleType:
    """setup.py as a module: its hooks, without running setup()."""
    spec = importlib.util.spec_from_file_location("threadsync_setup", ROOT / "setup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def git_repo(path: Path) -> str:
    path.mkdir(parents=True, exist_ok=True)
    (path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (path / "threadsync").mkdir(exist_ok=True)
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=a", "-c", "user.email=a@b.c", "commit", "-qm", "one"],
    ):
        subprocess.run(["git", *args], cwd=path, env=GIT_ENV, check=True)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=path, env=GIT_ENV, capture_output=True, text=True
    )
    return head.stdout.strip()


def test_the_version_is_written_once() -> None:
    text = (ROOT / "pyproject.toml").read_text()  # (tomllib is not in Python 3.10)
    project = text.split("\n[project]\n", 1)[1].split("\n[", 1)[0]
    assert not re.search(r"^version\s*=", project, re.MULTILINE)
    assert 'dynamic = ["version"]' in text
    assert 'version = { attr = "threadsync.__version__" }' in text
    assert (
        len(re.findall(r'__version__ = "[^"]+"', (ROOT / "threadsync/__init__.py").read_text()))
        == 1
    )
    done = subprocess.run(
        [sys.executable, "-m", "threadsync", "--version"], capture_output=True, text=True
    )
    assert threadsync.__version__ in done.stdout + done.stderr


def test_a_checkout_records_its_head(hooks: ModuleType, tmp_path: Path) -> None:
    head = git_repo(tmp_path / "src")
    assert hooks.source_commit(tmp_path / "src") == head
    hooks.write_module(tmp_path / "build", head)
    text = (tmp_path / "build" / "threadsync" / "_build.py").read_text()
    assert f'COMMIT = "{head}"' in text


def test_an_sdist_keeps_the_commit_it_recorded(hooks: ModuleType, tmp_path: Path) -> None:
    """python -m build makes the wheel from the unpacked sdist, which has no .git."""
    unpacked = tmp_path / "threadsync-0.1.0"
    hooks.write_module(unpacked, "a" * 40)
    assert hooks.source_commit(unpacked) == "a" * 40
    # A folder inside someone else's checkout is not threadsync's checkout.
    outer = tmp_path / "outer"
    git_repo(outer)
    hooks.write_module(outer / "pkg", "b" * 40)
    assert hooks.source_commit(outer / "pkg") == "b" * 40


def test_without_git_or_record_there_is_no_commit(hooks: ModuleType, tmp_path: Path) -> None:
    assert hooks.source_commit(tmp_path) is None
    hooks.write_module(tmp_path, None)
    assert "COMMIT = None" in (tmp_path / "threadsync" / "_build.py").read_text()
    assert hooks.source_commit(tmp_path) is None


def test_writing_the_module_never_writes_through_a_hard_link(
    hooks: ModuleType, tmp_path: Path
) -> None:
    """An sdist's release tree hard-links the sources it copies."""
    source = tmp_path / "src" / "threadsync" / "_build.py"
    source.parent.mkdir(parents=True)
    source.write_text('COMMIT = "' + "c" * 40 + '"\n')
    release = tmp_path / "release" / "threadsync" / "_build.py"
    release.parent.mkdir(parents=True)
    os.link(source, release)
    hooks.write_module(tmp_path / "release", "d" * 40)
    assert "c" * 40 in source.read_text() and "d" * 40 in release.read_text()


def test_buildinfo_reads_the_recorded_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    recorded = ModuleType("threadsync._build")
    recorded.COMMIT = "e" * 40  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "threadsync._build", recorded)
    assert buildinfo.source_commit(Path("/nonexistent/threadsync")) == "e" * 40
    recorded.COMMIT = None  # type: ignore[attr-defined]  # built from an archive without git
    assert buildinfo.source_commit(Path("/nonexistent/threadsync")) is None


def test_buildinfo_falls_back_to_the_checkout_it_runs_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editable install: the package sits in threadsync's own checkout."""
    monkeypatch.setitem(sys.modules, "threadsync._build", None)  # import fails
    head = git_repo(tmp_path / "checkout")
    assert buildinfo.source_commit(tmp_path / "checkout" / "threadsync") == head
    # Installed into site-packages: no pyproject.toml beside the package.
    (tmp_path / "site-packages" / "threadsync").mkdir(parents=True)
    assert buildinfo.source_commit(tmp_path / "site-packages" / "threadsync") is None
    # A package folder inside another project's checkout is not ours.
    inner = tmp_path / "checkout" / "vendor"
    (inner / "threadsync").mkdir(parents=True)
    (inner / "pyproject.toml").write_text("")
    assert buildinfo.source_commit(inner / "threadsync") is None
