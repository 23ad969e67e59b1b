"""``.threadsync/state.json`` as the commands write and read it."""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from threadsync.emulator import Emulator

from .support import Outside, Project, Run

HEX64 = re.compile(r"^[0-9a-f]{64}$")

FILES = {
    "content/text.yaml": "text: Just words\n",
    "content/thread.md": "Thread root\n\n---\nThread two\n\n---\nThread three\n",
    "content/carousel.yaml": (
        "text: Two pictures\nmedia:\n"
        "  - image: https://example.com/a.png\n    alt: A\n"
        "  - image: https://example.com/b.png\n    alt: B\n"
    ),
    "content/later.yaml": "text: Not yet\npublish_at: 2099-01-01T00:00:00Z\n",
}


def test_state_records_what_apply_published(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project(FILES)
    assert cli("apply", "--yes").rc == 0
    raw = project.state_path.read_text(encoding="utf-8")
    state = json.loads(raw)
    assert state["version"] == 1
    assert str(uuid.UUID(state["lineage"])) == state["lineage"]
    assert state["serial"] == 1  # each step went to the log; the state file was written once
    assert not project.state_path.with_name("state.json.log").exists()  # folded in
    assert state["user_id"] == emu.user_id
    assert emu.token not in raw  # committed to git: no secrets
    assert set(state["posts"]) == {"text", "thread", "carousel"}  # "later" is not due

    remote = {p["id"]: p for p in emu.posts()}
    for post_id, entry in state["posts"].items():
        assert entry["status"] == "published"
        assert HEX64.match(entry["content_hash"])
        assert entry["path"] == f"content/{post_id}{'.md' if post_id == 'thread' else '.yaml'}"
        for part in entry["parts"]:
            media = remote[part["media_id"]]
            assert part["permalink"] == media["permalink"]
            assert part["published_at"]
            assert part["attempts"][0]["container_id"] == media["container_id"]

    thread = [remote[p["media_id"]]["params"]["text"] for p in state["posts"]["thread"]["parts"]]
    assert thread == ["Thread root", "Thread two", "Thread three"]
    carousel = state["posts"]["carousel"]["parts"][0]
    children = [c["id"] for c in remote[carousel["media_id"]]["children"]]
    assert len(children) == 2
    assert carousel["child_media_ids"] == children


def test_every_write_bumps_the_serial_keeps_the_lineage_and_a_backup(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project({"content/a.yaml": "text: First\n"})
    assert not project.state_path.exists()
    assert cli("apply", "--yes").rc == 0
    first = project.state()
    project.post("b", "text: Second\n")
    assert cli("apply", "--yes").rc == 0
    second = project.state()
    backup = json.loads(project.backup_path.read_text(encoding="utf-8"))

    assert second["lineage"] == first["lineage"] == backup["lineage"]
    assert second["serial"] > first["serial"]
    assert backup["serial"] == second["serial"] - 1
    assert set(backup["posts"]) >= {"a"}
    leftovers = sorted(p.name for p in project.state_path.parent.iterdir())
    assert leftovers == ["state.json", "state.json.bak", "state.lock"]


def test_one_write_keeps_the_exact_previous_file_as_backup(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, outside: Outside
) -> None:
    project = make_project({"content/a.yaml": "text: Mine\n", "content/b.yaml": "text: Older\n"})
    assert cli("apply", "--yes", "--target", "a").rc == 0
    before = project.state_path.read_bytes()
    outside.publish("Older")
    assert cli("import").rc == 0  # one write
    assert project.backup_path.read_bytes() == before
    assert project.state()["serial"] == json.loads(before)["serial"] + 1


def test_state_is_written_to_a_temp_file_fsynced_then_renamed(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = make_project({"content/a.yaml": "text: Mine\n"})
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def where(name: str | Path, dir_fd: int | None) -> str:
        if dir_fd is None:
            return os.path.abspath(name)
        return os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), name)

    def replace(
        src: str | Path,
        dst: str | Path,
        *,
        src_dir_fd: int | None = None,
        dst_dir_fd: int | None = None,
    ) -> None:
        events.append(("replace", f"{where(src, src_dir_fd)} -> {where(dst, dst_dir_fd)}"))
        real_replace(src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    assert cli("apply", "--yes").rc == 0

    state = str(project.state_path.resolve())
    renames = [
        (i, what)
        for i, (kind, what) in enumerate(events)
        if kind == "replace" and what.endswith(state)
    ]
    assert renames
    for index, rename in renames:
        temp = rename.split(" -> ")[0]
        assert os.path.dirname(temp) == os.path.dirname(state)
        assert ("fsync", temp) in events[:index]  # the temp file's bytes are on disk first
    assert project.state_path.exists()


BAD_STATES = {
    "corrupt": (b'{"version": 1, "posts": {', "is corrupt (line 1, column 26"),
    "unknown version": (
        b'{"version": 99, "lineage": "x", "serial": 7, "posts": {}}',
        "has version 99, but this threadsync reads version 1; upgrade threadsync",
    ),
    "wrong shape": (
        b'{"version": 1, "lineage": "x", "serial": 7, "posts": {"a": {"status": "sent"}}}',
        "is malformed at posts.a.status",
    ),
    "not an object": (b"[1, 2]", "is not a JSON object"),
    "not UTF-8": (b"\xff\xfe\x00garbage", "is not UTF-8 text"),
}


@pytest.mark.parametrize("kind", sorted(BAD_STATES))
@pytest.mark.parametrize(
    "command", [["plan"], ["plan", "--json"], ["apply", "--yes"], ["import"]], ids=" ".join
)
def test_an_unreadable_state_is_one_error_line_and_never_overwritten(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    tmp_path: Path,
    kind: str,
    command: list[str],
) -> None:
    project = make_project({"content/a.yaml": "text: Hello\n"})
    raw, message = BAD_STATES[kind]
    project.write_state(raw)

    result = cli(*command)
    assert result.rc == 1
    assert result.out == ""
    assert result.err.count("\n") == 1  # one line, no traceback
    assert result.err.startswith(f"error: state file {project.state_path} ")
    assert message in result.err
    assert "git checkout --" in result.err and "state.json.bak" in result.err
    assert project.state_path.read_bytes() == raw
    assert not project.backup_path.exists()
    assert not (tmp_path / "logs").exists()  # an expected error, not a crash
    assert emu.posts() == []


def test_a_failed_post_is_recorded_with_its_error_and_retried_on_request(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project({"content/a.yaml": "text: Will fail once\n"})
    emu.add_fault(
        action="graph_error",
        method="POST",
        path="threads_publish$",
        code=1,
        message="boom",
        transient=False,
        times=1,
    )
    assert cli("apply", "--yes").rc == 1
    entry = project.state()["posts"]["a"]
    assert entry["status"] == "failed"
    assert "boom" in entry["error"]
    assert entry["parts"][0]["attempts"][0]["container_id"]

    result = cli("plan", "--detailed-exitcode")
    assert result.rc == 0
    assert "! a: failed: " in result.out and "run apply --retry-failed" in result.out
    data = cli("plan", "--json", "--retry-failed").json()
    assert [(c["id"], c["action"]) for c in data["changes"]] == [("a", "create")]
    assert cli("apply", "--yes", "--retry-failed").rc == 0
    assert project.state()["posts"]["a"]["status"] == "published"
