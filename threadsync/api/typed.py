"""Typed twins of the read calls: ``get_*`` return models, ``iter_*`` walk every page.

Each wraps the raw call of the same family, so parameters and paths are
defined once, in ``reading.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from threadsync.api.models import (
    InsightMetric,
    Location,
    PublicProfile,
    PublishingLimit,
    ThreadsMedia,
    ThreadsUser,
    TokenInfo,
    parse,
    parse_list,
)
from threadsync.api.pagination import iter_items
from threadsync.api.reading import MEDIA_METRICS, ReadingMixin, TimeArg


class TypedMixin(ReadingMixin):
    def get_account(self, user_id: str = "me") -> ThreadsUser:
        return parse(ThreadsUser, self.account(user_id))

    def get_media(self, media_id: str, *, fields: str | None = None) -> ThreadsMedia:
        return parse(ThreadsMedia, self.container(media_id, fields=fields))

    def get_publishing_limit(self, *, fields: str | None = None) -> PublishingLimit:
        body = self.publishing_limit(fields=fields)
        data = body.get("data")
        return parse(PublishingLimit, data[0] if isinstance(data, list) and data else {})

    def get_insights(
        self, media_id: str, *, metrics: Sequence[str] = MEDIA_METRICS
    ) -> list[InsightMetric]:
        return parse_list(InsightMetric, self.insights(media_id, metrics=metrics))

    def get_user_insights(
        self,
        metrics: str | Sequence[str],
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        breakdown: str | None = None,
    ) -> list[InsightMetric]:
        return parse_list(InsightMetric, self.user_insights(metrics, since, until, breakdown))

    def get_public_profile(self, username: str) -> PublicProfile:
        return parse(PublicProfile, self.profile_lookup(username))

    def get_location(self, location_id: str) -> Location:
        return parse(Location, self.location(location_id))

    def search_locations(
        self,
        query: str | None = None,
        *,
        latitude: float | None = None,
        longitude: float | None = None,
    ) -> list[Location]:
        body = self.location_search(query, latitude=latitude, longitude=longitude)
        return parse_list(Location, body)

    def get_token_info(self, input_token: str | None = None) -> TokenInfo:
        return parse(TokenInfo, self.debug_token(input_token).get("data"))

    def iter_threads(
        self,
        since: TimeArg = None,
        until: TimeArg = None,
        limit: int | None = None,
        *,
        fields: str | None = None,
    ) -> Iterator[ThreadsMedia]:
        """Every post of the user in the window, page after page."""
        return iter_items(
            lambda after: self.threads(since, until, limit, after=after, fields=fields),
            ThreadsMedia,
        )

    def iter_replies(
        self, thread_id: str, *, reverse: bool | None = None, fields: str | None = None
    ) -> Iterator[ThreadsMedia]:
        return iter_items(
            lambda after: self.replies(thread_id, reverse=reverse, after=after, fields=fields),
            ThreadsMedia,
        )

    def iter_conversation(
        self, thread_id: str, *, reverse: bool | None = None, fields: str | None = None
    ) -> Iterator[ThreadsMedia]:
        return iter_items(
            lambda after: self.conversation(thread_id, after=after, reverse=reverse, fields=fields),
            ThreadsMedia,
        )

    def iter_pending_replies(
        self,
        thread_id: str,
        *,
        approval_status: str | None = None,
        reverse: bool | None = None,
        fields: str | None = None,
    ) -> Iterator[ThreadsMedia]:
        return iter_items(
            lambda after: self.pending_replies(
                thread_id,
                approval_status=approval_status,
                reverse=reverse,
                after=after,
                fields=fields,
            ),
            ThreadsMedia,
        )

    def iter_user_replies(
        self,
        since: TimeArg = None,
        until: TimeArg = None,
        limit: int | None = None,
        *,
        fields: str | None = None,
    ) -> Iterator[ThreadsMedia]:
        return iter_items(
            lambda after: self.user_replies(since, until, limit, after=after, fields=fields),
            ThreadsMedia,
        )

    def iter_mentions(
        self,
        since: TimeArg = None,
        until: TimeArg = None,
        limit: int | None = None,
        *,
        fields: str | None = None,
    ) -> Iterator[ThreadsMedia]:
        return iter_items(
            lambda after: self.mentions(since, until, limit, after=after, fields=fields),
            ThreadsMedia,
        )

    def iter_profile_posts(
        self,
        username: str,
        since: TimeArg = None,
        until: TimeArg = None,
        limit: int | None = None,
        *,
        fields: str | None = None,
    ) -> Iterator[ThreadsMedia]:
        return iter_items(
            lambda after: self.profile_posts(
                username, since, until, limit, after=after, fields=fields
            ),
            ThreadsMedia,
        )

    def iter_keyword_search(
        self,
        q: str,
        *,
        search_type: str | None = None,
        search_mode: str | None = None,
        media_type: str | None = None,
        limit: int | None = None,
        fields: str | None = None,
    ) -> Iterator[ThreadsMedia]:
        return iter_items(
            lambda after: self.keyword_search(
                q,
                search_type=search_type,
                search_mode=search_mode,
                media_type=media_type,
                limit=limit,
                after=after,
                fields=fields,
            ),
            ThreadsMedia,
        )
