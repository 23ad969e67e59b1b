"""The numbers ``stats`` shows: one row per published post, totals, and engagement by kind.

Engagement is likes + replies + reposts + quotes + shares.  A post's kind
comes from its content file when it still exists (text, image, video,
carousel, or thread for a post of several parts), else from what the state
recorded about it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from threadsync.content import Post
from threadsync.state import PostState, State
from threadsync.stats.cache import InsightsCache, UserEntry
from threadsync.stats.collect import MEDIA_METRICS, published

ENGAGEMENT = ("likes", "replies", "reposts", "quotes", "shares")
KINDS = ("text", "image", "video", "carousel", "thread", "unknown")


def kind_of(post: Post | None, entry: PostState) -> str:
    if post is not None:
        return "thread" if post.is_thread else post.kind
    if len(entry.parts) > 1:
        return "thread"
    if entry.parts and entry.parts[0].child_media_ids:
        return "carousel"
    return "unknown"


def _first_line(post: Post | None) -> str:
    if post is None:
        return ""
    line = next((ln.strip() for ln in post.parts[0].text.splitlines() if ln.strip()), "")
    return line if len(line) <= 80 else line[:79].rstrip() + "…"


@dataclass(frozen=True)
class PostRow:
    id: str
    kind: str
    media_id: str
    published_at: dt.datetime | None
    permalink: str | None
    text: str
    metrics: Mapping[str, int]
    fetched_at: dt.datetime | None
    error: str | None = None

    @property
    def views(self) -> int:
        return self.metrics.get("views", 0)

    @property
    def engagement(self) -> int:
        return sum(self.metrics.get(m, 0) for m in ENGAGEMENT)

    def data(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "media_id": self.media_id,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "permalink": self.permalink,
            "text": self.text,
            **{m: self.metrics.get(m) for m in MEDIA_METRICS},
            "engagement": self.engagement,
            "fetched_at": self.fetched_at.isoformat() if self.fetched_at else None,
            "error": self.error,
        }


@dataclass(frozen=True)
class KindRow:
    kind: str
    posts: int
    views: int
    engagement: int

    @property
    def avg_views(self) -> float:
        return self.views / self.posts if self.posts else 0.0

    @property
    def avg_engagement(self) -> float:
        return self.engagement / self.posts if self.posts else 0.0

    @property
    def rate(self) -> float:
        """Engagement per view."""
        return self.engagement / self.views if self.views else 0.0

    def data(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "posts": self.posts,
            "views": self.views,
            "engagement": self.engagement,
            "avg_views": round(self.avg_views, 2),
            "avg_engagement": round(self.avg_engagement, 2),
            "engagement_rate": round(self.rate, 4),
        }


@dataclass(frozen=True)
class Report:
    generated_at: dt.datetime
    since: dt.datetime | None
    max_age_hours: float
    rows: list[PostRow]  # sorted by views, most first
    user: UserEntry | None
    fetched: int
    reused: int
    warnings: list[str] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        return {m: sum(r.metrics.get(m, 0) for r in self.rows) for m in MEDIA_METRICS}

    def by_kind(self) -> list[KindRow]:
        out = []
        for kind in KINDS:
            rows = [r for r in self.rows if r.kind == kind and r.metrics]
            if rows:
                views = sum(r.views for r in rows)
                out.append(KindRow(kind, len(rows), views, sum(r.engagement for r in rows)))
        return out

    def data(self) -> dict[str, object]:
        user = self.user.model_dump(mode="json") if self.user is not None else None
        return {
            "generated_at": self.generated_at.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "cache": {
                "fetched": self.fetched,
                "reused": self.reused,
                "max_age_hours": self.max_age_hours,
            },
            "posts": [r.data() for r in self.rows],
            "totals": self.totals(),
            "by_kind": [k.data() for k in self.by_kind()],
            "user": user,
            "warnings": self.warnings,
        }


def build_report(
    state: State,
    cache: InsightsCache,
    posts: Mapping[str, Post],
    *,
    now: dt.datetime,
    since: dt.datetime | None,
    max_age_hours: float,
    fetched: int,
    reused: int,
    errors: Mapping[str, str],
    warnings: list[str],
) -> Report:
    rows = []
    for post_id, entry in published(state, since):
        cached = cache.posts.get(post_id)
        usable = cached is not None and cached.media_id == entry.media_id
        rows.append(
            PostRow(
                id=post_id,
                kind=kind_of(posts.get(post_id), entry),
                media_id=entry.media_id or "",
                published_at=entry.published_at,
                permalink=entry.permalink,
                text=_first_line(posts.get(post_id)),
                metrics=dict(cached.metrics) if usable and cached else {},
                fetched_at=cached.fetched_at if usable and cached else None,
                error=errors.get(post_id),
            )
        )
    rows.sort(key=lambda r: (-r.views, -r.engagement, r.id))
    return Report(now, since, max_age_hours, rows, cache.user, fetched, reused, list(warnings))
