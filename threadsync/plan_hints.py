"""Warnings a plan adds where what apply will do is right but surprising.

Pure, like the planner: they work from the changes and the state alone, and
cost one dict lookup a post at any size.  ``similar_pairs`` compares texts the
caller read (``threadsync.oldtext``), for the few posts the file stems left unpaired.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from difflib import SequenceMatcher

from threadsync.plan import Action, Change, Notice, PostLike
from threadsync.state import State

SIMILAR = 0.7  # the share of words two source files have in common to look like one post
MAX_WORDS = 400  # of each source file; a post is at most a few hundred words


def _stem(post_id: str) -> str:
    return post_id.rsplit("/", 1)[-1]


def _stem_pairs(gone: Iterable[Change], new: Iterable[Change], state: State) -> dict[str, str]:
    """New id -> old id, for a new post with the file stem of a forgotten or deleted one."""
    by_stem: dict[str, list[str]] = {}
    for change in sorted(gone, key=lambda c: c.id):
        if change.action in (Action.FORGET, Action.DELETE):
            by_stem.setdefault(_stem(change.id), []).append(change.id)
    pairs: dict[str, str] = {}
    if not by_stem:
        return pairs
    for change in sorted(new, key=lambda c: c.id):
        if _is_new(change, state) and (candidates := by_stem.get(_stem(change.id))):
            pairs[change.id] = candidates.pop(0)
    return pairs


def _is_new(change: Change, state: State) -> bool:
    """A post the state does not know, that apply publishes now or later."""
    return change.id not in state.posts and (
        change.action.publishes or change.action is Action.WAIT
    )


def rename_notices(pairs: Mapping[str, str]) -> list[Notice]:
    """The hint for each new id -> old id that look like one post renamed and edited."""
    return [
        Notice(
            new_id,
            f'looks like a rename of {old_id}: add "id: {old_id}" to keep it '
            f"(or run 'threadsync state mv {shlex.quote(old_id)} {shlex.quote(new_id)}')",
        )
        for new_id, old_id in pairs.items()
    ]


def rename_hints(gone: Iterable[Change], new: Iterable[Change], state: State) -> list[Notice]:
    """A new post with the file stem of one that left: a file renamed and edited at once.

    The plan would post it again and forget (or delete) the old one; the hint says
    how to keep the published post instead.
    """
    return rename_notices(_stem_pairs(gone, new, state))


def unpaired(changes: Sequence[Change], state: State) -> tuple[list[str], list[str]]:
    """(new ids, gone ids) of a plan that the file-stem hint did not pair, each sorted.

    What is left for the text comparison (``similar_pairs``) to look at.
    """
    gone = [c for c in changes if c.action in (Action.FORGET, Action.DELETE)]
    new = [c for c in changes if _is_new(c, state)]
    pairs = _stem_pairs(gone, new, state)
    paired_old = set(pairs.values())
    return (
        sorted(c.id for c in new if c.id not in pairs),
        sorted(c.id for c in gone if c.id not in paired_old),
    )


def similar_pairs(
    old: Mapping[str, str],
    new: Mapping[str, str],
    threshold: float = SIMILAR,
    *,
    deadline: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, str]:
    """New id -> old id whose source texts are nearly the same, best match first.

    Compared word by word (a slight edit changes a few words, and words keep two
    unrelated posts in one language from looking alike, as their letters would),
    the first ``MAX_WORDS`` of each.  Each post is paired at most once.

    Both sides can come from a pull request (its files, and state entries naming
    files in HEAD), and ``ratio()`` on texts made to match costs milliseconds a
    pair: past ``deadline`` (of ``clock``) no more pairs are compared.
    """
    old_words = {pid: text.split()[:MAX_WORDS] for pid, text in old.items()}
    scored: list[tuple[float, str, str]] = []
    for new_id, text in new.items():
        matcher = SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(text.split()[:MAX_WORDS])  # seq2 is the one the matcher indexes
        for old_id, words in old_words.items():
            if deadline is not None and clock() > deadline:
                break
            matcher.set_seq1(words)
            if (
                matcher.real_quick_ratio() >= threshold
                and matcher.quick_ratio() >= threshold
                and (score := matcher.ratio()) >= threshold
            ):
                scored.append((-score, new_id, old_id))
    pairs: dict[str, str] = {}
    taken: set[str] = set()
    for _, new_id, old_id in sorted(scored):
        if new_id not in pairs and old_id not in taken:
            pairs[new_id] = old_id
            taken.add(old_id)
    return dict(sorted(pairs.items()))


def replace_hints(
    changes: Iterable[Change], posts: Sequence[PostLike], state: State
) -> list[Notice]:
    """A replace deletes a post that published content replies to or quotes.

    Those posts stay on Threads and keep pointing at the deleted one: apply does
    not touch them, and only posts published after the replace point at the new one.
    """
    replaced = {c.id for c in changes if c.action is Action.REPLACE}
    if not replaced:
        return []
    dependants: dict[str, list[str]] = {}
    for post in posts:
        # The references first: few posts have any, and they cost less than the entry.
        refs = post.depends_on()
        if not refs:
            continue
        targets = [t for t in refs if t in replaced]
        if not targets or post.id in replaced:
            continue
        entry = state.posts.get(post.id)
        if entry is None or not entry.media_ids:
            continue
        for target in targets:
            dependants.setdefault(target, []).append(post.id)
    hints: list[Notice] = []
    for target, ids in sorted(dependants.items()):
        names = ", ".join(sorted(ids))
        hints.append(
            Notice(
                target,
                f"on_change: replace deletes the post that {names} "
                f"{'replies' if len(ids) == 1 else 'reply'} to or "
                f"{'quotes' if len(ids) == 1 else 'quote'}: on Threads "
                f"{'it' if len(ids) == 1 else 'they'} will point at a deleted post. apply "
                f"deletes the old post, publishes the new one and leaves {names} as "
                f"{'it is' if len(ids) == 1 else 'they are'}",
            )
        )
    return hints
