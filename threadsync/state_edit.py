"""The state's entries as ``threadsync state`` reads and changes them: list, show, rm, mv.

These replace editing ``state.json`` by hand, which is how a post gets
published twice (an entry dropped by mistake) or the file corrupted.  Each
change checks what it is given first and raises ``StateError`` naming the fix,
so a refused change writes nothing.  Pure: the flows in ``state_flows.py``
hold the lock and save.
"""

from __future__ import annotations

import difflib
from typing import Any

from threadsync.content.ids import id_problem
from threadsync.state import PostState, State, StateError, dump_entry, utcnow

CLOSE_IDS = 5


def rows(state: State) -> list[dict[str, Any]]:
    """One row per post, sorted by id: what ``state list`` shows."""
    return [
        {
            "id": post_id,
            "status": entry.status,
            "media_id": entry.media_id,
            "permalink": entry.permalink,
            "path": entry.path,
        }
        for post_id, entry in sorted(state.posts.items())
    ]


def entry_data(post_id: str, entry: PostState) -> dict[str, Any]:
    """An entry as ``state show`` prints it: its id, then its fields as in the file."""
    return {"id": post_id, **dump_entry(entry, exclude_none=True)}


def entry_of(state: State, post_id: str, shown: str) -> PostState:
    """The entry of ``post_id``; an unknown id is refused with the ids it may have meant."""
    entry = state.posts.get(post_id)
    if entry is not None:
        return entry
    if not state.posts:
        raise StateError(f"{shown} records no posts, so none named {post_id!r}")
    close = difflib.get_close_matches(post_id, list(state.posts), n=CLOSE_IDS, cutoff=0.6)
    hint = (
        f"did you mean {', '.join(close)}?" if close else f"it records {len(state.posts)} post(s)"
    )
    raise StateError(
        f"no post {post_id!r} in {shown}; {hint} ('threadsync state list' shows every id)"
    )


def forget(state: State, post_id: str, shown: str) -> PostState:
    """Remove the entry of ``post_id`` (the post stays on Threads); returns what it held."""
    entry = entry_of(state, post_id, shown)
    del state.posts[post_id]
    return entry


def rename(state: State, old_id: str, new_id: str, shown: str) -> PostState:
    """Give the entry of ``old_id`` the id ``new_id``, which must be a free, valid post id."""
    problem = id_problem(new_id)
    if problem is not None:
        raise StateError(f"{new_id!r} can't be a post id: it {problem}")
    entry = entry_of(state, old_id, shown)
    if new_id in state.posts:
        raise StateError(
            f"{shown} already has a post {new_id!r}; 'threadsync state rm {new_id}' first "
            "if that entry is wrong"
        )
    del state.posts[old_id]
    entry.updated_at = utcnow()
    state.posts[new_id] = entry
    return entry
