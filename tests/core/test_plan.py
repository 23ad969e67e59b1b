from __future__ import annotations

import datetime as dt
import gc
import zoneinfo
from dataclasses import dataclass

import pytest

from threadsync.config import Limits as ConfigLimits
from threadsync.diff import make_plan
from threadsync.plan import PlanError, Remote, normalise_text
from threadsync.state import Attempt, PartState, PostState, State

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.timezone.utc)
LATER = NOW + dt.timedelta(days=3)


@dataclass(frozen=True)
class P:
    id: str
    content_hash: str = "h"
    publish_at: dt.datetime | None = None
    draft: bool = False
    on_change: str = "warn"
    quote: str | None = None
    reply_to: str | None = None
    legacy_hash: str | None = None

    @property
    def path(self) -> str:
        return f"content/{self.id}.yaml"

    def depends_on(self) -> list[str]:
        # like content.Post: content ids only (media ids are digits, never content ids here)
        return [d for d in (self.reply_to, self.quote) if d and not d.isdigit()]


def published(h: str = "h", media: str = "m1") -> PostState:
    return PostState(status="published", content_hash=h, parts=[PartState(media_id=media)])


def actions(plan: object) -> list[tuple[str, str]]:
    return [(c.id, c.action.value) for c in plan.changes]  # type: ignore[attr-defined]


def test_new_due_post_is_created_and_future_one_waits() -> None:
    plan = make_plan([P("b", publish_at=LATER), P("a")], State(), NOW)
    assert actions(plan) == [("a", "create"), ("b", "wait")]
    assert plan.changes[1].publish_at == LATER
    assert plan.has_changes
    assert plan.summary["create"] == 1 and plan.summary["wait"] == 1


def test_only_waits_is_not_a_change() -> None:
    plan = make_plan([P("b", publish_at=LATER)], State(), NOW)
    assert not plan.has_changes


def test_published_and_unchanged_is_not_listed() -> None:
    state = State(posts={"a": published()})
    plan = make_plan([P("a")], state, NOW)
    assert plan.changes == ()
    assert not plan.has_changes


def test_drafts_are_skipped_and_counted() -> None:
    plan = make_plan([P("a", draft=True), P("b", draft=True), P("c")], State(), NOW)
    assert actions(plan) == [("c", "create")]
    assert plan.drafts == 2


def test_edit_after_publish_warns_by_default_and_replaces_on_request() -> None:
    state = State(posts={"a": published("old", "m9")})
    warn = make_plan([P("a", content_hash="new")], state, NOW)
    assert warn.changes == ()
    assert "Threads cannot edit a post" in warn.notices[0].message
    replace = make_plan([P("a", content_hash="new", on_change="replace")], state, NOW)
    assert actions(replace) == [("a", "replace")]
    assert replace.changes[0].media_ids == ("m9",)


def test_removed_post_is_forgotten_or_deleted_with_prune() -> None:
    state = State(posts={"gone": published(media="m5")})
    assert actions(make_plan([], state, NOW)) == [("gone", "forget")]
    pruned = make_plan([], state, NOW, prune=True)
    assert actions(pruned) == [("gone", "delete")]
    assert pruned.changes[0].media_ids == ("m5",)


def test_renamed_file_with_same_content_moves_instead_of_reposting() -> None:
    state = State(posts={"old-name": published("same")})
    plan = make_plan([P("new-name", content_hash="same")], state, NOW)
    assert actions(plan) == [("new-name", "move")]
    assert plan.changes[0].previous_id == "old-name"


def test_renamed_and_edited_is_a_forget_plus_create() -> None:
    state = State(posts={"old-name": published("before")})
    plan = make_plan([P("new-name", content_hash="after")], state, NOW)
    assert sorted(actions(plan)) == [("new-name", "create"), ("old-name", "forget")]


def test_pending_post_is_resumed_when_due() -> None:
    part = PartState(attempts=[Attempt(container_id="c", created_at=NOW)])
    state = State(posts={"a": PostState(status="pending", content_hash="h", parts=[part])})
    plan = make_plan([P("a")], state, NOW)
    assert actions(plan) == [("a", "create")]
    assert "resume" in plan.changes[0].reason


