"""Fetch the insights ``stats`` reports, asking the API only for what the cache lacks.

Every call goes through the API client, whose transport retries GETs and
honours ``Retry-After`` on rate limits; if the quota still runs out, the
posts fetched so far are kept (and cached) and the rest are reported from
the cache, older, or as missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from threadsync.api import InsightMetric, RateLimited, ThreadsAPIError, ThreadsAuthenticationError
from threadsync.api.errors import PermissionDenied, ThreadsAccessTokenExpired
from threadsync.state import PostState, State
from threadsync.stats.cache import DayValue, InsightsCache, MediaEntry, UserEntry

MEDIA_METRICS = ("views", "likes", "replies", "reposts", "quotes", "shares")
USER_METRICS = ("views", "likes", "replies", "reposts", "quotes", "clicks")
# Meta serves no user insights from before this moment (2024-04-13, Unix 1712991600).
EARLIEST = dt.datetime.fromtimestamp(1712991600, dt.timezone.utc)
_FATAL = (ThreadsAuthenticationError, ThreadsAccessTokenExpired, PermissionDenied)


class InsightsAPI(Protocol):
    def get_insights(
        self, media_id: str, *, metrics: Sequence[str] = ...
    ) -> list[InsightMetric]: ...

    def get_user_insights(
        self,
        metrics: str | Sequence[str],
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        breakdown: str | None = None,
    ) -> list[InsightMetric]: ...


@dataclass
class Collected:
    """What a run fetched: the updated cache, and what it had to say about it."""

    cache: InsightsCache
    fetched: int = 0
    reused: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def published(state: State, since: dt.datetime | None) -> list[tuple[str, PostState]]:
    """Published posts with a root media id, published at or after ``since`` (if given)."""
    out = []
    for post_id, entry in sorted(state.posts.items()):
        if entry.status != "published" or not entry.media_id:
            continue
        when = entry.published_at
        if since is not None and when is not None and when < since:
            continue
        out.append((post_id, entry))
    return out


def _as_int(value: float | int | None) -> int:
    return int(value) if value is not None else 0


def media_metrics(items: list[InsightMetric]) -> dict[str, int]:
    return {m.name: _as_int(m.total) for m in items if m.name in MEDIA_METRICS}


def _user_entry(
    items: list[InsightMetric], now: dt.datetime, since: dt.datetime, until: dt.datetime
) -> UserEntry:
    entry = UserEntry(fetched_at=now, since=since, until=until)
    for m in items:
        if m.name == "views":
            entry.views = [
                DayValue(end_time=v.end_time, value=_as_int(v.value))
                for v in m.values
                if v.end_time is not None
            ]
            entry.metrics["views"] = _as_int(m.total)
        elif m.name == "clicks":
            for link in m.link_total_values or []:
                url, value = link.get("link_url"), link.get("value")
                if isinstance(url, str) and isinstance(value, int | float):
                    entry.clicks[url] = int(value)
            entry.metrics["clicks"] = sum(entry.clicks.values())
        else:
            entry.metrics[m.name] = _as_int(m.total)
    return entry


def collect(
    api: InsightsAPI,
    state: State,
    cache: InsightsCache,
    now: dt.datetime,
    *,
    max_age: dt.timedelta,
    since: dt.datetime | None,
    period_since: dt.datetime,
) -> Collected:
    """Refresh the cache: stale or missing posts, then the account's period."""
    result = Collected(cache)
    limited = False
    for post_id, entry in published(state, since):
        media_id = entry.media_id
        assert media_id is not None
        cached = cache.posts.get(post_id)
        if cached is not None and cached.media_id == media_id and cached.fresh(now, max_age):
            result.reused += 1
            continue
        if limited:
            continue
        try:
            metrics = media_metrics(api.get_insights(media_id, metrics=MEDIA_METRICS))
        except RateLimited as exc:
            limited = True
            result.warnings.append(
                f"rate limited by Threads ({exc}); later posts show cached numbers, if any"
            )
            continue
        except _FATAL:
            raise
        except ThreadsAPIError as exc:
            result.errors[post_id] = str(exc)
            continue
        cache.posts[post_id] = MediaEntry(media_id=media_id, fetched_at=now, metrics=metrics)
        result.fetched += 1
    if not limited:
        _collect_user(api, result, now, max_age, max(period_since, EARLIEST))
    return result


def _collect_user(
    api: InsightsAPI,
    result: Collected,
    now: dt.datetime,
    max_age: dt.timedelta,
    since: dt.datetime,
) -> None:
    cache = result.cache
    if cache.user is not None and cache.user.fresh(now, max_age, since):
        return
    try:
        entry = _user_entry(api.get_user_insights(list(USER_METRICS), since, now), now, since, now)
    except _FATAL:
        raise
    except ThreadsAPIError as exc:
        result.warnings.append(f"account insights unavailable: {exc}")
        return
    try:
        followers = api.get_user_insights("followers_count")
        entry.followers_count = _as_int(followers[0].total) if followers else None
    except _FATAL:
        raise
    except ThreadsAPIError:
        entry.followers_count = None  # needs a linked Instagram account; not an error
    cache.user = entry
