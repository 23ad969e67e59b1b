"""``threadsync plan`` output: text (Terraform-like), colour rules, JSON contract, Markdown."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable

import pytest

from threadsync.emulator import Emulator

from .support import Project, Run

ANSI = re.compile(r"\x1b\[[0-9;]*m")
LONG_FIRST_LINE = "This first line is much longer than sixty characters, so it is cut short"

FILES = {
    "content/hello.yaml": """
        text: |
          Hello, Threads!
          This second line is not in the text plan.
    """,
    "content/gallery.yaml": """
        text: Three pictures.
        media:
          - image: https://example.com/one.png
            alt: One
          - image: https://example.com/two.png
            alt: Two
          - image: https://example.com/three.png
            alt: Three
    """,
    "content/launch.md": """
        ---
        id: launch
        ---
        Why we built it: posts in git.

        ---
        Every post is a file, reviewed in a pull request.

        ---
        Docs are in the README.
    """,
    "content/later.yaml": """
        text: Happy new year!
        publish_at: 2099-01-01T09:00:00+00:00
    """,
    "content/long.yaml": f"text: {LONG_FIRST_LINE}\n",
    "content/wip.yaml": """
        draft: true
        text: Not yet.
    """,
}


@pytest.fixture
def project(make_project: Callable[..., Project]) -> Project:
    return make_project(FILES)


def change_lines(out: str) -> list[str]:
    """The head line of each change: symbol and id."""
    return [
        line.strip()
        for line in out.splitlines()
        if re.match(r"^ {2,4}(\+|-|-/\+|~>|…|//|<=) \S", line)
    ]


# -- text ------------------------------------------------------------------------------------


def test_text_plan_lists_each_post_with_symbol_first_line_and_shape(
    project: Project, cli: Run
) -> None:
    result = cli("plan")
    assert result.rc == 0, result.err
    out = result.out
    assert out.startswith("threadsync will perform the following actions:\n")
    assert change_lines(out) == [
        "+ gallery",
        "+ hello",
        "+ launch",
        "+ long",
        "… later  at 2099-01-01 09:00 UTC",
    ]
    # the first line of the text only, the media and the thread size
    assert "'Hello, Threads!'  [text]" in out
    assert "This second line" not in out
    assert "'Three pictures.'  [carousel of 3]" in out
    assert "'Why we built it: posts in git.'  [text, thread of 3]" in out
    assert "Every post is a file" not in out  # thread parts are not changes of their own
    long_shown = re.search(r"'(This first line[^']*)'", out)
    assert long_shown is not None
    assert long_shown.group(1).endswith("…")
    assert len(long_shown.group(1)) <= 60
    assert "'Happy new year!'  [text]" in out
    assert "\nSymbols: + create, … wait (scheduled)\n" in out
    assert "wip" not in out
    assert out.endswith("Plan: 4 to publish, 1 scheduled, 0 to delete.\n1 draft(s) skipped.\n")
    assert not ANSI.search(out)  # captured output is not a terminal


def test_text_plan_uses_terraform_symbols_for_replace_delete_and_move(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project(
        {
            "content/edited.yaml": "text: First version\non_change: replace\n",
            "content/renamed.yaml": "text: Same words, new file name\n",
            "content/removed.yaml": "text: This file goes away\n",
        }
    )
    assert cli("apply", "--yes").rc == 0
    project.post("edited", "text: Second version\non_change: replace\n")
    project.rename("content/renamed.yaml", "content/renamed-later.yaml")
    project.remove("content/removed.yaml")

    result = cli("plan", "--prune", "--force")
    assert result.rc == 0, result.err
    assert change_lines(result.out) == [
        "~> renamed-later (from renamed)",
        "- removed",
        "-/+ edited",
    ]
    assert "'Second version'  [text]" in result.out
    assert (
        "\nSymbols: -/+ replace (delete, then create), - delete from Threads, "
        "~> move (state only)\n" in result.out
    )
    assert "Plan: 1 to publish, 0 scheduled, 2 to delete." in result.out
    assert "State: 1 to move." in result.out


def test_forget_has_a_symbol_no_one_reads_as_an_edit_and_the_legend_says_so(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project({"content/a.yaml": "text: Stays\n", "content/b.yaml": "text: Goes\n"})
    assert cli("apply", "--yes").rc == 0
    project.remove("content/b.yaml")
    project.post("c", "text: New\n")

    out = cli("plan").out
    assert change_lines(out) == ["// b", "+ c"]
    assert "~" not in out  # Terraform's "update in place"
    assert "\nSymbols: + create, // forget (stays on Threads)\n" in out
    md = cli("plan", "--format", "markdown").out
    assert "| `//` | `b` | forget |" in md
    assert "<sub>Symbols: `+` create, `//` forget (stays on Threads)</sub>" in md


def test_a_plan_of_creates_only_has_no_legend(project: Project, cli: Run) -> None:
    project.remove("content/later.yaml")
    assert "+ hello" in cli("plan").out
    assert "Symbols:" not in cli("plan").out
    assert "Symbols:" not in cli("plan", "--format", "markdown").out


def test_no_changes_says_so(make_project: Callable[..., Project], cli: Run, emu: Emulator) -> None:
    make_project({"content/a.yaml": "text: Only one\n"})
    assert cli("apply", "--yes").rc == 0
    result = cli("plan")
    assert result.rc == 0
    assert result.out.startswith("No changes. The content and the state match.\n")
    assert "Plan: 0 to publish, 0 scheduled, 0 to delete." in result.out


# -- colour ----------------------------------------------------------------------------------


def test_force_color_colours_output_that_is_not_a_terminal(
    project: Project, cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = cli("plan").out
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured) == cli("plan", "--no-color").out


@pytest.mark.parametrize("how", ["NO_COLOR", "--no-color"])
def test_no_color_wins_over_force_color(
    project: Project, cli: Run, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    args = ["plan"]
    if how == "NO_COLOR":
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        args.append(how)
    result = cli(*args)
    assert result.rc == 0
    assert not ANSI.search(result.out)


def _plan_on_a_tty(extra_env: dict[str, str]) -> str:
    """Run ``threadsync plan`` in a subprocess whose stdout is a pseudo-terminal."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("THREADS_") and k not in ("NO_COLOR", "FORCE_COLOR")
    }
    env.update(extra_env)
    primary, secondary = os.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "threadsync", "plan"],
            stdout=secondary,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
            check=False,
        )
        os.close(secondary)
        secondary = -1
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: the other side is closed
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(primary)
        if secondary != -1:
            os.close(secondary)
    assert proc.returncode == 0, proc.stderr
    return b"".join(chunks).decode()