def test_pending_post_moved_to_later_waits_unless_part_of_it_is_live() -> None:
    part = PartState(attempts=[Attempt(container_id="c", created_at=NOW)])
    state = State(posts={"a": PostState(status="pending", content_hash="h", parts=[part])})
    assert actions(make_plan([P("a", publish_at=LATER)], state, NOW)) == [("a", "wait")]
    started = PostState(
        status="pending", content_hash="h", parts=[PartState(media_id="m1"), PartState()]
    )
    plan = make_plan([P("a", publish_at=LATER)], State(posts={"a": started}), NOW)
    assert actions(plan) == [("a", "create")]  # a half-published thread is finished now


def test_editing_a_half_published_thread_warns_that_live_parts_keep_the_old_text() -> None:
    started = PostState(
        status="pending", content_hash="h", parts=[PartState(media_id="m1"), PartState()]
    )
    state = State(posts={"a": started})
    assert make_plan([P("a")], state, NOW).notices == ()
    plan = make_plan([P("a", content_hash="edited")], state, NOW)
    assert actions(plan) == [("a", "create")]
    assert [str(n) for n in plan.notices] == [
        "a: was edited after 1 of its 2 part(s) went live; those keep the old text "
        "(Threads can't edit a post), and the rest go out as edited"
    ]
    # Nothing live yet: an edit is simply published as edited, with no warning.
    fresh = PostState(status="pending", content_hash="h", parts=[PartState(), PartState()])
    assert make_plan([P("a", content_hash="edited")], State(posts={"a": fresh}), NOW).notices == ()


def test_failed_post_is_retried_only_when_edited_or_asked() -> None:
    state = State(
        posts={"a": PostState(status="failed", content_hash="h", error="INVALID_DURATION")}
    )
    stay = make_plan([P("a")], state, NOW)
    assert stay.changes == ()
    assert "INVALID_DURATION" in stay.notices[0].message
    assert actions(make_plan([P("a", content_hash="h2")], state, NOW)) == [("a", "create")]
    assert actions(make_plan([P("a")], state, NOW, retry_failed=True)) == [("a", "create")]


def test_replies_and_quotes_come_after_their_targets() -> None:
    early = NOW - dt.timedelta(days=2)
    posts = [
        P("z-target", publish_at=NOW - dt.timedelta(days=1)),
        P("a-reply", publish_at=early, reply_to="z-target"),
        P("b-quote", publish_at=early, quote="a-reply"),
        P("c-plain", publish_at=early),
    ]
    plan = make_plan(posts, State(), NOW)
    assert [c.id for c in plan.changes] == ["c-plain", "z-target", "a-reply", "b-quote"]
    assert plan.changes[2].depends_on == ("z-target",)


def test_a_plan_leaves_no_cycle_keeping_the_content_and_state_alive() -> None:
    # Freed as soon as the plan is dropped, not at some later collection (10,000
    # posts and entries take tens of milliseconds to free, in whatever runs then).
    posts = [P("target"), P("reply", reply_to="target"), P("later", publish_at=LATER)]
    gc.collect()
    gc.disable()
    try:
        make_plan(posts, State(posts={"gone": published()}), NOW)
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_an_undated_post_goes_out_as_if_dated_now() -> None:
    # A post without publish_at is not "before everything": due posts dated
    # earlier go first, even when the undated one's path sorts first.
    posts = [
        P("a-undated"),
        P("b-hour-ago", publish_at=NOW - dt.timedelta(hours=1)),
        P("c-yesterday", publish_at=NOW - dt.timedelta(days=1)),
        P("d-later", publish_at=LATER),
    ]
    plan = make_plan(posts, State(), NOW)
    assert actions(plan) == [
        ("c-yesterday", "create"),
        ("b-hour-ago", "create"),
        ("a-undated", "create"),
        ("d-later", "wait"),
    ]


def test_an_undated_post_and_one_dated_now_are_ordered_by_path() -> None:
    dated_first = make_plan([P("b"), P("a", publish_at=NOW)], State(), NOW)
    assert [c.id for c in dated_first.changes] == ["a", "b"]
    undated_first = make_plan([P("b", publish_at=NOW), P("a")], State(), NOW)
    assert [c.id for c in undated_first.changes] == ["a", "b"]


def test_a_reply_to_an_undated_post_still_follows_it() -> None:
    # "c-reply" is dated before "b-dated", but must wait for its undated target,
    # which goes out at "now": after "b-dated".
    posts = [
        P("a-undated"),
        P("b-dated", publish_at=NOW - dt.timedelta(hours=1)),
        P("c-reply", publish_at=NOW - dt.timedelta(hours=2), reply_to="a-undated"),
    ]
    plan = make_plan(posts, State(), NOW)
    assert [c.id for c in plan.changes] == ["b-dated", "a-undated", "c-reply"]


