"""Saved plans: apply exactly what was reviewed, or refuse with the fix."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from threadsync.diff import make_plan
from threadsync.plan import Action, Plan, PlanError
from threadsync.safewrite import SymlinkRefused
from threadsync.saved_plan import check_fresh, load_saved_plan, save_plan
from threadsync.state import PartState, PostState, State

from .conftest import load_posts

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.timezone.utc)
FILES = {
    "a.yaml": "text: Due now\n",
    "b.yaml": "text: In an hour\npublish_at: 2026-11-27T13:00:00Z\n",
}


def planned(root: Path, state: State, now: dt.datetime = NOW, *, prune: bool = False) -> Plan:
    return make_plan(load_posts(root, now), state, now, prune=prune)


def saved_state() -> State:
    return State(lineage="L-1", serial=4, user_id="42")


def test_a_saved_plan_round_trips(tmp_path: Path) -> None:
    load_posts(tmp_path, NOW, FILES)
    gone = PostState(status="published", content_hash="h", parts=[PartState(media_id="9")])
    state = saved_state()
    state.posts["gone"] = gone
    plan = planned(tmp_path, state, prune=True)
    out = tmp_path / "plan.json"
    save_plan(plan, out, retry_failed=True, refresh=False, root=tmp_path)

    saved = load_saved_plan(out)
    assert (saved.lineage, saved.serial) == ("L-1", 4)
    assert saved.content_digest == plan.content_digest
    assert saved.changes == (("gone", Action.DELETE), ("a", Action.CREATE), ("b", Action.WAIT))
    assert (saved.prune, saved.retry_failed, saved.refresh) == (True, True, False)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format_version"] == 1
    assert data["options"] == {"prune": True, "retry_failed": True, "refresh": False}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "plan.json"]  # no temp file

    again = saved_state()
    again.posts["gone"] = gone
    fresh = check_fresh(saved, planned(tmp_path, again, prune=True))
    assert [(c.id, c.action) for c in fresh.changes] == [
        ("gone", Action.DELETE),
        ("a", Action.CREATE),
        ("b", Action.WAIT),
    ]


def test_a_plan_of_an_older_serial_is_stale(tmp_path: Path) -> None:
    load_posts(tmp_path, NOW, FILES)
    out = tmp_path / "plan.json"
    save_plan(planned(tmp_path, saved_state()), out, retry_failed=False, refresh=False)
    moved_on = saved_state()
    moved_on.serial = 5
    with pytest.raises(PlanError) as caught:
        check_fresh(load_saved_plan(out), planned(tmp_path, moved_on))
    message = str(caught.value)
    assert "made against state serial 4, and the state is now at serial 5;" in message
    assert "another lineage" not in message
    assert message.endswith("run 'threadsync plan' again")


def test_a_plan_of_another_lineage_is_stale(tmp_path: Path) -> None:
    load_posts(tmp_path, NOW, FILES)
    out = tmp_path / "plan.json"
    save_plan(planned(tmp_path, saved_state()), out, retry_failed=False, refresh=False)
    other = saved_state()
    other.lineage = "L-2"
    with pytest.raises(PlanError, match="serial 4 of another lineage; run 'threadsync plan'"):
        check_fresh(load_saved_plan(out), planned(tmp_path, other))


def test_a_plan_of_other_content_is_stale(tmp_path: Path) -> None:
    load_posts(tmp_path, NOW, FILES)
    out = tmp_path / "plan.json"
    save_plan(planned(tmp_path, saved_state()), out, retry_failed=False, refresh=False)
    load_posts(tmp_path, NOW, {"a.yaml": "text: Due now, edited\n"})
    with pytest.raises(PlanError, match="the content changed since it was made"):
        check_fresh(load_saved_plan(out), planned(tmp_path, saved_state()))


def test_a_saved_plan_applies_only_its_own_changes(tmp_path: Path) -> None:
    """A post that was waiting when the plan was saved and is due now is left for later."""
    load_posts(tmp_path, NOW, FILES)
    out = tmp_path / "plan.json"
    save_plan(planned(tmp_path, saved_state()), out, retry_failed=False, refresh=False)
    later = NOW + dt.timedelta(hours=2)
    fresh = planned(tmp_path, saved_state(), later)
    assert {(c.id, c.action) for c in fresh.changes} == {("a", Action.CREATE), ("b", Action.CREATE)}
    cut = check_fresh(load_saved_plan(out), fresh)
    assert [c.id for c in cut.to_publish()] == ["a"]
    # b is still shown as the saved plan showed it (apply does nothing with a wait)
    assert [(c.id, c.action) for c in cut.changes] == [("a", Action.CREATE), ("b", Action.WAIT)]
    waiting = cut.changes[1]
    assert waiting.reason.startswith("due now, but the saved plan waits for it")
    assert waiting.post is not None and waiting.publish_at is not None
    assert cut.count(Action.WAIT) == 1 and cut.has_changes
    assert (cut.lineage, cut.serial, cut.content_digest) == (
        fresh.lineage,
        fresh.serial,
        fresh.content_digest,
    )


def test_a_saved_plan_keeps_its_scheduled_posts_to_show_them(tmp_path: Path) -> None:
    load_posts(tmp_path, NOW, FILES)
    out = tmp_path / "plan.json"
    plan = planned(tmp_path, saved_state())
    save_plan(plan, out, retry_failed=False, refresh=False)
    cut = check_fresh(load_saved_plan(out), planned(tmp_path, saved_state()))
    assert cut.changes == plan.changes  # the wait too, reason and time as plan gave them
    assert Action.WAIT in {c.action for c in cut.changes}


def test_a_saved_change_apply_would_no_longer_make_is_refused(tmp_path: Path) -> None:
    load_posts(tmp_path, NOW, FILES)
    out = tmp_path / "plan.json"
    plan = planned(tmp_path, saved_state())
    save_plan(plan, out, retry_failed=False, refresh=False)
    without_a = dataclasses.replace(plan, changes=tuple(c for c in plan.changes if c.id != "a"))
    with pytest.raises(PlanError, match="no longer matches what apply would do"):
        check_fresh(load_saved_plan(out), without_a)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not json {", "is not a saved plan"),
        ("[1, 2]", r"is not a saved plan \(not a JSON object\)"),
        ('{"format_version": 2}', "is a plan of format 2, not 1; make it again with this"),
        ('{"format_version": 1, "changes": []}', r"is not a saved plan \('state'\)"),
        (
            '{"format_version": 1, "state": {"lineage": "", "serial": 0}, "content_digest": "d",'
            ' "changes": [{"id": "a", "action": "publish"}]}',
            "is not a saved plan",
        ),
    ],
)
def test_a_file_that_is_not_a_saved_plan_names_the_fix(
    tmp_path: Path, text: str, expected: str
) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError, match=expected) as caught:
        load_saved_plan(bad)
    assert str(bad) in str(caught.value)
    if "format 2" not in expected:
        assert str(caught.value).endswith("make it again with 'threadsync plan --out'")


def test_a_missing_saved_plan_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(
        PlanError, match=r"no saved plan at .*; make one with 'threadsync plan --out'"
    ):
        load_saved_plan(tmp_path / "nowhere.json")


def test_a_saved_plan_is_never_written_through_a_link(tmp_path: Path) -> None:
    load_posts(tmp_path, NOW, FILES)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    (tmp_path / "plan.json").symlink_to(victim)
    plan = planned(tmp_path, saved_state())
    with pytest.raises(SymlinkRefused):
        save_plan(plan, tmp_path / "plan.json", retry_failed=False, refresh=False, root=tmp_path)
    assert victim.read_text(encoding="utf-8") == "keep me"
