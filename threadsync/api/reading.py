"""Read calls returning Meta's JSON as dicts, as pythreads does (typed twins in ``typed.py``).

List calls take ``before``/``after`` cursors; ``since``/``until`` accept a date
(sent as ``YYYY-MM-DD``), a datetime (sent as Unix seconds), an int or a string.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from threadsync.api._base import ClientBase
from threadsync.api.errors import ThreadsInvalidParameter
from threadsync.api.transport import JSONDict

TimeArg = dt.date | dt.datetime | int | str | None

MEDIA_FIELDS = (
    "id,media_product_type,media_type,media_url,permalink,owner,username,text,"
    "timestamp,shortcode,thumbnail_url,children,is_quote_post"
)
REPLY_FIELDS = (
    "id,media_product_type,media_type,media_url,permalink,username,text,timestamp,"
    "shortcode,thumbnail_url,children,is_quote_post,has_replies,root_post,replied_to,"
    "is_reply,is_reply_owned_by_me,hide_status,reply_audience"
)
PROFILE_FIELDS = "id,username,name,threads_profile_picture_url,threads_biography,is_verified"
PUBLIC_PROFILE_FIELDS = (
    "username,name,profile_picture_url,biography,is_verified,follower_count,"
    "likes_count,quotes_count,replies_count,reposts_count,views_count"
)
LOCATION_FIELDS = "id,name,address,city,country,latitude,longitude,postal_code"
# Posts and replies need only threads_content_publish (+ manage_replies); the delete and
# location fields need their own scopes (ref §4), so a publisher can ask for just these.
PUBLISHING_QUOTA_FIELDS = "quota_usage,config,reply_quota_usage,reply_config"
PUBLISHING_LIMIT_FIELDS = (
    "quota_usage,config,reply_quota_usage,reply_config,delete_quota_usage,delete_config,"
    "location_search_quota_usage,location_search_config"
)
MEDIA_METRICS = ("views", "likes", "replies", "reposts", "quotes", "shares")
USER_METRICS = (
    "views",
    "likes",
    "replies",
    "reposts",
    "quotes",
    "clicks",
    "followers_count",
    "follower_demographics",
)
BREAKDOWNS = ("age", "city", "country", "gender")


def _metrics(metrics: str | Sequence[str], allowed: Sequence[str]) -> list[str]:
    chosen = [metrics] if isinstance(metrics, str) else list(metrics)
    unknown = [m for m in chosen if m not in allowed]
    if not chosen or unknown:
        raise ThreadsInvalidParameter(
            f"metrics: unknown {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(allowed)}"
        )
    return chosen


def list_params(
    since: TimeArg = None,
    until: TimeArg = None,
    limit: int | None = None,
    before: str | None = None,
    after: str | None = None,
    fields: str | None = None,
) -> dict[str, object]:
    if before is not None and after is not None:
        raise ThreadsInvalidParameter("before and after cannot be used together")
    return {
        "fields": fields,
        "since": since,
        "until": until,
        "limit": limit,
        "before": before,
        "after": after,
    }


class ReadingMixin(ClientBase):
    def account(self, user_id: str = "me", *, fields: str | None = None) -> JSONDict:
        """A profile. https://developers.facebook.com/docs/threads/threads-profiles"""
        return self._get(user_id, {"fields": fields or PROFILE_FIELDS})

    def user_insights(
        self,
        metrics: str | Sequence[str],
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        breakdown: str | None = None,
    ) -> JSONDict:
        """Account metrics; follower_demographics needs a ``breakdown``.
        https://developers.facebook.com/docs/threads/insights#user-insights"""
        chosen = _metrics(metrics, USER_METRICS)
        if breakdown is not None and breakdown not in BREAKDOWNS:
            raise ThreadsInvalidParameter(f"breakdown: choose from {', '.join(BREAKDOWNS)}")
        if "follower_demographics" in chosen and breakdown is None:
            raise ThreadsInvalidParameter("follower_demographics needs a breakdown")
        params = {"metric": chosen, "since": since, "until": until, "breakdown": breakdown}
        return self._get(f"{self.user_id}/threads_insights", params)

    def publishing_limit(self, *, fields: str | None = None) -> JSONDict:
        """Every quota (posts, replies, deletes, location searches) and its usage.

        The delete and location fields need the threads_delete and
        threads_location_tagging scopes; pass ``fields=PUBLISHING_QUOTA_FIELDS``
        with a token that lacks them.
        https://developers.facebook.com/docs/threads/troubleshooting#retrieve-publishing-quota-limit"""
        return self._get(
            f"{self.user_id}/threads_publishing_limit",
            {"fields": fields or PUBLISHING_LIMIT_FIELDS},
        )

    def container(self, container_id: str, *, fields: str | None = None) -> JSONDict:
        """A media object (container). https://developers.facebook.com/docs/threads/threads-media"""
        return self._get(container_id, {"fields": fields or MEDIA_FIELDS})

    def thread(self, thread_id: str, *, fields: str | None = None) -> JSONDict:
        """A published post; the same object as :meth:`container`."""
        return self.container(thread_id, fields=fields)

    def threads(
        self,
        since: TimeArg = None,
        until: TimeArg = None,
        limit: int | None = None,
        before: str | None = None,
        after: str | None = None,
        *,
        fields: str | None = None,
    ) -> JSONDict:
        """One page of the user's posts, reposts included."""
        params = list_params(since, until, limit, before, after, fields or MEDIA_FIELDS)
        return self._get(f"{self.user_id}/threads", params)

    def replies(
        self,
        thread_id: str,
        *,
        reverse: bool | None = None,
        before: str | None = None,
        after: str | None = None,
        fields: str | None = None,
    ) -> JSONDict:
        """One page of a post's top-level replies.
        https://developers.facebook.com/docs/threads/reply-management#replies"""
        params = list_params(before=before, after=after, fields=fields or REPLY_FIELDS)
        return self._get(f"{thread_id}/replies", {**params, "reverse": reverse})

    def conversation(
        self,
        thread_id: str,
        before: str | None = None,
        after: str | None = None,
        *,
        reverse: bool | None = None,
        fields: str | None = None,
    ) -> JSONDict:
        """One page of every reply at any depth, flattened (for root posts)."""
        params = list_params(before=before, after=after, fields=fields or REPLY_FIELDS)
        return self._get(f"{thread_id}/conversation", {**params, "reverse": reverse})

    def pending_replies(
        self,
        thread_id: str,
        *,
        approval_status: str | None = None,
        reverse: bool | None = None,
        before: str | None = None,
        after: str | None = None,
        fields: str | None = None,
    ) -> JSONDict:
        """One page of replies awaiting approval (``approval_status`` pending or ignored)."""
        if approval_status not in (None, "pending", "ignored"):
            raise ThreadsInvalidParameter("approval_status: pending or ignored")
        params = list_params(before=before, after=after, fields=fields or REPLY_FIELDS)
        extra = {"approval_status": approval_status, "reverse": reverse}
        return self._get(f"{thread_id}/pending_replies", {**params, **extra})

    def user_replies(
        self,
        since: TimeArg = None,
        until: TimeArg = None,
        limit: int | None = None,
        before: str | None = None,
        after: str | None = None,
        *,
        fields: str | None = None,
    ) -> JSONDict:
        """One page of the replies the user wrote."""
        params = list_params(since, until, limit, before, after, fields or REPLY_FIELDS)
        return self._get(f"{self.user_id}/replies", params)

    def mentions(
        self,
        since: TimeArg = None,
        until: TimeArg = None,
        limit: int | None = None,
        before: str | None = None,
        after: str | None = None,
        *,
        fields: str | None = None,
    ) -> JSONDict:
        """One page of public posts mentioning the user.
        https://developers.facebook.com/docs/threads/threads-mentions"""
        params = list_params(since, until, limit, before, after, fields or MEDIA_FIELDS)
        return self._get(f"{self.user_id}/mentions", params)

    def insights(self, thread_id: str, *, metrics: Sequence[str] = MEDIA_METRICS) -> JSONDict:
        """A post's metrics, sent as ``metric=`` (pythreads wrongly sent ``fields=``).
        https://developers.facebook.com/docs/threads/insights#media-insights"""
        return self._get(f"{thread_id}/insights", {"metric": _metrics(metrics, MEDIA_METRICS)})

    def keyword_search(
        self,
        q: str,
        *,
        search_type: str | None = None,
        search_mode: str | None = None,
        media_type: str | None = None,
        since: TimeArg = None,
        until: TimeArg = None,
        limit: int | None = None,
        before: str | None = None,
        after: str | None = None,
        fields: str | None = None,
    ) -> JSONDict:
        """Public posts by keyword or topic tag (``search_mode="TAG"``); TOP or RECENT.
        https://developers.facebook.com/docs/threads/keyword-search"""
        params = list_params(since, until, limit, before, after, fields or MEDIA_FIELDS)
        extra = {"search_type": search_type, "search_mode": search_mode, "media_type": media_type}
        return self._get("keyword_search", {"q": q, **extra, **params})

    def profile_lookup(self, username: str, *, fields: str | None = None) -> JSONDict:
        """A public profile by exact username. https://developers.facebook.com/docs/threads/threads-profiles"""
        return self._get(
            "profile_lookup", {"username": username, "fields": fields or PUBLIC_PROFILE_FIELDS}
        )

    def profile_posts(
        self,
        username: str,
        since: TimeArg = None,
        until: TimeArg = None,
        limit: int | None = None,
        before: str | None = None,
        after: str | None = None,
        *,
        fields: str | None = None,
    ) -> JSONDict:
        """One page of a public profile's posts."""
        params = list_params(since, until, limit, before, after, fields or MEDIA_FIELDS)
        return self._get("profile_posts", {"username": username, **params})

    def location_search(
        self,
        query: str | None = None,
        *,
        latitude: float | None = None,
        longitude: float | None = None,
        fields: str | None = None,
    ) -> JSONDict:
        """Places to tag, by name or by coordinates (not paginated).
        https://developers.facebook.com/docs/threads/create-posts/location-tagging"""
        if query is None and (latitude is None or longitude is None):
            raise ThreadsInvalidParameter("location_search needs a query or latitude and longitude")
        params = {"q": query, "latitude": latitude, "longitude": longitude}
        return self._get("location_search", {**params, "fields": fields or LOCATION_FIELDS})

    def location(self, location_id: str, *, fields: str | None = None) -> JSONDict:
        """A place found by :meth:`location_search`."""
        return self._get(location_id, {"fields": fields or LOCATION_FIELDS})

    def debug_token(self, input_token: str | None = None) -> JSONDict:
        """What Meta knows of a token (this client's by default).

        A GET whose ``input_token`` travels in a form body, not the URL.
        https://developers.facebook.com/docs/threads/reference/debug
        """
        return self._get("debug_token", {"input_token": input_token or self._access_token()})
