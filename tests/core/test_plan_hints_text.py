"""The text half of the rename hint: which new and gone posts are compared, and how."""

from __future__ import annotations

from threadsync.diff import make_plan
from threadsync.plan_hints import similar_pairs, unpaired
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
