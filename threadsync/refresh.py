"""What plan asks the API, when it has a token: drift, adoptable posts, quota, token expiry.

Kept apart from the planner, which stays pure: this module gathers facts,
and the planner decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from threadsync.api import API
from threadsync.api.errors import NotFound, ThreadsAPIError
from threadsync.api.reading import PUBLISHING_QUOTA_FIELDS
from threadsync.content.models import Post
from threadsync.importer import media_count
from threadsync.plan import Notice, Plan, Remote, normalise_text, quota_needs
from threadsync.state import State

TOKEN_WARN_DAYS = 7


def refresh(api: API, state: State, *, since: dt.datetime | None = None) -> Remote:
    """Which recorded posts are gone, and which posts the account already has."""
    missing: set[str] = set()
    for entry in state.published().values():
        media_id = entry.media_id
        if media_id is None:
            continue
        try:
            api.get_media(media_id, fields="id")
        except NotFound:
            missing.add(media_id)
    known = {m for e in state.posts.values() for m in e.media_ids}
    by_key: dict[tuple[str, int], str] = {}
    for media in api.iter_threads(since=since, fields="id,text,timestamp,media_type,children"):
        if media.id in known or not media.text or media.is_repost:
            continue
        by_key.setdefault((normalise_text(media.text), media_count(media)), media.id)
    return Remote(missing_media_ids=frozenset(missing), by_key=by_key)


def root_keys(posts: Sequence[Post]) -> dict[str, tuple[str, int]]:
    return {p.id: (normalise_text(p.parts[0].text), len(p.parts[0].media)) for p in posts}


def quota_notices(api: API, plan: Plan, posts: Sequence[Post], state: State) -> list[Notice]:
    by_id = {p.id: p for p in posts}
    try:
        limit = api.get_publishing_limit(fields=PUBLISHING_QUOTA_FIELDS)
    except ThreadsAPIError as exc:
        return [Notice(None, f"could not read the publishing quota: {exc}")]
    need_posts = need_replies = 0
    for change in plan.to_publish():
        post = by_id.get(change.id)
        if post is None:
            continue
        entry = state.posts.get(change.id)
        done = sum(1 for part in entry.parts if part.media_id) if entry else 0
        posts_needed, replies_needed = quota_needs(post, done)
        need_posts += posts_needed
        need_replies += replies_needed
    notices = []
    posts_left, replies_left = limit.posts_remaining, limit.replies_remaining
    if posts_left is not None and need_posts > posts_left:
        notices.append(
            Notice(
                None,
                f"the plan publishes {need_posts} posts but only "
                f"{posts_left} remain in the 24 h quota; apply publishes "
                "what fits and defers the rest",
            )
        )
    if replies_left is not None and need_replies > replies_left:
        notices.append(
            Notice(
                None,
                f"the plan publishes {need_replies} replies but only "
                f"{replies_left} remain in the 24 h reply quota; apply "
                "defers what does not fit",
            )
        )
    return notices


def token_notices(api: API, now: dt.datetime, *, days: int = TOKEN_WARN_DAYS) -> list[Notice]:
    try:
        info = api.get_token_info()
    except ThreadsAPIError:
        return []
    expires = info.expires_at
    if expires is None:
        return []
    left = expires - now
    if left.total_seconds() <= 0:
        return [
            Notice(
                None, "the access token has expired; run 'threadsync auth refresh' or log in again"
            )
        ]
    if left <= dt.timedelta(days=days):
        return [
            Notice(
                None,
                f"the access token expires in {left.days} day(s) "
                f"({expires:%Y-%m-%d}); run 'threadsync auth refresh'",
            )
        ]
    return []
