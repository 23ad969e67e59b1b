"""What apply tells people and machines: the JSON report, the job summary, progress lines."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
from pathlib import Path

from threadsync.emulator import Emulator

from .support import (
    apply,
    check_exactly_once,
    cli_command,
    cli_env,
    live_posts,
    load_state,
    make_project,
    mixed_spec,
)


def test_json_report_has_every_permalink(emu: Emulator, tmp_path: Path) -> None:
    spec = mixed_spec()
    root = make_project(tmp_path / "p", spec.files)
    run = apply(root, emu, "--json")
    assert run.returncode == 0, run
    report = json.loads(run.stdout)  # stdout is the report and nothing else
    assert report["format_version"] == 1
    assert report["ok"] is True and report["aborted"] is None
    assert {k: n for k, n in report["summary"].items() if n} == {"published": len(spec.expected)}
    assert [p["id"] for p in report["posts"]] == spec.ids
    links = {p["id"]: p["permalink"] for p in live_posts(emu)}
    state = load_state(root)["posts"]
    for entry in report["posts"]:
        assert entry["status"] == "published"
        media_ids = [p["media_id"] for p in state[entry["id"]]["parts"]]
        assert entry["media_ids"] == media_ids
        assert entry["permalinks"] == [links[m] for m in media_ids], entry["id"]
    assert check_exactly_once(emu, root, spec.expected) == []


def test_step_summary_gets_a_markdown_report(emu: Emulator, tmp_path: Path) -> None:
    spec = mixed_spec()
    root = make_project(tmp_path / "p", spec.files)
    summary = tmp_path / "summary.md"
    summary.write_text("## an earlier step\n", encoding="utf-8")
    run = apply(root, emu, env=cli_env(emu, GITHUB_STEP_SUMMARY=str(summary)))
    assert run.returncode == 0, run
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## an earlier step\n")  # appended, not overwritten
    assert "## threadsync apply" in text
    assert f"**Apply: {len(spec.expected)} published.**" in text
    links = {p["id"]: p["permalink"] for p in live_posts(emu)}
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == spec.ids
    for row, post_id in zip(rows, spec.ids, strict=True):
        assert "| published |" in row
        for part in load_state(root)["posts"][post_id]["parts"]:
            assert f"({links[part['media_id']]})" in row


STEP = re.compile(r"^[a-z0-9-]+: (creating container|processing \(container \d+\)|publishing|"
                  r"processing carousel items|published https://\S+)( \(part \d\))?$")  # fmt: skip


def _check_plain_progress(stderr: str, ids: list[str]) -> None:
    assert "\r" not in stderr and "\x1b" not in stderr, repr(stderr[:300])
    lines = stderr.splitlines()
    assert lines, "no progress at all"
    odd = [line for line in lines if not STEP.match(line)]
    assert odd == [], odd
    for post_id in ids:
        steps = [line.split(": ", 1)[1] for line in lines if line.startswith(post_id + ": ")]
        assert steps[0].startswith("creating container"), (post_id, steps)
        assert any(s.startswith("publishing") for s in steps), (post_id, steps)
        assert steps[-1].startswith("published https://"), (post_id, steps)


def test_progress_without_a_tty_is_one_plain_line_per_step(emu: Emulator, tmp_path: Path) -> None:
    spec = mixed_spec()
    root = make_project(tmp_path / "p", spec.files)
    run = apply(root, emu)
    assert run.returncode == 0, run
    _check_plain_progress(run.stderr, spec.ids)


def test_progress_in_ci_is_plain_even_on_a_terminal(emu: Emulator, tmp_path: Path) -> None:
    spec = mixed_spec()
    root = make_project(tmp_path / "p", spec.files)
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            cli_command("apply", "--yes"),
            cwd=root,
            env=cli_env(emu, CI="true"),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=follower,
            timeout=60,
            check=False,
        )
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:  # EIO: the terminal has no writer left
                break
            if not data:
                break
            chunks.append(data)
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)
    assert proc.returncode == 0, proc.stdout
    stderr = b"".join(chunks).decode("utf-8").replace("\r\n", "\n")
    _check_plain_progress(stderr, spec.ids)
