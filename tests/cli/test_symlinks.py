""".threadsync/ comes from pull requests: a committed symlink there is one error, never followed.

The victim is a file (or folder) outside the repository that a link points
to; every test checks it is byte for byte what it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from threadsync.emulator import Emulator

from .support import Project, Run

VICTIM = b"ssh-ed25519 AAAA... the user's key\n"
STATE_LINK = (
    "error: .threadsync/state.json is a symlink; threadsync never reads or writes state "
    "through a link: remove it (git rm) and restore the file"
)


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    folder = tmp_path / "home" / ".ssh"
    folder.mkdir(parents=True)
    path = folder / "authorized_keys"
    path.write_bytes(VICTIM)
    return path


def _untouched(victim: Path) -> None:
    assert victim.read_bytes() == VICTIM
    assert [p.name for p in victim.parent.iterdir()] == [victim.name]


@pytest.mark.parametrize(
    "command",
    [["plan"], ["plan", "--json"], ["apply", "--yes"], ["import"], ["status"], ["stats"]],
    ids=" ".join,
)
def test_a_committed_state_symlink_is_one_error_and_never_followed(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    victim: Path,
    tmp_path: Path,
    command: list[str],
) -> None:
    project = make_project({"content/a.yaml": "text: Hello\n"})
    project.state_path.parent.mkdir()
    project.state_path.symlink_to(os.path.relpath(victim, project.state_path.parent))
    project.commit("state -> ../../home/.ssh/authorized_keys")

    result = cli(*command)
    assert result.rc == 1
    assert result.error_lines == [STATE_LINK]
    assert result.err.count("\n") == 1
    assert project.state_path.is_symlink()
    _untouched(victim)
    assert emu.posts() == []
    assert not (tmp_path / "logs").exists()  # an expected error, not a crash


@pytest.mark.parametrize("command", [["apply", "--yes"], ["import"]], ids=" ".join)
def test_a_committed_threadsync_dir_symlink_is_refused(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    victim: Path,
    command: list[str],
) -> None:
    project = make_project({"content/a.yaml": "text: Hello\n"})
    (project.root / ".threadsync").symlink_to(victim.parent)
    project.commit(".threadsync -> ~/.ssh")

    result = cli(*command)
    assert result.rc == 1
    assert len(result.error_lines) == 1
    assert result.error_lines[0].startswith("error: .threadsync is a symlink; threadsync never ")
    _untouched(victim)
    assert emu.posts() == []


def test_the_emulators_folder_is_not_followed(
    make_project: Callable[..., Project], cli: Run, victim: Path
) -> None:
    project = make_project({"content/a.yaml": "text: Hello\n"})
    (project.root / ".threadsync").mkdir()
    (project.root / ".threadsync/emulator").symlink_to(victim.parent)

    result = cli("plan", "--refresh", "--emulator")
    assert result.rc == 1
    assert result.error_lines == [
        "error: .threadsync/emulator is a symlink; threadsync never reads or writes emulator "
        "data through a link: remove it (git rm) and run again"
    ]
    _untouched(victim)


def test_the_emulators_data_file_is_not_followed(
    make_project: Callable[..., Project], cli: Run, victim: Path
) -> None:
    project = make_project({"content/a.yaml": "text: Hello\n"})
    (project.root / ".threadsync/emulator").mkdir(parents=True)
    (project.root / ".threadsync/emulator/data.json").symlink_to(victim)

    result = cli("apply", "--yes", "--emulator")
    assert result.rc == 1
    assert result.error_lines[0].startswith(
        "error: .threadsync/emulator/data.json is a symlink; threadsync never reads or writes"
    )
    _untouched(victim)


def test_the_preview_folder_is_not_followed(
    make_project: Callable[..., Project], cli: Run, victim: Path
) -> None:
    project = make_project({"content/a.yaml": "text: Hello\n"})
    (project.root / ".threadsync").mkdir()
    (project.root / ".threadsync/preview").symlink_to(victim.parent)

    result = cli("preview")
    assert result.rc == 1
    assert result.error_lines == [
        "error: .threadsync/preview is a symlink; threadsync never reads or writes the preview "
        "through a link: remove it (git rm) and run again"
    ]
    _untouched(victim)


def test_a_saved_plan_is_not_written_into_a_linked_folder(
    make_project: Callable[..., Project], cli: Run, victim: Path
) -> None:
    project = make_project({"content/a.yaml": "text: Hello\n"})
    (project.root / "plans").symlink_to(victim.parent)

    result = cli("plan", "--out", "plans/plan.json")
    assert result.rc == 1
    assert result.error_lines == [
        "error: plans is a symlink; threadsync never reads or writes the saved plan through a "
        "link: remove it (git rm) and run again"
    ]
    _untouched(victim)
