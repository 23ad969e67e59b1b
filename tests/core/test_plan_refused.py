"""The planner with refused posts: left out with a notice, what depends on them waits."""

from __future__ import annotations

from threadsync.diff import make_plan
from threadsync.plan import Action
from threadsync.state import State

from .test_plan import LATER, NOW, P, published

REASON = "content/_media/a.png has changed since commit 3f2c1ab; commit and push it first"


def test_a_refused_post_is_left_out_and_the_others_go_on() -> None:
    posts = [P("a"), P("b"), P("c", quote="a"), P("later", publish_at=LATER)]
    plan = make_plan(posts, State(), NOW, refused={"a": REASON, "later": REASON})
    assert [(c.id, c.action) for c in plan.changes] == [
        ("b", Action.CREATE),
        ("later", Action.WAIT),  # not due: nothing is published now, so nothing is refused
    ]
    assert [str(n) for n in plan.notices] == [
        f"a: refused: {REASON}",
        "c: waits for a, which is not published and is not in this plan (draft or failed)",
    ]
    assert [(c.id, c.action, c.reason) for c in plan.refused] == [("a", Action.CREATE, REASON)]
    assert plan.has_changes


def test_a_refused_replace_keeps_the_old_post() -> None:
    state = State(posts={"r": published("old")})
    plan = make_plan([P("r", "new", on_change="replace")], state, NOW, refused={"r": REASON})
    assert plan.changes == () and not plan.has_changes
    assert [(c.id, c.action) for c in plan.refused] == [("r", Action.REPLACE)]


def test_refusing_a_published_unchanged_post_changes_nothing() -> None:
    state = State(posts={"p": published()})
    plan = make_plan([P("p")], state, NOW, refused={"p": REASON})
    assert plan.changes == () and plan.refused == () and plan.notices == ()


def test_targets_keep_only_their_refusals() -> None:
    plan = make_plan([P("a"), P("b")], State(), NOW, targets=["b"], refused={"a": REASON})
    assert [c.id for c in plan.changes] == ["b"] and plan.refused == ()
