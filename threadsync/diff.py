"""The diff: (posts, state, now) -> Plan.  Pure: no I/O, no clock, no network.

Posts with nothing to do are not listed.  Publishing order is by ``publish_at``
then path, a post without ``publish_at`` counting as dated ``now`` (as the content
loader orders it), except that a post always comes after what it replies to or quotes.
"""

from __future__ import annotations

import datetime as dt
import heapq
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import replace

from threadsync.plan import (
    Action,
    Change,
    Notice,
    Plan,
    PlanError,
    PostLike,
    Remote,
    same_content,
)
from threadsync.plan_hints import rename_hints, replace_hints
from threadsync.state import PostState, State

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def _order_key(when: dt.datetime | None, path: str, now: dt.datetime) -> tuple[dt.timedelta, str]:
    """An undated post goes out as if dated ``now``: after due posts dated earlier.

    The key is the time since the epoch, so posts order by the instant, cheaply:
    two times in one zone compare by wall clock (out of order across a DST
    change), and times in different zones call utcoffset() on every comparison.
    """
    return ((when or now) - _EPOCH, path)


def make_plan(
    posts: Sequence[PostLike],
    state: State,
    now: dt.datetime,
    *,
    prune: bool = False,
    retry_failed: bool = False,
    targets: Sequence[str] = (),
    remote: Remote | None = None,
    root_keys: Mapping[str, tuple[str, int]] | None = None,
    refused: Mapping[str, str] | None = None,
    in_order: bool = False,
) -> Plan:
    """Diff the content against the state.

    ``in_order``: ``posts`` are already in publishing order at ``now``, as
    ``load_project`` returns them when given the same ``now``; they are not
    sorted again.

    ``root_keys`` maps post id to its root part's (normalised text, media
    count), used only to adopt posts already on the account (``remote.by_key``).
    ``refused`` maps post id to why it may not be published now (its media do
    not match the commit its URLs pin): such a post is left out, with a notice,
    and what depends on it waits.
    """
    by_id = {p.id: p for p in posts}
    notices: list[Notice] = []
    drafts = sum(1 for p in posts if p.draft)

    # Sorted once and shared with ``_find_moves``, not sorted again there.
    in_turn = (
        list(posts)
        if in_order
        else sorted(posts, key=lambda p: _order_key(p.publish_at, p.path, now))
    )
    entries = state.posts
    # One pass over every post: most are published and unchanged, and need
    # nothing more.  The rest keep their entry (None: not recorded) and order.
    todo: list[tuple[PostLike, PostState | None]] = []
    for post in in_turn:
        current = entries.get(post.id)
        if (
            current is not None
            and current.status == "published"
            and not post.draft
            and current.content_hash == post.content_hash
        ):
            continue
        todo.append((post, current))
    old_ids = sorted(entries)
    moves = _find_moves([p for p, e in todo if e is None], old_ids, state, by_id)
    moved_from = {old for old in moves.values()}
    changes: dict[str, Change] = {}
    state_only: list[Change] = []
    deletes: list[Change] = []

    for new_id, old_id in sorted(moves.items()):
        state_only.append(
            Change(
                new_id,
                Action.MOVE,
                f"renamed from {old_id}: same content, so its state entry moves and nothing "
                "is posted again",
                previous_id=old_id,
                post=by_id[new_id],
            )
        )

    for old_id in old_ids:
        if old_id in by_id or old_id in moved_from:
            continue
        entry = state.posts[old_id]
        media = tuple(entry.media_ids)
        if prune and media:
            deletes.append(
                Change(
                    old_id,
                    Action.DELETE,
                    "removed from content; --prune deletes it from Threads",
                    media_ids=media,
                )
            )
        else:
            why = "removed from content; it stays on Threads, and threadsync forgets it"
            if entry.status == "pending":
                why = "removed from content before it finished publishing; threadsync forgets it"
            state_only.append(Change(old_id, Action.FORGET, why, media_ids=media))

    adopted: set[str] = set()
    refusals: list[Change] = []
    for post, current in todo:
        if current is None and post.id in moves:
            current = entries[moves[post.id]]
        change = _diff_post(post, current, now, retry_failed, remote, root_keys, notices, adopted)
        if change is None:
            continue
        if refused and change.action.publishes and post.id in refused:
            notices.append(Notice(post.id, f"refused: {refused[post.id]}"))
            refusals.append(replace(change, reason=refused[post.id]))
            continue
        if change.action is Action.ADOPT:
            state_only.append(change)
        else:
            changes[post.id] = change

    if remote is not None:
        for pid, entry in sorted(state.posts.items()):
            gone = [m for m in entry.media_ids if m in remote.missing_media_ids]
            if gone:
                notices.append(
                    Notice(
                        pid,
                        "was deleted on Threads outside threadsync (drift); remove the "
                        "file to forget it, or run "
                        f"'threadsync state rm {shlex.quote(pid)}' to post it again",
                    )
                )

    notices.extend(rename_hints([*state_only, *deletes], changes.values(), state))
    notices.extend(replace_hints(changes.values(), posts, state))
    ordered = _order_publishing(changes, by_id, state, notices, now)
    all_changes = state_only + deletes + ordered
    if targets:
        all_changes = _restrict(all_changes, targets, by_id)
        refusals = [c for c in refusals if c.id in targets]
    return Plan(
        changes=tuple(all_changes),
        notices=tuple(notices),
        drafts=drafts,
        lineage=state.lineage,
        serial=state.serial,
        content=tuple(posts),
        prune=prune,
        refused=tuple(refusals),
    )


