"""The diff: (posts, state, now) -> Plan.  Pure: no I/O, no clock, no network.

Threads cannot edit a post, so the vocabulary is small: ``create`` what is due,
``wait`` for what is scheduled, ``replace`` (delete, then create) only where a
post asks for it, ``delete`` or ``forget`` what left the content, ``move`` a
state entry whose file was renamed, and ``adopt`` a post that is already on the
account.  Posts with nothing to do are not listed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from threadsync.errors import ThreadsyncError
from threadsync.state import PostState, State

Action = Literal["create", "wait", "replace", "delete", "forget", "move", "adopt"]
ACTIONS: tuple[Action, ...] = ("create", "wait", "replace", "delete", "forget", "move", "adopt")
# Actions that make `apply` do something now (design.md: detailed exit code).
ACTING: frozenset[str] = frozenset({"create", "replace", "delete", "forget", "move", "adopt"})
PUBLISHING: frozenset[str] = frozenset({"create", "replace"})
DELETING: frozenset[str] = frozenset({"delete", "replace"})
FORMAT_VERSION = 1


class PlanError(ThreadsyncError):
    """The plan cannot be made, or is unsafe to apply."""


class PostLike(Protocol):
    """What the planner needs of a content post (see threadsync.content)."""

    @property
    def id(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def publish_at(self) -> dt.datetime | None: ...
    @property
    def draft(self) -> bool: ...
    @property
    def on_change(self) -> str: ...
    @property
    def content_hash(self) -> str: ...
    def depends_on(self) -> list[str]:
        """Content ids this post replies to or quotes."""
        ...


@dataclass(frozen=True)
class Change:
    id: str
    action: Action
    reason: str
    publish_at: dt.datetime | None = None
    post: PostLike | None = None
    previous_id: str | None = None  # move: the state entry's old id
    media_ids: tuple[str, ...] = ()  # delete/replace: what goes; adopt: what is adopted
    depends_on: tuple[str, ...] = ()

    @property
    def data(self) -> dict[str, object]:
        out: dict[str, object] = {"id": self.id, "action": self.action, "reason": self.reason}
        if self.publish_at is not None:
            out["publish_at"] = self.publish_at.isoformat()
        if self.previous_id is not None:
            out["previous_id"] = self.previous_id
        if self.media_ids:
            out["media_ids"] = list(self.media_ids)
        if self.depends_on:
            out["depends_on"] = list(self.depends_on)
        return out


@dataclass(frozen=True)
class Notice:
    """A warning attached to a post (or to the plan when ``id`` is None)."""

    id: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.id}: {self.message}" if self.id else self.message


@dataclass(frozen=True)
class Limits:
    max_posts: int = 25
    max_deletes: int | None = None  # None: 0 without prune, 10 with it


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    notices: tuple[Notice, ...] = ()
    drafts: int = 0
    lineage: str = ""
    serial: int = 0
    content_digest: str = ""
    prune: bool = False

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def summary(self) -> dict[str, int]:
        return {a: self.count(a) for a in ACTIONS}

    @property
    def has_changes(self) -> bool:
        """True when apply run now would do something (publish, delete, or change state)."""
        return any(c.action in ACTING for c in self.changes)

    def to_publish(self) -> list[Change]:
        return [c for c in self.changes if c.action in PUBLISHING]

    @property
    def data(self) -> dict[str, object]:
        return {
            "format_version": FORMAT_VERSION,
            "summary": self.summary,
            "changes": [c.data for c in self.changes],
            "state": {"lineage": self.lineage, "serial": self.serial},
            "content_digest": self.content_digest,
            "drafts": self.drafts,
            "warnings": [
                {"id": n.id, "message": n.message} if n.id else {"message": n.message}
                for n in self.notices
            ],
        }

    def raise_if_unsafe(self, limits: Limits, *, force: bool = False) -> None:
        if force:
            return
        publishing = len(self.to_publish())
        if publishing > limits.max_posts:
            raise PlanError(
                f"the plan would publish {publishing} posts, more than "
                f"limits.max_posts_per_apply ({limits.max_posts}); check it, then use --force "
                "or raise the limit in threadsync.yaml"
            )
        max_deletes = limits.max_deletes
        if max_deletes is None:
            max_deletes = 10 if self.prune else 0
        deleting = sum(1 for c in self.changes if c.action in DELETING)
        if deleting > max_deletes:
            raise PlanError(
                f"the plan would delete {deleting} published post(s), more than "
                f"limits.max_deletes_per_apply ({max_deletes}); check it, then use --force "
                "or raise the limit in threadsync.yaml"
            )


@dataclass(frozen=True)
class Remote:
    """What a refresh learned from the API (optional input to the planner)."""

    missing_media_ids: frozenset[str] = frozenset()
    # (normalised text, media count) -> media id of a post already on the account (for adopt)
    by_key: Mapping[tuple[str, int], str] = field(default_factory=dict)


def content_digest(posts: Iterable[PostLike]) -> str:
    """A hash of everything the plan depends on in the content, for stale-plan checks."""
    rows = sorted(
        (
            p.id,
            p.content_hash,
            p.publish_at.isoformat() if p.publish_at else "",
            p.draft,
            p.on_change,
        )
        for p in posts
    )
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def quota_needs(post: Any, published_parts: int = 0) -> tuple[int, int]:
    """(posts, replies) of the 24 h quota a post still needs.

    The root counts as a post unless it is itself a reply; every later part
    is a reply.  Parts already published need nothing.
    """
    remaining = len(post.parts) - published_parts
    if remaining <= 0:
        return 0, 0
    root_is_reply = post.reply_to is not None
    posts = 1 if published_parts == 0 and not root_is_reply else 0
    return posts, remaining - posts


def normalise_text(text: str) -> str:
    return " ".join(text.split()).casefold()


_FAR_PAST = dt.datetime.min.replace(tzinfo=dt.timezone.utc)


def _order_key(post: PostLike) -> tuple[dt.datetime, str]:
    return (post.publish_at or _FAR_PAST, post.path)


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
) -> Plan:
    """Diff the content against the state.

    ``root_keys`` maps post id to its root part's (normalised text, media
    count), used only to adopt posts already on the account (``remote.by_key``).
    """
    by_id = {p.id: p for p in posts}
    notices: list[Notice] = []
    drafts = sum(1 for p in posts if p.draft)

    # Sorted once and shared with ``_find_moves``, not sorted again there.
    in_order = sorted(posts, key=_order_key)
    old_ids = sorted(state.posts)
    moves = _find_moves(in_order, old_ids, state, by_id)
    moved_from = {old for old in moves.values()}
    changes: dict[str, Change] = {}
    state_only: list[Change] = []
    deletes: list[Change] = []

    for new_id, old_id in sorted(moves.items()):
        state_only.append(
            Change(
                new_id,
                "move",
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
                    "delete",
                    "removed from content; --prune deletes it from Threads",
                    media_ids=media,
                )
            )
        else:
            why = "removed from content; it stays on Threads, and threadsync forgets it"
            if entry.status == "pending":
                why = "removed from content before it finished publishing; threadsync forgets it"
            state_only.append(Change(old_id, "forget", why, media_ids=media))

    adopted: set[str] = set()
    for post in in_order:
        current = state.posts.get(post.id)
        if post.id in moves:
            current = state.posts[moves[post.id]]
        change = _diff_post(post, current, now, retry_failed, remote, root_keys, notices, adopted)
        if change is None:
            continue
        if change.action == "adopt":
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
                        "file to forget it, or delete its state entry to post it again",
                    )
                )

    ordered = _order_publishing(changes, by_id, state, notices)
    all_changes = state_only + deletes + ordered
    if targets:
        all_changes = _restrict(all_changes, targets, by_id)
    return Plan(
        changes=tuple(all_changes),
        notices=tuple(notices),
        drafts=drafts,
        lineage=state.lineage,
        serial=state.serial,
        content_digest=content_digest(posts),
        prune=prune,
    )


def _find_moves(
    in_order: Sequence[PostLike],
    old_ids: Sequence[str],
    state: State,
    by_id: Mapping[str, PostLike],
) -> dict[str, str]:
    """new id -> old id, for renamed files whose content is unchanged.

    ``in_order`` is the posts sorted by ``_order_key``; ``old_ids`` the state's
    ids, sorted.
    """
    gone_by_hash: dict[str, list[str]] = {}
    for old_id in old_ids:
        if old_id not in by_id:
            gone_by_hash.setdefault(state.posts[old_id].content_hash, []).append(old_id)
    moves: dict[str, str] = {}
    if not gone_by_hash:
        return moves
    for post in in_order:
        if post.id in state.posts or post.draft:
            continue
        candidates = gone_by_hash.get(post.content_hash)
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
                    "adopt",
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
            return Change(post.id, "create", "new post", post.publish_at, post)
        return Change(post.id, "wait", "scheduled", post.publish_at, post)
    if entry.status == "pending" and not due and not entry.media_ids:
        return Change(
            post.id,
            "wait",
            "scheduled (an earlier apply started it; its containers are checked when it is due)",
            post.publish_at,
            post,
        )
    if entry.status == "pending":
        live = len(entry.media_ids)
        if live and entry.content_hash != post.content_hash:
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
            "create",
            "resume: an earlier apply stopped part-way; its "
            "containers are checked before anything is created",
            post.publish_at,
            post,
        )
    if entry.status == "failed":
        if entry.content_hash != post.content_hash:
            return Change(
                post.id,
                "create",
                "failed before and has been edited; retrying",
                post.publish_at,
                post,
            )
        if retry_failed:
            return Change(
                post.id, "create", "failed before; retrying (--retry-failed)", post.publish_at, post
            )
        notices.append(
            Notice(
                post.id,
                f"failed: {entry.error or 'unknown error'}; edit it or run apply --retry-failed",
            )
        )
        return None
    if entry.content_hash == post.content_hash:
        return None
    if post.on_change == "replace":
        return Change(
            post.id,
            "replace",
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
) -> list[Change]:
    """Publish order: by publish_at then path, but every post after what it replies to or quotes."""
    resolved: dict[str, Change] = {}
    blocked: set[str] = set()

    def settle(pid: str, seen: tuple[str, ...] = ()) -> Change | None:
        if pid in resolved:
            return resolved[pid]
        if pid in blocked or pid in seen:
            return None
        change = changes[pid]
        post = by_id[pid]
        depends: list[str] = []
        for target in post.depends_on():
            if target not in by_id:
                continue  # validation reports unknown ids
            t_entry = state.posts.get(target)
            if t_entry is not None and t_entry.status == "published" and target not in changes:
                continue
            if target not in changes:
                blocked.add(pid)
                notices.append(
                    Notice(
                        pid,
                        f"waits for {target}, which is not published and "
                        "is not in this plan (draft or failed)",
                    )
                )
                return None
            t_change = settle(target, (*seen, pid))
            if t_change is None:
                blocked.add(pid)
                notices.append(Notice(pid, f"waits for {target}, which cannot be published"))
                return None
            if t_change.action == "wait" and change.action != "wait":
                change = Change(
                    pid,
                    "wait",
                    f"waits for {target}, scheduled for later",
                    t_change.publish_at,
                    post,
                )
            elif (
                t_change.action == "wait"
                and t_change.publish_at
                and change.publish_at
                and t_change.publish_at > change.publish_at
            ):
                change = Change(
                    pid, "wait", f"scheduled; waits for {target}", t_change.publish_at, post
                )
            depends.append(target)
        if depends:
            change = Change(
                change.id,
                change.action,
                change.reason,
                change.publish_at,
                change.post,
                change.previous_id,
                change.media_ids,
                tuple(depends),
            )
        resolved[pid] = change
        return change

    for pid in changes:
        settle(pid)
    now_items = [c for c in resolved.values() if c.action != "wait"]
    waits = [c for c in resolved.values() if c.action == "wait"]
    return _topological(now_items, by_id) + _topological(waits, by_id)


def _topological(items: list[Change], by_id: Mapping[str, PostLike]) -> list[Change]:
    """Kahn's algorithm, taking the earliest post in publish order whenever there is a choice."""
    ranked = sorted(items, key=lambda c: (c.publish_at or _FAR_PAST, by_id[c.id].path))
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
