"""Typed results, offered next to the raw dicts pythreads returns.

Models accept unknown fields (kept as extras) and keep enum-like values such
as ``media_type`` as plain strings, because Meta adds values (TEXT_POST,
CAROUSEL_ALBUM, REPOST_FACADE...) without notice. Ids become strings even when
Meta sends numbers, and the ids of posts, users and references must be digit
strings: anything else is a ThreadsResponseError, never a model. A timestamp
that does not parse becomes None rather than failing the whole object.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, WrapValidator
from pydantic_core import PydanticCustomError
from pydantic_core.core_schema import ValidatorFunctionWrapHandler

from threadsync.api.errors import ThreadsResponseError, UnexpectedId

M = TypeVar("M", bound="ThreadsModel")
_ID = re.compile(r"[0-9]{1,32}")  # ASCII digits only: str.isdigit() takes "١٢" and "²"


def _id_problem(value: object) -> str | None:
    """Why ``value`` is not a Threads id, or None when it is one."""
    if isinstance(value, str) and _ID.fullmatch(value):
        return None
    shown = repr(value)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return f"{shown} is not a Threads id (a string of 1 to 32 digits)"


def checked_id(value: object, field: str, body: Any = None) -> str:
    """``value`` if it is a Threads id; else UnexpectedId naming ``field``.

    Ids end up in request paths and in the state file, so one a server
    answers with is checked before anything uses it.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    problem = _id_problem(value)
    if problem is not None:
        raise UnexpectedId(f"{field}: {problem}; the response is not used", body=body)
    assert isinstance(value, str)
    return value


def _graph_id(value: str) -> str:
    problem = _id_problem(value)
    if problem is not None:
        raise PydanticCustomError("threads_id", "{problem}", {"problem": problem})
    return value


GraphId = Annotated[str, AfterValidator(_graph_id)]


def _lenient_time(value: Any, handler: ValidatorFunctionWrapHandler) -> dt.datetime | None:
    if value in (None, "", 0):  # debug_token uses 0 for "never"
        return None
    try:
        result: dt.datetime | None = handler(value)
    except ValidationError:
        return None
    return result


