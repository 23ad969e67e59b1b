"""What plan asks the API, when it has a token: drift, adoptable posts, quota, token expiry.

Kept apart from the planner, which stays pure: this module gathers facts,
and the planner decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from threadsync.api import API
from threadsync.api.errors import NotFound, PermissionDenied, ThreadsAPIError
from threadsync.api.reading import PUBLISHING_QUOTA_FIELDS
from threadsync.content.models import Post
from threadsync.importer import PAGE, media_count
from threadsync.plan import Notice, Plan, Remote, normalise_text, quota_needs
from threadsync.state import State

TOKEN_WARN_DAYS = 7
# The listings start this long before the oldest post the state records: a recorded
# time is the publisher's clock (or Meta's timestamp), and the two may disagree.
LIST_MARGIN = dt.timedelta(days=1)
EARLIEST_SINCE = dt.datetime.fromtimestamp(1688540400, dt.timezone.utc)  # ref §6
ROOT_FIELDS = "id,text,timestamp,media_type,children"


def refresh(api: API, state: State, *, since: dt.datetime | None = None) -> Remote:
    """Which recorded posts are gone, and which posts the account already has.

    The account is read by listing, a page of 100 posts a request, from just
    before the oldest post the state records (``since`` overrides that): a
    10,000-post account costs about a hundred requests, not one per post.
    Roots are among the account's threads; thread parts and replies among its
    replies, which are read only for what the threads did not show.  A
    recorded post neither listing shows is asked for by id before it counts
    as gone: Meta lists a new post with a delay.
    """
    recorded = {m for e in state.published().values() for m in e.media_ids}
    known = {m for e in state.posts.values() for m in e.media_ids}
    window = since if since is not None else listing_since(state)
    unseen = set(recorded)
    by_key: dict[tuple[str, int], str] = {}
    for media in api.iter_threads(since=window, limit=PAGE, fields=ROOT_FIELDS):
        unseen.discard(media.id)
        if media.id in known or not media.text or media.is_repost:
            continue
        by_key.setdefault((normalise_text(media.text), media_count(media)), media.id)
    if unseen:
        unseen = _not_among_replies(api, unseen, window)
    missing = {media_id for media_id in unseen if _gone(api, media_id)}
    return Remote(missing_media_ids=frozenset(missing), by_key=by_key)


def listing_since(state: State) -> dt.datetime | None:
    """Where the listings start: a margin before the oldest recorded post; None for all.

    A recorded post without a time (an old state, an import Meta gave no
    timestamp) could be anywhere, so then the whole account is read.
    """
    times = [p.published_at for e in state.posts.values() for p in e.parts if p.media_id]
    if not times or any(t is None for t in times):
        return None
    oldest = min(t for t in times if t is not None) - LIST_MARGIN
    return oldest if oldest > EARLIEST_SINCE else None


def _not_among_replies(api: API, unseen: set[str], since: dt.datetime | None) -> set[str]:
    """``unseen`` less the user's replies; unchanged when the token may not read them."""
    left = set(unseen)
    try:
        for media in api.iter_user_replies(since=since, limit=PAGE, fields="id"):
            left.discard(media.id)
            if not left:
                break
    except PermissionDenied:
        return set(unseen)  # without threads_read_replies: each is asked for by id
    return left


def _gone(api: API, media_id: str) -> bool:
    try:
        api.get_media(media_id, fields="id")
    except NotFound:
        return True
    return False


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