def _find_moves(
    unrecorded: Sequence[PostLike],
    old_ids: Sequence[str],
    state: State,
    by_id: Mapping[str, PostLike],
) -> dict[str, str]:
    """new id -> old id, for renamed files whose content is unchanged.

    ``unrecorded`` is the posts the state does not record, sorted by
    ``_order_key``; ``old_ids`` the state's ids, sorted.
    """
    gone_by_hash: dict[str, list[str]] = {}
    for old_id in old_ids:
        if old_id not in by_id:
            gone_by_hash.setdefault(state.posts[old_id].content_hash, []).append(old_id)
    moves: dict[str, str] = {}
    if not gone_by_hash:
        return moves
    for post in unrecorded:
        if post.draft:
            continue
        candidates = gone_by_hash.get(post.content_hash)
        if not candidates and post.legacy_hash is not None:
            candidates = gone_by_hash.get(post.legacy_hash)
        if candidates:
            moves[post.id] = candidates.pop(0)
    return moves


def _diff_post(
    post: PostLike,
    entry: PostState | None,
    now: dt.datetime,
    retry_failed: bool,
    remote: Remote | None,
    root_keys: Mapping[str, tuple[str, int]] | None,
    notices: list[Notice],
    adopted: set[str],
) -> Change | None:
    if post.draft:
        if entry is not None and entry.status == "published":
            notices.append(Notice(post.id, "is published; draft: true does not unpublish it"))
        return None
    due = post.publish_at is None or post.publish_at <= now
    if entry is None:
        key = root_keys.get(post.id) if root_keys is not None else None
        if remote is not None and key is not None:
            media_id = remote.by_key.get(key)
            if media_id and media_id not in adopted:
                adopted.add(media_id)  # one post on the account is adopted once
                return Change(
                    post.id,
                    Action.ADOPT,
                    "already on the account with the same text; "
                    + (
                        "recorded as published, not posted again"
                        if len(getattr(post, "parts", ())) <= 1
                        else "its root is recorded, and the next apply publishes the rest "
                        "of the thread under it"
                    ),
                    media_ids=(media_id,),
                    post=post,
                )
        if due:
            return Change(post.id, Action.CREATE, "new post", post.publish_at, post)
        return Change(post.id, Action.WAIT, "scheduled", post.publish_at, post)
    if entry.status == "pending" and not due and not entry.media_ids:
        return Change(
            post.id,
            Action.WAIT,
            "scheduled (an earlier apply started it; its containers are checked when it is due)",
            post.publish_at,
            post,
        )
    if entry.status == "pending":
        live = len(entry.media_ids)
        if live and not same_content(post, entry.content_hash):
            notices.append(
                Notice(
                    post.id,
                    f"was edited after {live} of its {len(entry.parts)} part(s) went live; "
                    "those keep the old text (Threads can't edit a post), and the rest go "
                    "out as edited",
                )
            )
        return Change(
            post.id,
            Action.CREATE,
            "resume: an earlier apply stopped part-way; its "
            "containers are checked before anything is created",
            post.publish_at,
            post,
        )
    if entry.status == "failed":
        if not same_content(post, entry.content_hash):
            return Change(
                post.id,
                Action.CREATE,
                "failed before and has been edited; retrying",
                post.publish_at,
                post,
            )
        if retry_failed:
            return Change(
                post.id,
                Action.CREATE,
                "failed before; retrying (--retry-failed)",
                post.publish_at,
                post,
            )
        notices.append(
            Notice(
                post.id,
                f"failed: {entry.error or 'unknown error'}; edit it or run apply --retry-failed",
            )
        )
        return None
    if same_content(post, entry.content_hash):
        return None
    if post.on_change == "replace":
        return Change(
            post.id,
            Action.REPLACE,
            "edited after publishing (on_change: replace): "
            "delete the old post, then publish the new one",
            post.publish_at,
            post,
            media_ids=tuple(entry.media_ids),
        )
    notices.append(
        Notice(
            post.id,
            "was edited after publishing; Threads cannot edit a post, "
            "so nothing will change (set on_change: replace to repost)",
        )
    )
    return None


