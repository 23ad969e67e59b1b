"""``threadsync status``: where every post stands, from the state file and the content.

A pure function of (posts, state, now), like the planner; the command adds
what only the API knows (the token's expiry and the 24 h quota).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from threadsync.content.models import Post
from threadsync.plan import same_content
from threadsync.state import State


@dataclass(frozen=True)
class PostLine:
    """One post in a status list."""

    id: str
    when: dt.datetime | None = None  # published_at, or publish_at when scheduled
    text: str = ""  # the first line of the root part, when the post is in the content
    permalink: str | None = None
    detail: str = ""

    def data(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id}
        if self.when is not None:
            out["when"] = self.when.isoformat()
        if self.text:
            out["text"] = self.text
        if self.permalink:
            out["permalink"] = self.permalink
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass
class Status:
    """Every post, in one of the groups a person asks about."""

    published: list[PostLine] = field(default_factory=list)  # newest first
    due: list[PostLine] = field(default_factory=list)  # the next apply publishes them
    scheduled: list[PostLine] = field(default_factory=list)  # soonest first
    pending: list[PostLine] = field(default_factory=list)
    failed: list[PostLine] = field(default_factory=list)
    removed: list[PostLine] = field(default_factory=list)  # in state, gone from the content
    drafts: int = 0
    serial: int = 0
    lineage: str = ""
    user_id: str | None = None

    def data(self) -> dict[str, Any]:
        groups = ("published", "due", "scheduled", "pending", "failed", "removed")
        out: dict[str, Any] = {
            "summary": {g: len(getattr(self, g)) for g in groups} | {"drafts": self.drafts},
            "state": {"lineage": self.lineage, "serial": self.serial, "user_id": self.user_id},
        }
        for g in groups:
            out[g] = [line.data() for line in getattr(self, g)]
        return out


def first_line(text: str, width: int = 60) -> str:
    line = text.strip().split("\n", 1)[0].strip()
    return line if len(line) <= width else line[: width - 1] + "…"


def summarize(posts: Sequence[Post], state: State, now: dt.datetime) -> Status:
    """Group the content's posts and the state's entries by where they stand."""
    status = Status(serial=state.serial, lineage=state.lineage, user_id=state.user_id)
    in_content = {p.id: p for p in posts}
    for post_id, entry in state.posts.items():
        post = in_content.get(post_id)
        text = first_line(post.parts[0].text) if post else ""
        if post is None and entry.status == "published":
            status.removed.append(
                PostLine(post_id, entry.published_at, permalink=entry.permalink, detail="published")
            )
        elif entry.status == "published":
            edited = post is not None and not same_content(post, entry.content_hash)
            status.published.append(
                PostLine(
                    post_id,
                    entry.published_at,
                    text,
                    entry.permalink,
                    "edited since it was published" if edited else "",
                )
            )
        elif entry.status == "failed":
            error = entry.error or "unknown error"
            status.failed.append(PostLine(post_id, text=text, detail=error))
        else:
            done = sum(1 for part in entry.parts if part.media_id)
            containers = sum(len(part.open_attempts()) for part in entry.parts)
            detail = (
                f"{done} of {len(entry.parts)} part(s) published, {containers} open container(s)"
            )
            status.pending.append(PostLine(post_id, text=text, detail=detail))
    for post in posts:
        if post.draft:
            status.drafts += 1
            continue
        if post.id in state.posts:
            continue
        line = PostLine(post.id, post.publish_at, first_line(post.parts[0].text))
        if post.publish_at is not None and post.publish_at > now:
            status.scheduled.append(line)
        else:
            status.due.append(line)
    never = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    status.published.sort(key=lambda line: (line.when or never, line.id), reverse=True)
    status.removed.sort(key=lambda line: line.id)
    status.scheduled.sort(key=lambda line: (line.when or never, line.id))
    for group in (status.pending, status.failed):
        group.sort(key=lambda line: line.id)
    return status
