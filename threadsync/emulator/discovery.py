"""Search and discovery (ref §6): mentions, keyword search, profiles, locations."""

from __future__ import annotations

import math

from . import limits
from .call import Call
from .fields import parse_fields, select_dict
from .model import Location, Post, User
from .reads import filtered, media_list
from .render import CDN, MediaView, location_values, visible
from .text import first_text_tag, mentions_in
from .wire import SUB_TARGET, Response, invalid, json_response

SEARCH_TYPES = ("TOP", "RECENT")
SEARCH_MODES = ("KEYWORD", "TAG")
SEARCH_MEDIA = {"TEXT": "TEXT_POST", "IMAGE": "IMAGE", "VIDEO": "VIDEO"}


def mentions(call: Call, user: User) -> Response:
    """``GET /{user}/mentions``: posts in the emulator that mention @username."""
    call.need("threads_manage_mentions")
    name = user.username.lower()
    posts = filtered(call, lambda p: name in mentions_in(p.params.get("text", "")))
    return media_list(call, posts)


def keyword_search(call: Call) -> Response:
    """``GET /keyword_search`` over the caller's own posts (ref §6: without approval)."""
    call.need("threads_keyword_search")
    params = call.params
    query = params.get("q", "").strip()
    if not query:
        raise invalid("Param q is required.")
    search_type = params.get("search_type", "TOP")
    mode = params.get("search_mode", "KEYWORD")
    media = params.get("media_type")
    if search_type not in SEARCH_TYPES or mode not in SEARCH_MODES:
        raise invalid("search_type must be TOP or RECENT; search_mode KEYWORD or TAG.")
    if media is not None and media not in SEARCH_MEDIA:
        raise invalid("media_type must be TEXT, IMAGE or VIDEO.")
    needle = query.lower().lstrip("#")

    def match(p: Post) -> bool:
        if p.owner != call.user.id or p.ghost:
            return False
        if media is not None and p.media_type != SEARCH_MEDIA[media]:
            return False
        text = p.params.get("text", "")
        if mode == "TAG":
            tag = p.params.get("topic_tag") or first_text_tag(text) or ""
            return tag.lower() == needle
        return needle in text.lower()

    posts = filtered(call, match)
    call.user.recent_searches.insert(0, {"query": query, "timestamp": int(call.now * 1000)})
    del call.user.recent_searches[10:]
    call.store.dirty = True
    view = MediaView(call.store, call.user.id, search=True)
    return media_list(call, posts, view=view)


def _public_user(call: Call) -> User:
    username = call.params.get("username", "").lstrip("@")
    if not username:
        raise invalid("Param username is required.")
    for user in call.store.users.values():
        # ref §6 "Profile discovery": public profiles with >= 1,000 followers
        if user.username.lower() == username.lower() and user.follower_count >= 1000:
            return user
    raise invalid(f"No public profile named {username}.", subcode=SUB_TARGET)


def profile_lookup(call: Call) -> Response:
    """``GET /profile_lookup?username=`` (ref §6 "Profile discovery")."""
    call.need("threads_profile_discovery")
    user = _public_user(call)
    own = {p.id for p in call.store.posts.values() if p.owner == user.id and visible(p)}
    week = [p for p in call.store.posts.values() if p.created_at > call.now - 7 * 86400]
    # 7-day counts: real replies, quotes and reposts; synthetic likes and views
    values = {
        "username": user.username,
        "name": user.name,
        "profile_picture_url": f"{CDN}/profile/{user.id}.jpg",
        "biography": user.biography,
        "is_verified": user.is_verified,
        "follower_count": user.follower_count,
        "likes_count": sum(_likes(p.id) for p in week if p.id in own),
        "quotes_count": sum(1 for p in week if p.quote_of in own and visible(p)),
        "replies_count": sum(1 for p in week if p.reply_to in own and visible(p)),
        "reposts_count": sum(1 for p in week if p.reposted in own and p.deleted_at is None),
        "views_count": sum(10 * _likes(p.id) for p in week if p.id in own),
    }
    fields = call.params.get("fields")
    chosen = parse_fields(fields, ",".join(values))
    return json_response(select_dict(values, chosen, "ThreadsProfileLookup"))


def _likes(media_id: str) -> int:
    return int(media_id) % 97


def profile_posts(call: Call) -> Response:
    """``GET /profile_posts?username=``: like the user posts list; owner is not available."""
    call.need("threads_profile_discovery")
    user = _public_user(call)
    posts = [
        p
        for p in call.store.posts.values()
        if p.owner == user.id and p.deleted_at is None and p.reply_to is None and p.parent is None
    ]
    return media_list(call, posts, view=MediaView(call.store, "", search=False))


def _distance_km(loc: Location, lat: float, lon: float) -> float:
    r = 6371.0
    p1, p2 = math.radians(loc.latitude), math.radians(lat)
    dp, dl = p2 - p1, math.radians(lon - loc.longitude)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def location_search(call: Call) -> Response:
    """``GET /location_search?q=`` or ``latitude``+``longitude``; not paginated (ref §6)."""
    call.need("threads_location_tagging")
    params = call.params
    query = (params.get("q") or params.get("query") or "").strip().lower()
    locations = list(call.store.locations.values())
    if query:
        found = [
            loc
            for loc in locations
            if query in loc.name.lower()
            or query in loc.city.lower()
            or query in loc.address.lower()
        ]
    elif params.get("latitude") and params.get("longitude"):
        try:
            lat, lon = float(params["latitude"]), float(params["longitude"])
        except ValueError:
            raise invalid("latitude and longitude must be numbers.") from None
        near = sorted(locations, key=lambda loc: _distance_km(loc, lat, lon))
        found = [loc for loc in near if _distance_km(loc, lat, lon) <= 50.0]
    else:
        raise invalid("Give q, or latitude and longitude.")
    limits.check(call, "location_search")
    call.store.count_quota(call.user.id, "location_search")
    fields = parse_fields(
        params.get("fields"), "id,name,address,city,country,latitude,longitude,postal_code"
    )
    return json_response(
        {"data": [select_dict(location_values(loc), fields, "ThreadsLocation") for loc in found]}
    )
