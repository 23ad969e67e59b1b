"""``plan --out FILE`` then ``apply FILE``: exactly what was reviewed, or nothing."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable

import pytest

import threadsync.runner as runner
from threadsync.emulator import Emulator

from .support import Project, Run, live_texts


@pytest.fixture
def published(make_project: Callable[..., Project], cli: Run, emu: Emulator) -> Project:
    """A project with one post published, so that a state file exists."""
    project = make_project({"content/first.yaml": "text: First\n"})
    assert cli("apply", "--yes").rc == 0
    return project


def test_saved_plan_records_lineage_serial_and_content_digest(published: Project, cli: Run) -> None:
    published.post("second", "text: Second\n")
    result = cli("plan", "--out", "plan.json")
    assert result.rc == 0
    assert result.err == (
        "Saved the plan to plan.json; apply exactly it with 'threadsync apply plan.json'.\n"
    )
    saved = json.loads((published.root / "plan.json").read_text(encoding="utf-8"))
    state = published.state()
    assert saved["format_version"] == 1
    assert saved["state"] == {"lineage": state["lineage"], "serial": state["serial"]}
    assert len(saved["content_digest"]) == 64
    assert [(c["id"], c["action"]) for c in saved["changes"]] == [("second", "create")]
    # making the plan wrote nothing else
    assert published.state() == state


def test_apply_file_applies_exactly_the_saved_plan(
    published: Project, cli: Run, emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_an_hour = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)).isoformat()
    published.post("quoted", "text: Quoted\n")
    published.post("quoting", "text: Quoting\nquote: quoted\n")
    published.post("scheduled", f"text: Scheduled\npublish_at: '{in_an_hour}'\n")
    published.post("other", "text: Not reviewed\n")
    result = cli("plan", "--target", "quoting", "--target", "scheduled", "--out", "plan.json")
    assert result.rc == 0
    assert "… scheduled" in result.out

    # two hours later "scheduled" is due, but the reviewed plan said to wait for it
    real_now = runner.utcnow
    monkeypatch.setattr(runner, "utcnow", lambda: real_now() + dt.timedelta(hours=2))
    result = cli("apply", "plan.json")
    assert result.rc == 0, result.err
    assert live_texts(emu) == ["First", "Quoted", "Quoting"]
    assert set(published.state()["posts"]) == {"first", "quoted", "quoting"}


def test_apply_file_lists_the_scheduled_posts_as_plan_did(
    published: Project, cli: Run, emu: Emulator
) -> None:
    tomorrow = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).isoformat()
    published.post("later", f"text: Later on\npublish_at: '{tomorrow}'\n")
    published.post("now", "text: Right now\n")
    planned = cli("plan", "--out", "plan.json", "--no-color")
    assert planned.rc == 0

    def shown(out: str) -> list[str]:
        lines = out.splitlines()
        start = next(i for i, line in enumerate(lines) if "… later" in line)
        return lines[start : start + 3] + [line for line in lines if line.startswith("Plan: ")]

    assert "'Later on'" in shown(planned.out)[1]
    applied = cli("apply", "plan.json", "--no-color")
    assert applied.rc == 0, applied.err
    assert shown(applied.out) == shown(planned.out)
    assert live_texts(emu) == ["First", "Right now"]


def test_apply_file_refuses_a_plan_whose_state_changed(
    published: Project, cli: Run, emu: Emulator
) -> None:
    published.post("a", "text: A\n")
    published.post("b", "text: B\n")
    assert cli("plan", "--out", "plan.json").rc == 0
    serial = published.state()["serial"]
    assert cli("apply", "--yes", "--target", "a").rc == 0  # someone else applied meanwhile
    now = published.state()["serial"]

    result = cli("apply", "plan.json")
    assert result.rc == 1
    assert result.error_lines == [
        f"error: the saved plan is stale: it was made against state serial {serial}, and the "
        f"state is now at serial {now}; run 'threadsync plan' again"
    ]
    assert live_texts(emu) == ["First", "A"]


def test_apply_file_refuses_a_plan_made_against_another_lineage(
    published: Project, cli: Run, emu: Emulator
) -> None:
    published.post("a", "text: A\n")
    assert cli("plan", "--out", "plan.json").rc == 0
    state = published.state()
    state["lineage"] = str(uuid.uuid4())
    published.write_state(state)

    result = cli("apply", "plan.json")
    assert result.rc == 1
    assert "of another lineage" in result.error_lines[0]
    assert live_texts(emu) == ["First"]


@pytest.mark.parametrize(
    "edit",
    ["edit a planned post", "edit another post", "add a draft", "reschedule"],
)
def test_apply_file_refuses_a_plan_whose_content_changed(
    published: Project, cli: Run, emu: Emulator, edit: str
) -> None:
    published.post("a", "text: A\n")
    published.post("later", "text: Later\npublish_at: 2099-01-01T00:00:00Z\n")
    assert cli("plan", "--out", "plan.json").rc == 0
    if edit == "edit a planned post":
        published.post("a", "text: A, reworded after review\n")
    elif edit == "edit another post":
        published.post("later", "text: Later, reworded\npublish_at: 2099-01-01T00:00:00Z\n")
    elif edit == "add a draft":
        published.post("wip", "text: WIP\ndraft: true\n")
    else:
        published.post("later", "text: Later\npublish_at: 2098-01-01T00:00:00Z\n")

    result = cli("apply", "plan.json")
    assert result.rc == 1
    assert result.error_lines == [
        "error: the saved plan is stale: the content changed since it was made; "
        "run 'threadsync plan' again"
    ]
    assert live_texts(emu) == ["First"]


def test_apply_file_keeps_the_options_the_plan_was_made_with(
    published: Project, cli: Run, emu: Emulator
) -> None:
    published.post("extra", "text: Extra\n")
    assert cli("apply", "--yes").rc == 0
    published.remove("content/extra.yaml")
    assert cli("plan", "--prune", "--out", "plan.json").rc == 0
    result = cli("apply", "plan.json")  # no --prune: the plan says so
    assert result.rc == 0, result.err
    assert live_texts(emu) == ["First"]


def test_a_forced_plan_applies_with_force(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project(
        {f"content/p{i}.yaml": f"text: Post {i}\n" for i in range(4)},
        config="limits:\n  max_posts_per_apply: 2\n",
    )
    assert cli("apply", "--yes", "--target", "p0").rc == 0
    assert cli("plan", "--out", "plan.json").rc == 1  # over the limit: not saved
    assert not (project.root / "plan.json").exists()
    assert cli("plan", "--force", "--out", "plan.json").rc == 0
    assert cli("apply", "plan.json", "--force").rc == 0
    assert sorted(live_texts(emu)) == ["Post 0", "Post 1", "Post 2", "Post 3"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "error: no saved plan at plan.json; make one with 'threadsync plan --out'"),
        ("{}", "error: plan.json is a plan of format None, not 1; make it again"),
        ('{"format_version": 2}', "error: plan.json is a plan of format 2, not 1"),
        ("not json", "error: plan.json is not a saved plan ("),
        ('{"format_version": 1}', "error: plan.json is not a saved plan ("),
    ],
)
def test_apply_refuses_what_is_not_a_saved_plan(
    published: Project, cli: Run, emu: Emulator, text: str | None, message: str
) -> None:
    published.post("a", "text: A\n")
    if text is not None:
        published.write("plan.json", text)
    result = cli("apply", "plan.json")
    assert result.rc == 1
    assert len(result.error_lines) == 1
    assert result.error_lines[0].startswith(message)
    assert "Traceback" not in result.err
    assert live_texts(emu) == ["First"]


def test_first_saved_plan_of_a_new_project_can_be_applied(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    make_project({"content/a.yaml": "text: A\n"})
    assert cli("plan", "--out", "plan.json").rc == 0
    result = cli("apply", "plan.json")
    assert result.rc == 0, result.err
    assert live_texts(emu) == ["A"]


def test_first_saved_plan_is_stale_once_someone_else_applied(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project({"content/a.yaml": "text: A\n", "content/b.yaml": "text: B\n"})
    assert cli("plan", "--out", "plan.json").rc == 0
    assert cli("apply", "--yes", "--target", "b").rc == 0  # the state file is created meanwhile
    result = cli("apply", "plan.json")
    assert result.rc == 1
    assert result.error_lines[0].startswith(
        "error: the saved plan is stale: it was made against state serial 0, and the state is "
        f"now at serial {project.state()['serial']}"
    )
    assert live_texts(emu) == ["B"]
