"""A full disk while writing state is one line, the old state intact, and no post twice.

The disk fills in-process: ``os.write`` and ``os.fsync`` raise ENOSPC (or
EDQUOT) for the files whose names start a given way (the state's temp files
and its log, by default), from the n-th write on, so every case is
deterministic and needs no small filesystem.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from threadsync.emulator import Emulator

from .support import Project, Run, live_texts

FULL = (
    "error: no space left writing .threadsync/state.json; nothing was lost; free space and run "
    "{command} again"
)


@dataclass
class Disk:
    """The writes that fail: to files whose name starts with ``prefix``, after ``after`` ones."""

    prefix: str | tuple[str, ...] = (".state.json.", "state.json.log")
    after: int = 0
    code: int = errno.ENOSPC
    calls: str = "write"  # or "fsync"
    seen: int = 0
    failed: list[str] = field(default_factory=list)

    def check(self, fd: int, call: str) -> None:
        name = os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))
        prefixes = (self.prefix,) if isinstance(self.prefix, str) else self.prefix
        if call != self.calls or not name.startswith(prefixes):
            return
        self.seen += 1
        if self.seen > self.after:
            self.failed.append(name)
            raise OSError(self.code, os.strerror(self.code))


class FullDisk:
    """``fill(prefix=..., after=n)`` fills the disk until ``free()`` (or the test's end)."""

    def __init__(self) -> None:
        self._patch = pytest.MonkeyPatch()  # its own: freeing leaves other fixtures' patches

    def fill(self, **settings: object) -> Disk:
        state = Disk(**settings)  # type: ignore[arg-type]
        real_write, real_fsync = os.write, os.fsync

        def write(fd: int, data: bytes) -> int:
            state.check(fd, "write")
            return real_write(fd, data)

        def fsync(fd: int) -> None:
            state.check(fd, "fsync")
            real_fsync(fd)

        self._patch.setattr(os, "write", write)
        self._patch.setattr(os, "fsync", fsync)
        return state

    def free(self) -> None:
        self._patch.undo()


@pytest.fixture
def disk() -> Iterator[FullDisk]:
    full = FullDisk()
    yield full
    full.free()


def _applied_once(project: Project, cli: Run, emu: Emulator) -> bytes:
    """One post published, in a state file written twice (so that it has a backup)."""
    from threadsync.state import StateStore

    project.post("first", "text: First\n")
    assert cli("apply", "--yes").rc == 0
    StateStore(project.state_path, project.root).save()
    return project.state_path.read_bytes()


def _only_state_files(project: Project) -> None:
    """No temp file left behind (a log, if any, is folded in by the next run)."""
    names = sorted(p.name for p in project.state_path.parent.iterdir())
    assert [n for n in names if n != "state.json.log"] == [
        "state.json",
        "state.json.bak",
        "state.lock",
    ]


@pytest.mark.parametrize(
    ("code", "calls"),
    [(errno.ENOSPC, "write"), (errno.ENOSPC, "fsync"), (errno.EDQUOT, "write")],
    ids=["ENOSPC-write", "ENOSPC-fsync", "EDQUOT"],
)
def test_a_full_disk_in_apply_is_one_line_and_the_state_is_intact(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    disk: FullDisk,
    tmp_path: Path,
    code: int,
    calls: str,
) -> None:
    project = make_project({})
    before = _applied_once(project, cli, emu)
    backup = project.backup_path.read_bytes()
    project.post("second", "text: Second\n")

    full = disk.fill(code=code, calls=calls)
    result = cli("apply", "--yes")
    assert full.failed
    assert result.rc == 1
    assert result.error_lines == [FULL.format(command="apply")]
    assert "Traceback" not in result.err
    assert not (tmp_path / "logs").exists()  # expected, not a bug
    assert project.state_path.read_bytes() == before
    assert project.backup_path.read_bytes() == backup
    _only_state_files(project)  # the temp file is gone

    disk.free()
    assert cli("apply", "--yes").rc == 0
    assert live_texts(emu) == ["First", "Second"]


def test_a_disk_full_after_the_publish_never_posts_twice(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    disk: FullDisk,
) -> None:
    """The container is journalled, the post goes out, recording it fails: the rerun finds it."""
    project = make_project({})
    _applied_once(project, cli, emu)
    project.post("second", "text: Second\n")

    # The log's first line and the container go through; the next (the media id) fails.
    full = disk.fill(after=2)
    result = cli("apply", "--yes")
    assert result.rc == 1
    assert result.error_lines == [FULL.format(command="apply")]
    assert len(full.failed) == 1
    assert live_texts(emu) == ["First", "Second"]  # it went out
    entry = project.state()["posts"]["second"]
    assert entry["status"] == "pending" and "media_id" not in entry["parts"][0]
    assert entry["parts"][0]["attempts"][0]["container_id"]

    disk.free()
    result = cli("apply", "--yes")
    assert result.rc == 0, result.err
    assert live_texts(emu) == ["First", "Second"]  # found, not published again
    (second,) = [p for p in emu.posts() if p["params"].get("text") == "Second"]
    assert project.state()["posts"]["second"]["parts"][0]["media_id"] == second["id"]


def test_a_full_disk_while_keeping_the_backup_names_the_state_file(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    disk: FullDisk,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = make_project({})
    before = _applied_once(project, cli, emu)
    project.post("second", "text: Second\n")

    def no_link(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, "hard links not supported here")

    monkeypatch.setattr(os, "link", no_link)  # the backup is then written out in full
    full = disk.fill(prefix=".state.json.bak.")
    result = cli("apply", "--yes")
    assert full.failed
    assert result.error_lines == [FULL.format(command="apply")]
    assert project.state_path.read_bytes() == before
    _only_state_files(project)


def test_a_full_disk_in_import_says_to_run_import_again(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    disk: FullDisk,
    tmp_path: Path,
) -> None:
    from .support import Outside

    project = make_project({"content/a.yaml": "text: Already there\n"})
    outside = Outside(emu)
    try:
        outside.publish("Already there")
    finally:
        outside.close()
    disk.fill()
    result = cli("import")
    assert result.rc == 1
    assert result.error_lines == [FULL.format(command="import")]
    assert not project.state_path.exists()
    assert not (tmp_path / "logs").exists()


def test_a_full_disk_writing_a_saved_plan_names_the_plan_file(
    make_project: Callable[..., Project], cli: Run, disk: FullDisk, tmp_path: Path
) -> None:
    project = make_project({"content/a.yaml": "text: Hello\n"})
    old = project.write("plan.json", "an older plan\n").read_bytes()
    disk.fill(prefix=".plan.json.")
    result = cli("plan", "--out", "plan.json")
    assert result.rc == 1
    assert result.error_lines == [
        "error: no space left writing plan.json; nothing was lost; free space and run plan again"
    ]
    assert (project.root / "plan.json").read_bytes() == old
    assert not (tmp_path / "logs").exists()


def test_a_full_disk_writing_the_lock_record_names_the_lock(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, disk: FullDisk
) -> None:
    project = make_project({"content/a.yaml": "text: Hello\n"})
    disk.fill(prefix="state.lock")
    result = cli("apply", "--yes")
    assert result.rc == 1
    assert result.error_lines == [
        "error: no space left writing .threadsync/state.lock; nothing was lost; free space and "
        "run apply again"
    ]
    assert not project.state_path.exists()
    assert emu.posts() == []
