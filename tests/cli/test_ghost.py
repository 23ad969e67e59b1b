"""A ghost post end to end: shown in every form of the plan and the preview, sent as Meta's flag."""

from __future__ import annotations

from collections.abc import Callable

from threadsync.emulator import Emulator

from .support import Project, Run

FILES = {
    "content/boo.yaml": "ghost: true\ntext: Gone tomorrow\nspoilers: [tomorrow]\n",
    "content/stays.md": "Here to stay\n",
}


def test_plan_shows_a_ghost_post_in_text_markdown_and_json(
    make_project: Callable[..., Project], cli: Run
) -> None:
    make_project(FILES)
    text = cli("plan").out
    assert "'Gone tomorrow'  [ghost, text]" in text
    assert "'Here to stay'  [text]" in text
    md = cli("plan", "--format", "markdown").out
    assert "<sub>ghost, text · `content/boo.yaml`</sub>" in md
    changes = {c["id"]: c for c in cli("plan", "--json").json()["changes"]}
    assert changes["boo"]["ghost"] is True
    assert "ghost" not in changes["stays"]


def test_apply_sends_is_ghost_post_and_flipping_it_is_an_edit(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project(FILES)
    assert cli("apply", "--yes").rc == 0
    sent = {str(p["params"]["text"]): p for p in emu.posts()}
    assert sent["Gone tomorrow"]["ghost"] is True
    assert sent["Gone tomorrow"]["params"]["is_ghost_post"] == "true"
    assert sent["Here to stay"]["ghost"] is False
    assert "is_ghost_post" not in sent["Here to stay"]["params"]

    project.post("boo", "text: Gone tomorrow\nspoilers: [tomorrow]\n")  # ghost: true removed
    warnings = cli("plan", "--json").json()["warnings"]
    assert [w["id"] for w in warnings if "was edited after publishing" in w["message"]] == ["boo"]


def test_preview_says_a_ghost_post_is_archived(
    make_project: Callable[..., Project], cli: Run
) -> None:
    project = make_project(FILES)
    out = project.root / "site"
    assert cli("preview", "--out", str(out)).rc == 0
    page = (out / "post-boo.html").read_text(encoding="utf-8")
    assert "A ghost post: Threads archives it 24 hours after it is published." in page
    assert "ghost, text" in page
    assert "ghost" not in (out / "post-stays.html").read_text(encoding="utf-8")