def test_a_rename_goes_to_the_first_post_in_publishing_order() -> None:
    # Two new files with the content of one removed post: the one published
    # first under the publishing order takes over its state entry.
    state = State(posts={"old": published()})
    posts = [P("a-undated"), P("b-hour-ago", publish_at=NOW - dt.timedelta(hours=1))]
    plan = make_plan(posts, state, NOW)
    assert actions(plan) == [("b-hour-ago", "move"), ("a-undated", "create")]


def test_reply_to_a_scheduled_post_waits_for_it() -> None:
    posts = [P("target", publish_at=LATER), P("reply", reply_to="target")]
    plan = make_plan(posts, State(), NOW)
    assert actions(plan) == [("target", "wait"), ("reply", "wait")]
    assert plan.changes[1].publish_at == LATER
    assert "waits for target" in plan.changes[1].reason


def test_reply_to_published_target_needs_nothing() -> None:
    state = State(posts={"target": published()})
    plan = make_plan([P("target"), P("reply", reply_to="target")], state, NOW)
    assert actions(plan) == [("reply", "create")]
    assert plan.changes[0].depends_on == ()


def test_reply_to_a_draft_is_held_back_with_a_warning() -> None:
    plan = make_plan([P("target", draft=True), P("reply", reply_to="target")], State(), NOW)
    assert plan.changes == ()
    assert "waits for target" in plan.notices[0].message


def test_reply_to_a_threads_media_id_is_not_a_dependency() -> None:
    plan = make_plan([P("reply", reply_to="1789000111")], State(), NOW)
    assert actions(plan) == [("reply", "create")]


def test_target_limits_plan_to_post_and_its_dependencies() -> None:
    posts = [P("t"), P("r", reply_to="t"), P("other")]
    plan = make_plan(posts, State(), NOW, targets=["r"])
    assert actions(plan) == [("t", "create"), ("r", "create")]
    with pytest.raises(PlanError, match="'nope' is not a post id"):
        make_plan(posts, State(), NOW, targets=["nope"])


def test_refresh_reports_drift_and_adopts_existing_posts() -> None:
    state = State(posts={"a": published(media="m1")})
    remote = Remote(
        missing_media_ids=frozenset({"m1"}), by_key={(normalise_text("Hello  World"), 0): "m7"}
    )
    plan = make_plan(
        [P("a"), P("b"), P("c")],
        state,
        NOW,
        remote=remote,
        root_keys={"b": ("hello world", 0), "a": ("x", 0), "c": ("hello world", 1)},
    )
    assert actions(plan) == [("b", "adopt"), ("c", "create")]  # c has an image: not the same
    assert plan.changes[0].media_ids == ("m7",)
    drift = [str(n) for n in plan.notices if "deleted on Threads outside threadsync" in n.message]
    assert drift == [
        "a: was deleted on Threads outside threadsync (drift); remove the file to forget it, "
        "or run 'threadsync state rm a' to post it again"
    ]


def test_safety_limits() -> None:
    defaults = ConfigLimits()
    many = make_plan([P(f"p{i:02}") for i in range(30)], State(), NOW)
    refusal = many.refusal(max_posts=defaults.max_posts_per_apply, max_deletes=0)
    assert refusal is not None and "publish 30 posts, more than" in refusal and "(25)" in refusal
    assert many.refusal(max_posts=30, max_deletes=0) is None

    state = State(posts={"gone": published()})
    deleting = make_plan([], state, NOW, prune=True)
    # Pruning deletes by design: its own limit, 10 by default, allows a few.
    assert deleting.refusal(max_posts=25, max_deletes=defaults.max_deletes(prune=True)) is None
    refusal = deleting.refusal(max_posts=25, max_deletes=0)
    assert refusal is not None and "delete 1 published post" in refusal
    assert "limits.max_prune_deletes_per_apply (0)" in refusal
    replacing = make_plan([P("gone", content_hash="x", on_change="replace")], state, NOW)
    refusal = replacing.refusal(max_posts=25, max_deletes=defaults.max_deletes(prune=False))
    assert refusal is not None and "limits.max_deletes_per_apply (0)" in refusal