@pytest.mark.parametrize(("env", "coloured"), [({}, True), ({"NO_COLOR": "1"}, False)])
def test_colour_on_a_terminal_only_unless_no_color(
    project: Project, env: dict[str, str], coloured: bool
) -> None:
    out = _plan_on_a_tty(env)
    assert "Plan: 4 to publish, 1 scheduled, 0 to delete." in ANSI.sub("", out)
    assert bool(ANSI.search(out)) is coloured


# -- JSON ------------------------------------------------------------------------------------


def test_json_plan_follows_the_contract(project: Project, cli: Run) -> None:
    result = cli("plan", "--json")
    assert result.rc == 0, result.err
    data = result.json()
    assert data["format_version"] == 1
    assert data["summary"] == {
        "create": 4,
        "wait": 1,
        "replace": 0,
        "delete": 0,
        "forget": 0,
        "move": 0,
        "adopt": 0,
    }
    assert [(c["id"], c["action"]) for c in data["changes"]] == [
        ("gallery", "create"),
        ("hello", "create"),
        ("launch", "create"),
        ("long", "create"),
        ("later", "wait"),
    ]
    for change in data["changes"]:
        assert isinstance(change["reason"], str) and change["reason"]
        assert ("publish_at" in change) is (change["id"] == "later")
    assert data["changes"][-1]["publish_at"] == "2099-01-01T09:00:00+00:00"
    assert set(data["state"]) >= {"lineage", "serial"}
    assert data["state"]["serial"] == 0
    assert cli("plan", "--format", "json").json()["changes"] == data["changes"]


def test_json_plan_carries_publish_at_of_a_due_post_and_the_state_it_was_made_against(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project(
        {
            "content/old.yaml": "text: Already out\n",
            "content/due.yaml": "text: Was scheduled\npublish_at: 2001-01-01T00:00:00Z\n",
        }
    )
    assert cli("apply", "--yes", "--target", "old").rc == 0
    data = cli("plan", "--json").json()
    state = project.state()
    assert data["state"]["lineage"] == state["lineage"]
    assert data["state"]["serial"] == state["serial"]
    # posts with nothing to do are not listed
    assert data["changes"] == [
        {
            "id": "due",
            "action": "create",
            "reason": data["changes"][0]["reason"],
            "publish_at": "2001-01-01T00:00:00+00:00",
        }
    ]


# -- Markdown --------------------------------------------------------------------------------


def test_markdown_plan_shows_every_post_to_publish_in_full(project: Project, cli: Run) -> None:
    result = cli("plan", "--format", "markdown")
    assert result.rc == 0, result.err
    md = result.out
    assert md.startswith("<!-- threadsync-plan -->\n")
    assert "**Plan: 4 to publish, 1 scheduled, 0 to delete.**" in md
    # every part of the thread, in full, each with its character count
    for part in (
        "Why we built it: posts in git.",
        "Every post is a file, reviewed in a pull request.",
        "Docs are in the README.",
    ):
        assert f"```text\n{part}\n```\n<sub>{len(part)}/500 characters</sub>" in md
    assert "**Part 2 of 3** (reply to the part above)" in md
    assert "Hello, Threads!\nThis second line is not in the text plan." in md
    assert "- image: `https://example.com/two.png` (alt: Two)" in md
    assert "1 draft(s) skipped." in md


def test_markdown_plan_lists_warnings(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project({"content/a.yaml": "text: Published once\n"})
    assert cli("apply", "--yes").rc == 0
    project.post("a", "text: Published once, then edited\n")
    project.post("near", f"text: {'x' * 480}\n")  # over 90% of 500: a validation warning
    md = cli("plan", "--format", "markdown").out
    warnings = md.split("#### Warnings\n", 1)[1].split("\n\n", 1)[0]
    assert "`a`: was edited after publishing" in warnings
    assert "480 of 500 characters" in warnings
    assert "480/500 characters" in md


def test_markdown_character_count_is_the_threads_count(
    make_project: Callable[..., Project], cli: Run
) -> None:
    make_project({"content/emoji.yaml": "text: Launch day 🚀\n"})
    md = cli("plan", "--format", "markdown").out
    # threads_length("Launch day 🚀") == 11 + 4: the rocket counts its 4 UTF-8 bytes
    assert "<sub>15/500 characters</sub>" in md


def test_saved_plan_file_is_the_json_plan(project: Project, cli: Run) -> None:
    shown = cli("plan", "--json").json()
    result = cli("plan", "--out", "plan.json")
    assert result.rc == 0
    assert "Saved the plan to plan.json" in result.err
    saved = json.loads((project.root / "plan.json").read_text(encoding="utf-8"))
    assert saved["changes"] == shown["changes"]
    assert saved["content_digest"] == shown["content_digest"]
    assert saved["state"]["serial"] == shown["state"]["serial"] == 0
