"""A file renamed (to another name) and edited at once: the plan finds the old text in git."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from threadsync.emulator import Emulator

from .support import Project, Run

LAUNCH = "text: We launch the new site today, with a faster editor and dark mode for everyone\n"
EDITED = "text: We launched the new site today, with a faster editor and dark mode for all\n"
HINT = 'looks like a rename of news/launch: add "id: news/launch" to keep it'


def _published(make_project: Callable[..., Project], cli: Run) -> Project:
    project = make_project(
        {"content/news/launch.yaml": LAUNCH, "content/news/other.yaml": "text: Unrelated\n"}
    )
    assert cli("apply", "--yes").rc == 0
    project.commit("published")
    return project


def _renamed(project: Project) -> None:
    """news/launch.yaml becomes blog/announcement.yaml, a little edited: no stem in common."""
    project.remove("content/news/launch.yaml")
    project.post("blog/announcement", EDITED)


def _hinted(cli: Run) -> list[str]:
    return [w["id"] for w in cli("plan", "--json").json()["warnings"] if HINT in w["message"]]


def test_a_renamed_and_edited_file_not_yet_committed_is_named_in_every_form_of_the_plan(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = _published(make_project, cli)
    _renamed(project)

    text = cli("plan")
    assert text.rc == 0, text.err
    assert f"! blog/announcement: {HINT} (or run 'threadsync state mv news/launch " in text.out
    assert HINT in cli("plan", "--format", "markdown").out
    assert _hinted(cli) == ["blog/announcement"]


def test_a_committed_rename_is_found_in_the_commit_before_it(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = _published(make_project, cli)
    _renamed(project)
    project.commit("rename")  # HEAD no longer has news/launch.yaml: its parent has

    assert _hinted(cli) == ["blog/announcement"]
    project.post("blog/announcement", "id: news/launch\n" + EDITED)
    assert _hinted(cli) == []  # kept: the published post's id


def test_a_new_post_with_other_text_is_no_rename(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = _published(make_project, cli)
    project.remove("content/news/launch.yaml")
    project.post("blog/announcement", "text: Our spring sale starts on Monday at nine\n")

    plan = cli("plan", "--json").json()
    assert sorted(c["action"] for c in plan["changes"]) == ["create", "forget"]
    assert plan["warnings"] == []


def test_without_git_there_is_no_text_hint_and_no_error(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _published(make_project, cli)
    _renamed(project)
    shutil.rmtree(project.root / ".git")
    result = cli("plan", "--json")
    assert result.rc == 0, result.err
    assert result.json()["warnings"] == []

    monkeypatch.setenv("PATH", "")  # and with no git at all
    result = cli("plan", "--json")
    assert (result.rc, result.err, result.json()["warnings"]) == (0, "", [])


@pytest.mark.parametrize(
    "hostile",
    [
        "--output=x",
        "../../etc/passwd",
        "../outside.yaml",
        "/etc/passwd",
        "content/a\nHEAD:content/news/other.yaml",
        "content/a\rb",
    ],
)
def test_a_hostile_path_in_the_state_is_skipped_and_the_others_still_checked(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, hostile: str, tmp_path: Path
) -> None:
    project = _published(make_project, cli)
    # A file outside the repository with the new post's text: reading it would pair them.
    (tmp_path / "outside.yaml").write_text("text: Read from outside the repository\n")
    project.post("blog/outside", "text: Read from outside the repository\n")
    state = project.state()
    state["posts"]["evil"] = {**state["posts"]["news/launch"], "path": hostile}
    project.write_state(state)
    _renamed(project)

    result = cli("plan", "--json")
    assert result.rc == 0, result.err
    assert [(w["id"], w["message"][:40]) for w in result.json()["warnings"]] == [
        ("blog/announcement", HINT[:40])
    ]
    assert sorted(p.name for p in project.root.iterdir()) == [".git", ".threadsync", "content"]