def test_the_delete_limit_is_the_prune_one_only_when_pruning() -> None:
    limits = ConfigLimits(max_deletes_per_apply=2, max_prune_deletes_per_apply=7)
    assert limits.max_deletes(prune=False) == 2
    assert limits.max_deletes(prune=True) == 7
    assert ConfigLimits().max_deletes(prune=True) == 10
    assert ConfigLimits().max_deletes(prune=False) == 0


def test_plan_data_follows_the_contract() -> None:
    state = State(serial=7)
    plan = make_plan([P("a"), P("b", publish_at=LATER)], state, NOW)
    data = plan.data
    assert data["format_version"] == 1
    assert data["state"] == {"lineage": state.lineage, "serial": 7}
    assert data["summary"]["create"] == 1  # type: ignore[index]
    assert data["changes"] == [  # type: ignore[comparison-overlap]
        {"id": "a", "action": "create", "reason": "new post"},
        {"id": "b", "action": "wait", "reason": "scheduled", "publish_at": LATER.isoformat()},
    ]


def test_posts_are_planned_by_the_instant_they_go_out_across_a_dst_change() -> None:
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    # 02:30 does not exist in Berlin on 2027-03-28: it is 01:30 UTC, after 03:10 (01:10 UTC).
    gap = dt.datetime(2027, 3, 28, 2, 30, tzinfo=berlin)
    after = dt.datetime(2027, 3, 28, 3, 10, tzinfo=berlin)
    between = dt.datetime(2027, 3, 28, 1, 20, tzinfo=dt.timezone.utc)
    posts = [P("a-gap", publish_at=gap), P("b-after", publish_at=after), P("c", publish_at=between)]
    plan = make_plan(posts, State(), NOW)
    assert [c.id for c in plan.changes] == ["b-after", "c", "a-gap"]


def test_content_digest_changes_with_content() -> None:
    a = make_plan([P("a")], State(), NOW).content_digest
    b = make_plan([P("a", content_hash="other")], State(), NOW).content_digest
    c = make_plan([P("a")], State(), NOW).content_digest
    assert a == c != b


def test_content_digest_is_worked_out_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    import threadsync.plan as plan_module

    posts = [P("a"), P("b", content_hash="other")]
    expected = plan_module.content_digest(posts)
    calls: list[int] = []
    real = plan_module.content_digest

    def counting(given: object) -> str:
        calls.append(1)
        return real(given)  # type: ignore[arg-type]

    monkeypatch.setattr(plan_module, "content_digest", counting)
    plan = make_plan(posts, State(posts={"a": published()}), NOW)
    assert calls == []  # a text plan never shows it: no cost for the common case
    assert plan.content_digest == expected
    assert plan.content_digest == expected and calls == [1]  # then kept


@dataclass(frozen=True)
class Q:
    parts: tuple[str, ...]
    reply_to: str | None = None


def test_quota_needs_counts_posts_and_replies_still_to_publish() -> None:
    from threadsync.plan import quota_needs

    assert quota_needs(Q(("root",))) == (1, 0)
    assert quota_needs(Q(("root", "2", "3"))) == (1, 2)
    assert quota_needs(Q(("root", "2", "3")), published_parts=1) == (0, 2)
    assert quota_needs(Q(("reply", "2"), reply_to="x")) == (0, 2)
    assert quota_needs(Q(("root", "2")), published_parts=2) == (0, 0)


def test_a_renamed_and_edited_file_gets_a_hint_to_keep_its_id() -> None:
    state = State(posts={"news/launch": published(h="old"), "news/other": published(h="o")})
    plan = make_plan(
        [P("blog/launch", content_hash="edited"), P("blog/fresh", content_hash="f")],
        state,
        NOW,
    )
    assert actions(plan) == [
        ("news/launch", "forget"),
        ("news/other", "forget"),
        ("blog/fresh", "create"),
        ("blog/launch", "create"),
    ]
    assert [str(n) for n in plan.notices] == [
        'blog/launch: looks like a rename of news/launch: add "id: news/launch" to keep it '
        "(or run 'threadsync state mv news/launch blog/launch')"
    ]
    # A plain rename (same content) is a move, with no hint.
    moved = make_plan([P("blog/launch", content_hash="old")], state, NOW)
    assert ("blog/launch", "move") in actions(moved)
    assert not [n for n in moved.notices if "rename" in n.message]
