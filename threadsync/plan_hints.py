"""Warnings a plan adds where what apply will do is right but surprising.

Pure, like the planner: both work from the changes and the state alone, and
cost one dict lookup a post at any size.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from threadsync.plan import Action, Change, Notice, PostLike
from threadsync.state import State


def _stem(post_id: str) -> str:
    return post_id.rsplit("/", 1)[-1]


def rename_hints(gone: Iterable[Change], new: Iterable[Change], state: State) -> list[Notice]:
    """A new post with the file stem of one that left: a file renamed and edited at once.

    The plan would post it again and forget (or delete) the old one; the hint says
    how to keep the published post instead.
    """
    by_stem: dict[str, list[str]] = {}
    for change in sorted(gone, key=lambda c: c.id):
        if change.action in (Action.FORGET, Action.DELETE):
            by_stem.setdefault(_stem(change.id), []).append(change.id)
    if not by_stem:
        return []
    hints: list[Notice] = []
    for change in sorted(new, key=lambda c: c.id):
        if change.id in state.posts or not (
            change.action.publishes or change.action is Action.WAIT
        ):
            continue
        candidates = by_stem.get(_stem(change.id))
        if candidates:
            old_id = candidates.pop(0)
            hints.append(
                Notice(
                    change.id,
                    f'looks like a rename of {old_id}: add "id: {old_id}" to keep it '
                    f"(or run 'threadsync state mv {old_id} {change.id}')",
                )
            )
    return hints


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
        entry = state.posts.get(post.id)
        if entry is None or not entry.media_ids or post.id in replaced:
            continue
        for target in post.depends_on():
            if target in replaced:
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
