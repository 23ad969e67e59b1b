""".pre-commit-hooks.yaml: the hook content repositories run before each commit."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from threadsync.cli import main

ROOT = Path(__file__).resolve().parents[2]


def hook() -> dict[str, object]:
    (only,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    return dict(only)


def test_the_hook_validates_the_whole_repository_once() -> None:
    found = hook()
    assert found["id"] == "threadsync-validate"
    assert found["language"] == "python"  # pre-commit pip-installs this repository
    assert found["entry"] == "threadsync validate"
    assert found["pass_filenames"] is False  # validate reads every post, not the staged files


@pytest.mark.parametrize(
    ("path", "runs"),
    [
        ("threadsync.yaml", True),
        ("threadsync.yml", True),
        ("content/hello.md", True),
        ("content/_partials/signature.j2", True),
        ("README.md", False),
        ("docs/threadsync.yaml", False),
        ("contents/x.yaml", False),
    ],
)
def test_the_hook_runs_when_a_post_or_the_config_changes(path: str, runs: bool) -> None:
    assert bool(re.search(str(hook()["files"]), path)) is runs


def test_the_entry_fails_on_a_broken_post(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What pre-commit runs, so a broken post stops the commit with its location."""
    command, *args = shlex.split(str(hook()["entry"]))
    assert command == "threadsync"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.yaml").write_text("text: fine\n")
    assert main(args) == 0
    (tmp_path / "content" / "b.yaml").write_text("poll: [only one]\n")
    assert main(args) == 1
    assert "content/b.yaml:1:" in capsys.readouterr().out
