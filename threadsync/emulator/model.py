"""The emulator's objects: plain dataclasses that serialise to JSON."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, TypeVar

DAY = 86400.0
HOUR = 3600.0
SHORT_LIVED = HOUR  # ref §2: the code-exchange token lasts 1 h
LONG_LIVED = 60 * DAY  # ref §2: 60 days
GRANT = 90 * DAY  # ref §2 "Permission grants": 90 days
CONTAINER_TTL = DAY  # ref §3: EXPIRED when not published within 24 h

ALL_SCOPES = (
    "threads_basic",
    "threads_content_publish",
    "threads_read_replies",
    "threads_manage_replies",
    "threads_manage_insights",
    "threads_delete",
    "threads_keyword_search",
    "threads_manage_mentions",
    "threads_location_tagging",
    "threads_profile_discovery",
    "threads_share_to_instagram",
)


@dataclass
class User:
    id: str
    username: str
    name: str
    biography: str = ""
    is_verified: bool = False
    follower_count: int = 1234
    is_eligible_for_geo_gating: bool = True
    has_instagram: bool = True
    recent_searches: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Token:
    value: str
    user_id: str  # "" for an app token
    app_id: str
    kind: str  # "short" | "long" | "app"
    issued_at: float
    expires_at: float | None
    scopes: list[str]
    grant_expires_at: float | None = None


@dataclass
class AuthCode:
    value: str
    user_id: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    expires_at: float
    used: bool = False


@dataclass
class Container:
    id: str
    owner: str
    created_at: float
    media_type: str  # TEXT | IMAGE | VIDEO | CAROUSEL
    params: dict[str, str]
    ready_at: float
    error: str | None = None  # error_message once processing fails
    is_carousel_item: bool = False
    children: list[str] = field(default_factory=list)
    published_post: str | None = None
    published_at: float | None = None


@dataclass
class Post:
    id: str
    owner: str
    created_at: float
    media_type: str  # TEXT_POST | IMAGE | VIDEO | CAROUSEL_ALBUM | REPOST_FACADE
    params: dict[str, str] = field(default_factory=dict)
    container_id: str | None = None
    children: list[str] = field(default_factory=list)  # media ids of carousel children
    parent: str | None = None  # carousel parent, for a child media object
    reply_to: str | None = None
    root: str | None = None
    quote_of: str | None = None
    reposted: str | None = None
    deleted_at: float | None = None
    hide_status: str = "NOT_HUSHED"
    approval: str | None = None  # "pending" | "ignored" | "approved", for held replies
    ghost: bool = False


@dataclass
class QuotaEvent:
    kind: str  # "post" | "reply" | "delete" | "location_search"
    user_id: str
    at: float


@dataclass
class Location:
    id: str
    name: str
    address: str
    city: str
    country: str
    latitude: float
    longitude: float
    postal_code: str


T = TypeVar("T")


def to_dict(obj: Any) -> dict[str, Any]:
    return dataclasses.asdict(obj)


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in data.items() if k in names})


SEED_LOCATIONS = (
    Location(
        "110000000000001",
        "Menlo Park",
        "1 Hacker Way",
        "Menlo Park",
        "US",
        37.4848,
        -122.1484,
        "94025",
    ),
    Location(
        "110000000000002",
        "Golden Gate Park",
        "501 Stanyan St",
        "San Francisco",
        "US",
        37.7694,
        -122.4862,
        "94117",
    ),
    Location(
        "110000000000003",
        "Tower of London",
        "Tower Hill",
        "London",
        "GB",
        51.5081,
        -0.0759,
        "EC3N 4AB",
    ),
    Location(
        "110000000000004",
        "Eiffel Tower",
        "Champ de Mars",
        "Paris",
        "FR",
        48.8584,
        2.2945,
        "75007",
    ),
    Location(
        "110000000000005",
        "Shibuya Crossing",
        "2 Chome-2-1 Dogenzaka",
        "Tokyo",
        "JP",
        35.6595,
        139.7005,
        "150-0043",
    ),
)
