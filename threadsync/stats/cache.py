"""``.threadsync/insights.json``: insights already fetched, with the time each was fetched.

Insights calls count against Meta's rate limits, and numbers a few hours old
are good enough for a report, so ``stats`` asks again only for entries older
than its cache window.  The file sits next to the state file (so the
emulator's demo state has its own), is written atomically like the state
(temp file, fsync, rename), and an unreadable one is treated as empty: it is
only a cache.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from threadsync.safewrite import read_bytes, write_atomic

CACHE_VERSION = 1
CACHE_NAME = "insights.json"
CACHE_WHAT = "the insights cache"


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class MediaEntry(_Model):
    """One post's lifetime metrics, as fetched for its root media id."""

    media_id: str
    fetched_at: dt.datetime
    metrics: dict[str, int] = Field(default_factory=dict)

    def fresh(self, now: dt.datetime, max_age: dt.timedelta) -> bool:
        return now - self.fetched_at < max_age


class DayValue(_Model):
    end_time: dt.datetime
    value: int


class UserEntry(_Model):
    """The account's metrics for one period (``since``..``until``)."""

    fetched_at: dt.datetime
    since: dt.datetime
    until: dt.datetime
    metrics: dict[str, int] = Field(default_factory=dict)
    views: list[DayValue] = Field(default_factory=list)
    followers_count: int | None = None
    clicks: dict[str, int] = Field(default_factory=dict)

    def fresh(self, now: dt.datetime, max_age: dt.timedelta, since: dt.datetime) -> bool:
        return self.since == since and now - self.fetched_at < max_age


class InsightsCache(_Model):
    version: int = CACHE_VERSION
    user_id: str | None = None
    posts: dict[str, MediaEntry] = Field(default_factory=dict)
    user: UserEntry | None = None


def cache_path_for(state_path: Path) -> Path:
    return state_path.parent / CACHE_NAME


def load_cache(path: Path, user_id: str | None, root: Path | None = None) -> InsightsCache:
    """The cache, or an empty one if missing, unreadable, of another version or account.

    A link on the way (under ``root``, the project) is refused, not followed.
    """
    try:
        raw = read_bytes(path, root=root, what=CACHE_WHAT)
        if raw is None:
            return InsightsCache(user_id=user_id)
        cache = InsightsCache.model_validate(json.loads(raw.decode("utf-8")))
    except (OSError, ValueError, ValidationError):
        return InsightsCache(user_id=user_id)
    if cache.version != CACHE_VERSION or (user_id is not None and cache.user_id != user_id):
        return InsightsCache(user_id=user_id)
    return cache


def save_cache(path: Path, cache: InsightsCache, root: Path | None = None) -> None:
    data = cache.model_dump(mode="json", exclude_none=True)
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_atomic(path, text.encode("utf-8"), root=root, what=CACHE_WHAT, command="stats")
