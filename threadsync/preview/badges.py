"""What will happen to each post: the badge of its card, and its group in the index.

It is read from the same plan ``threadsync plan`` prints (so the preview never
disagrees with it) and from the state file (for permalinks, failures and
publish times, which the plan does not carry).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from threadsync.content import Post
from threadsync.plan import Action, Change, Plan
from threadsync.state import PostState, State

StatusKind = Literal[
    "invalid", "failed", "publish", "replace", "scheduled", "blocked", "draft", "published"
]

# The index shows the groups in this order: what needs attention first.
GROUPS: tuple[tuple[StatusKind, str], ...] = (
    ("invalid", "Errors"),
    ("failed", "Failed"),
    ("publish", "Will publish"),
    ("replace", "Will replace"),
    ("scheduled", "Scheduled"),
    ("blocked", "Waiting"),
    ("draft", "Drafts"),
    ("published", "Published"),
)


@dataclass(frozen=True)
class Status:
    """A post's plan action in words.

    ``when`` is the time the card and the index show and sort by: the
    scheduled time, or the time it was published.  ``link`` is the permalink
    of a published post (only http(s) URLs are kept).
    """

    kind: StatusKind
    label: str
    detail: str | None = None
    when: dt.datetime | None = None
    link: str | None = None

    def key(self) -> tuple[str, str, str, str, str]:
        when = self.when.isoformat() if self.when else ""
        return (self.kind, self.label, self.detail or "", when, self.link or "")


def _safe_link(url: str | None) -> str | None:
    if url and url.lower().startswith(("https://", "http://")):
        return url
    return None


def format_when(moment: dt.datetime, tz: dt.tzinfo) -> str:
    """E.g. 'Mon 4 Jan 2027, 09:00 CET'."""
    local = moment.astimezone(tz)
    zone = local.tzname() or ""
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {zone}".rstrip()


def _published(entry: PostState, notes: list[str]) -> Status:
    return Status(
        "published",
        "Published",
        "; ".join(notes) or None,
        entry.published_at,
        _safe_link(entry.permalink),
    )


def status_of(
    post: Post,
    change: Change | None,
    entry: PostState | None,
    notices: list[str],
    tz: dt.tzinfo,
) -> Status:
    """The status of one valid post (invalid files are ``invalid`` without asking this)."""
    notes = list(notices)
    if change is not None:
        if change.action is Action.WAIT:
            when = change.publish_at or post.publish_at
            label = f"Scheduled for {format_when(when, tz)}" if when else "Scheduled"
            detail = change.reason if change.reason != "scheduled" else None
            return Status("scheduled", label, detail, when)
        if change.action is Action.REPLACE:
            return Status("replace", "Will replace the published post", change.reason)
        if change.action in (Action.MOVE, Action.ADOPT):
            label = "Published (renamed)" if change.action is Action.MOVE else "Will be adopted"
            return Status("published", label, change.reason)
        if entry is not None and entry.status == "failed":
            reason = f"Failed before: {entry.error or 'unknown error'}. {change.reason}"
            return Status("publish", "Will retry at the next apply", reason, post.publish_at)
        if entry is not None and entry.status == "pending":
            return Status("publish", "Will resume at the next apply", change.reason)
        return Status("publish", "Will publish at the next apply", None, post.publish_at)
    if entry is not None and entry.status == "published":
        if post.draft:
            notes.insert(0, "already published; draft: true does not unpublish it")
        return _published(entry, [n for n in notes if not n.startswith("is published;")])
    if entry is not None and entry.status == "failed":
        return Status("failed", "Failed", entry.error or "unknown error", entry.updated_at)
    if post.draft:
        return Status("draft", "Draft", "never published while draft: true", post.publish_at)
    return Status("blocked", "Waiting", "; ".join(notes) or None, post.publish_at)


def statuses(posts: list[Post], plan: Plan, state: State, tz: dt.tzinfo) -> dict[str, Status]:
    """The status of every valid post, by id."""
    changes: Mapping[str, Change] = {c.id: c for c in plan.changes}
    notices: dict[str, list[str]] = {}
    for n in plan.notices:
        if n.id is not None:
            notices.setdefault(n.id, []).append(n.message)
    return {
        p.id: status_of(p, changes.get(p.id), state.posts.get(p.id), notices.get(p.id, []), tz)
        for p in posts
    }