def _unwrap_data(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Edges arrive as ``{"data": [...]}``; accept the bare list too."""
    if isinstance(value, Mapping) and "data" in value:
        value = value["data"]
    return handler(value)


Time = Annotated[dt.datetime | None, WrapValidator(_lenient_time)]


class ThreadsModel(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, coerce_numbers_to_str=True)


class Ref(ThreadsModel):
    """A reference to another object, e.g. ``owner`` or ``quoted_post``."""

    id: GraphId


class ThreadsMedia(ThreadsModel):
    """A post, reply, repost or container. https://developers.facebook.com/docs/threads/threads-media"""

    id: GraphId
    media_product_type: str | None = None
    media_type: str | None = None
    media_url: str | None = None
    permalink: str | None = None
    owner: Ref | None = None
    username: str | None = None
    text: str | None = None
    timestamp: Time = None
    shortcode: str | None = None
    thumbnail_url: str | None = None
    children: Annotated[list[Ref], WrapValidator(_unwrap_data)] = Field(default_factory=list)
    is_quote_post: bool | None = None
    quoted_post: Ref | None = None
    reposted_post: Ref | None = None
    alt_text: str | None = None
    link_attachment_url: str | None = None
    gif_url: str | None = None
    topic_tag: str | None = None
    poll_attachment: dict[str, Any] | None = None
    has_replies: bool | None = None
    is_reply: bool | None = None
    is_reply_owned_by_me: bool | None = None
    root_post: Ref | None = None
    replied_to: Ref | None = None
    hide_status: str | None = None
    reply_audience: str | None = None
    is_spoiler_media: bool | None = None
    text_entities: Annotated[list[dict[str, Any]], WrapValidator(_unwrap_data)] = Field(
        default_factory=list
    )
    location_id: str | None = None
    is_verified: bool | None = None

    @property
    def is_repost(self) -> bool:
        return self.media_type == "REPOST_FACADE"


class ThreadsUser(ThreadsModel):
    """The app-scoped user's profile. https://developers.facebook.com/docs/threads/threads-profiles"""

    id: GraphId
    username: str | None = None
    name: str | None = None
    threads_profile_picture_url: str | None = None
    threads_biography: str | None = None
    is_verified: bool | None = None
    is_eligible_for_geo_gating: bool | None = None


class PublicProfile(ThreadsModel):
    """A public profile found by ``profile_lookup`` (counts cover the last 7 days)."""

    username: str | None = None
    name: str | None = None
    profile_picture_url: str | None = None
    biography: str | None = None
    is_verified: bool | None = None
    follower_count: int | None = None
    likes_count: int | None = None
    quotes_count: int | None = None
    replies_count: int | None = None
    reposts_count: int | None = None
    views_count: int | None = None


class QuotaConfig(ThreadsModel):
    quota_total: int | None = None
    quota_duration: int | None = None


def _remaining(used: int | None, config: QuotaConfig | None) -> int | None:
    if used is None or config is None or config.quota_total is None:
        return None
    return max(config.quota_total - used, 0)


class PublishingLimit(ThreadsModel):
    """Every rolling-24 h quota: posts, replies, deletes, location searches."""

    quota_usage: int | None = None
    config: QuotaConfig | None = None
    reply_quota_usage: int | None = None
    reply_config: QuotaConfig | None = None
    delete_quota_usage: int | None = None
    delete_config: QuotaConfig | None = None
    location_search_quota_usage: int | None = None
    location_search_config: QuotaConfig | None = None

    @property
    def posts_remaining(self) -> int | None:
        return _remaining(self.quota_usage, self.config)

    @property
    def replies_remaining(self) -> int | None:
        return _remaining(self.reply_quota_usage, self.reply_config)

    @property
    def deletes_remaining(self) -> int | None:
        return _remaining(self.delete_quota_usage, self.delete_config)

    @property
    def location_searches_remaining(self) -> int | None:
        return _remaining(self.location_search_quota_usage, self.location_search_config)


class InsightValue(ThreadsModel):
    value: int | float | None = None
    end_time: Time = None


class InsightMetric(ThreadsModel):
    """One metric: a time series (``values``) or a total (``total_value``)."""

    name: str
    period: str | None = None
    title: str | None = None
    description: str | None = None
    id: str | None = None
    values: list[InsightValue] = Field(default_factory=list)
    total_value: dict[str, Any] | None = None
    link_total_values: list[dict[str, Any]] | None = None

    @property
    def total(self) -> int | float | None:
        """``total_value.value`` if given, else the sum of the series."""
        if self.total_value is not None and "value" in self.total_value:
            value = self.total_value["value"]
            return value if isinstance(value, int | float) else None
        numbers = [v.value for v in self.values if v.value is not None]
        return sum(numbers) if numbers else None


class Location(ThreadsModel):
    id: str
    name: str | None = None
    address: str | None = None
    city: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    postal_code: str | None = None


class TokenInfo(ThreadsModel):
    """``debug_token`` data; times are Unix seconds on the wire."""

    type: str | None = None
    application: str | None = None
    is_valid: bool | None = None
    user_id: str | None = None
    scopes: list[str] = Field(default_factory=list)
    issued_at: Time = None
    expires_at: Time = None
    data_access_expires_at: Time = None


def parse(model: type[M], data: Any) -> M:
    """Validate ``data`` as ``model``; a mismatch is a ThreadsResponseError."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in exc.errors()
        )
        raise ThreadsResponseError(
            f"unexpected {model.__name__} response: {problems}", body=data
        ) from None


def parse_list(model: type[M], data: Any) -> list[M]:
    """The ``data`` list of a response, each item as ``model``."""
    items = data.get("data") if isinstance(data, Mapping) else None
    if not isinstance(items, list):
        raise ThreadsResponseError(f"expected a 'data' list of {model.__name__}", body=data)
    return [parse(model, item) for item in items]