def _order_publishing(
    changes: Mapping[str, Change],
    by_id: Mapping[str, PostLike],
    state: State,
    notices: list[Notice],
    now: dt.datetime,
) -> list[Change]:
    """Publish order: by publish_at then path, but every post after what it replies to or quotes."""
    settler = _Settler(changes, by_id, state, notices)
    for pid in changes:
        settler.settle(pid)
    resolved = settler.resolved
    now_items = [c for c in resolved.values() if c.action is not Action.WAIT]
    waits = [c for c in resolved.values() if c.action is Action.WAIT]
    return _topological(now_items, by_id, now) + _topological(waits, by_id, now)


class _Settler:
    """Each change as it goes out given what it depends on (or None: it can't go out).

    A class, not a recursive closure: a closure that calls itself is a reference
    cycle, which kept every post and state entry alive until the next garbage
    collection, and made that collection pay for freeing them.
    """

    def __init__(
        self,
        changes: Mapping[str, Change],
        by_id: Mapping[str, PostLike],
        state: State,
        notices: list[Notice],
    ) -> None:
        self.changes = changes
        self.by_id = by_id
        self.state = state
        self.notices = notices
        self.resolved: dict[str, Change] = {}
        self.blocked: set[str] = set()

    def settle(self, pid: str, seen: tuple[str, ...] = ()) -> Change | None:
        if pid in self.resolved:
            return self.resolved[pid]
        if pid in self.blocked or pid in seen:
            return None
        change = self.changes[pid]
        post = self.by_id[pid]
        depends: list[str] = []
        for target in post.depends_on():
            if target not in self.by_id:
                continue  # validation reports unknown ids
            t_entry = self.state.posts.get(target)
            if t_entry is not None and t_entry.status == "published" and target not in self.changes:
                continue
            if target not in self.changes:
                self.blocked.add(pid)
                self.notices.append(
                    Notice(
                        pid,
                        f"waits for {target}, which is not published and "
                        "is not in this plan (draft or failed)",
                    )
                )
                return None
            t_change = self.settle(target, (*seen, pid))
            if t_change is None:
                self.blocked.add(pid)
                self.notices.append(Notice(pid, f"waits for {target}, which cannot be published"))
                return None
            if t_change.action is Action.WAIT and change.action is not Action.WAIT:
                change = _waiting(change, f"waits for {target}, scheduled for later", t_change)
            elif (
                t_change.action is Action.WAIT
                and t_change.publish_at
                and change.publish_at
                and t_change.publish_at > change.publish_at
            ):
                change = _waiting(change, f"scheduled; waits for {target}", t_change)
            depends.append(target)
        if depends:
            change = replace(change, depends_on=tuple(depends))
        self.resolved[pid] = change
        return change


def _waiting(change: Change, reason: str, target: Change) -> Change:
    """``change`` held back until ``target`` (scheduled later) has gone out."""
    return replace(
        change,
        action=Action.WAIT,
        reason=reason,
        publish_at=target.publish_at,
        previous_id=None,
        media_ids=(),
    )


def _topological(
    items: list[Change], by_id: Mapping[str, PostLike], now: dt.datetime
) -> list[Change]:
    """Kahn's algorithm, taking the earliest post in publish order whenever there is a choice."""
    ranked = sorted(items, key=lambda c: _order_key(c.publish_at, by_id[c.id].path, now))
    rank = {c.id: i for i, c in enumerate(ranked)}
    waiting_on: dict[str, int] = {}
    dependents: dict[str, list[str]] = {}
    for c in ranked:
        deps = [d for d in c.depends_on if d in rank]
        waiting_on[c.id] = len(deps)
        for d in deps:
            dependents.setdefault(d, []).append(c.id)
    ready = [rank[c.id] for c in ranked if waiting_on[c.id] == 0]
    heapq.heapify(ready)
    out: list[Change] = []
    while ready:
        change = ranked[heapq.heappop(ready)]
        out.append(change)
        for dep in dependents.get(change.id, ()):
            waiting_on[dep] -= 1
            if waiting_on[dep] == 0:
                heapq.heappush(ready, rank[dep])
    if len(out) < len(ranked):  # a cycle: validation reports it; keep the publish order
        placed = {c.id for c in out}
        out.extend(c for c in ranked if c.id not in placed)
    return out


def _restrict(
    changes: list[Change], targets: Sequence[str], by_id: Mapping[str, PostLike]
) -> list[Change]:
    known = {c.id for c in changes} | set(by_id)
    unknown = [t for t in targets if t not in known]
    if unknown:
        raise PlanError(f"--target {unknown[0]!r} is not a post id; see 'threadsync validate'")
    wanted: set[str] = set()
    stack = list(targets)
    by_change = {c.id: c for c in changes}
    while stack:
        pid = stack.pop()
        if pid in wanted:
            continue
        wanted.add(pid)
        change = by_change.get(pid)
        if change is not None:
            stack.extend(change.depends_on)
    return [c for c in changes if c.id in wanted]
