"""Objects as the API returns them: media, containers, profiles, locations.

Field names and shapes follow ref §6 "Media fields" and "Profile".  A field
without a value on this object is left out, as Graph does; booleans are
always present.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .clock import graph_time
from .fields import Fields, select_dict
from .model import CONTAINER_TTL, DAY, Container, Location, Post, User
from .state import Store
from .text import first_text_tag, urls_in
from .wire import nonexisting_field

_SHORTCODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
CDN = "https://cdn.threads-emulator.invalid"
_MISSING = object()


def shortcode(media_id: str) -> str:
    n, out = int(media_id), ""
    while n:
        n, r = divmod(n, 64)
        out = _SHORTCODE_ALPHABET[r] + out
    return out or "A"


def permalink(username: str, media_id: str) -> str:
    return f"https://www.threads.net/@{username}/post/{shortcode(media_id)}"


def container_status(store: Store, c: Container) -> tuple[str, str | None]:
    """Ref §3 "Container status": IN_PROGRESS, FINISHED, PUBLISHED, ERROR, EXPIRED."""
    now = store.clock.now()
    if c.published_at is not None:
        return "PUBLISHED", None
    if now < c.ready_at:
        return "IN_PROGRESS", None
    if c.error:
        return "ERROR", c.error
    if now >= c.created_at + CONTAINER_TTL:
        return "EXPIRED", None
    return "FINISHED", None


def visible(post: Post) -> bool:
    """Not deleted, and not a reply held for approval."""
    return post.deleted_at is None and post.approval in (None, "approved")


def render_container(store: Store, c: Container, fields: Fields) -> dict[str, Any]:
    status, error = container_status(store, c)
    values: dict[str, Any] = {"id": c.id, "status": status}
    if error:
        values["error_message"] = error
    out: dict[str, Any] = {}
    for name, _sub in fields:
        if name in values:
            out[name] = values[name]
        elif name not in MEDIA_FIELDS and name != "error_message":
            raise nonexisting_field(name, "ThreadsMediaContainer")
    out.setdefault("id", c.id)  # ref §3 example: {"status":"FINISHED","id":"..."}
    return out


def render_profile(store: Store, user: User, fields: Fields) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": user.id,
        "username": user.username,
        "name": user.name,
        "threads_profile_picture_url": f"{CDN}/profile/{user.id}.jpg",
        "threads_biography": user.biography,
        "is_verified": user.is_verified,
        "is_eligible_for_geo_gating": user.is_eligible_for_geo_gating,
        "recently_searched_keywords": list(user.recent_searches),
    }
    out = select_dict(values, fields, "ThreadsUser")
    out.setdefault("id", user.id)
    return out


def location_values(loc: Location) -> dict[str, Any]:
    return {
        "id": loc.id,
        "name": loc.name,
        "address": loc.address,
        "city": loc.city,
        "country": loc.country,
        "latitude": loc.latitude,
        "longitude": loc.longitude,
        "postal_code": loc.postal_code,
    }


def render_location(loc: Location, fields: Fields) -> dict[str, Any]:
    out = select_dict(location_values(loc), fields, "ThreadsLocation")
    out.setdefault("id", loc.id)
    return out


class MediaView:
    """Renders media objects as seen by ``viewer`` (for owner and is_reply_owned_by_me)."""

    def __init__(self, store: Store, viewer: str, *, search: bool = False) -> None:
        self.store = store
        self.viewer = viewer
        self.search = search  # keyword_search: media_type TEXT, never owner (ref §6)

    def render(self, post: Post, fields: Fields) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, sub in fields:
            getter = _GETTERS.get(name)
            if getter is None:
                raise nonexisting_field(name, "ThreadsMedia")
            value = getter(self, post, sub)
            if value is not _MISSING:
                out[name] = value
        out.setdefault("id", post.id)  # Graph always answers a node's id
        return out

    def ref(self, media_id: str | None, sub: Fields | None) -> Any:
        post = self.store.posts.get(media_id or "")
        if post is None:
            return _MISSING
        return self.render(post, sub or [("id", None)])

    def owner(self, post: Post) -> User:
        return self.store.users[post.owner]

    def hide_status(self, post: Post) -> str:
        if post.reply_to and post.reply_to != post.root:
            parent = self.store.posts.get(post.reply_to)
            if parent is not None and self.hide_status(parent) == "HIDDEN":
                return "HIDDEN"  # ref §6: hiding a reply also hides the nested replies
        return post.hide_status


def _text(post: Post) -> str:
    return post.params.get("text", "")


def _json(post: Post, name: str) -> Any:
    try:
        return json.loads(post.params[name])
    except (KeyError, ValueError):
        return _MISSING


def _media_type(v: MediaView, p: Post, s: Fields | None) -> Any:
    return "TEXT" if v.search and p.media_type == "TEXT_POST" else p.media_type


def _media_url(v: MediaView, p: Post, s: Fields | None) -> Any:
    return p.params.get("image_url") or p.params.get("video_url") or _MISSING


def _owner(v: MediaView, p: Post, s: Fields | None) -> Any:
    # ref §6: owner{id} only on top-level posts you own; never in search results
    if v.search or p.reply_to or p.owner != v.viewer:
        return _MISSING
    return select_dict({"id": p.owner}, s, "ThreadsUser")


def _children(v: MediaView, p: Post, s: Fields | None) -> Any:
    if p.media_type != "CAROUSEL_ALBUM":
        return _MISSING
    return {"data": [v.ref(c, s) for c in p.children]}


def _link(v: MediaView, p: Post, s: Fields | None) -> Any:
    if p.media_type != "TEXT_POST":
        return _MISSING
    if "link_attachment" in p.params:
        return p.params["link_attachment"]
    att = _json(p, "text_attachment")
    if isinstance(att, dict) and att.get("link_attachment_url"):
        return att["link_attachment_url"]
    urls = urls_in(_text(p))  # ref §3 "text": the first URL becomes the preview card
    return urls[0] if urls else _MISSING


def _gif(v: MediaView, p: Post, s: Fields | None) -> Any:
    gif = _json(p, "gif_attachment")
    return (
        f"https://media.giphy.com/media/{gif['gif_id']}/giphy.gif" if gif is not _MISSING else gif
    )


def _poll(v: MediaView, p: Post, s: Fields | None) -> Any:
    poll = _json(p, "poll_attachment")
    if poll is _MISSING:
        return poll
    out: dict[str, Any] = {}
    for key in ("option_a", "option_b", "option_c", "option_d"):
        if key in poll:
            out[key] = poll[key]
            out[f"{key}_votes_percentage"] = 0.0
    out["total_votes"] = 0
    out["expiration_timestamp"] = graph_time(p.created_at + DAY)
    return select_dict(out, s, "ThreadsPollAttachment")


def _has_replies(v: MediaView, p: Post, s: Fields | None) -> Any:
    return any(r.reply_to == p.id and visible(r) for r in v.store.posts.values())


def _location(v: MediaView, p: Post, s: Fields | None) -> Any:
    loc = v.store.locations.get(p.params.get("location_id", ""))
    return render_location(loc, s or [("id", None)]) if loc else _MISSING


def _entities(v: MediaView, p: Post, s: Fields | None) -> Any:
    ents = _json(p, "text_entities")
    return {"data": ents} if isinstance(ents, list) else _MISSING


def _countries(v: MediaView, p: Post, s: Fields | None) -> Any:
    raw = p.params.get("allowlisted_country_codes")
    return [c.strip() for c in raw.split(",")] if raw else _MISSING


def _flag(name: str) -> Callable[[MediaView, Post, Fields | None], Any]:
    return lambda v, p, s: p.params.get(name, "").lower() in ("true", "1")


def _param(name: str) -> Callable[[MediaView, Post, Fields | None], Any]:
    return lambda v, p, s: p.params.get(name) or _MISSING


def _if(cond: Callable[[Post], bool], value: Callable[[MediaView, Post], Any]) -> Any:
    return lambda v, p, s: value(v, p) if cond(p) else _MISSING


_GETTERS: dict[str, Callable[[MediaView, Post, Fields | None], Any]] = {
    "id": lambda v, p, s: p.id,
    "media_product_type": lambda v, p, s: "THREADS",
    "media_type": _media_type,
    "media_url": _media_url,
    "permalink": _if(lambda p: p.parent is None, lambda v, p: permalink(v.owner(p).username, p.id)),
    "owner": _owner,
    "username": lambda v, p, s: v.owner(p).username,
    "text": lambda v, p, s: _text(p) or _MISSING,
    "timestamp": lambda v, p, s: graph_time(p.created_at),
    "shortcode": lambda v, p, s: shortcode(p.id),
    "thumbnail_url": _if(lambda p: p.media_type == "VIDEO", lambda v, p: f"{CDN}/{p.id}/thumb.jpg"),
    "children": _children,
    "is_quote_post": lambda v, p, s: p.quote_of is not None,
    "quoted_post": lambda v, p, s: v.ref(p.quote_of, s) if p.quote_of else _MISSING,
    "reposted_post": lambda v, p, s: v.ref(p.reposted, s) if p.reposted else _MISSING,
    "alt_text": _param("alt_text"),
    "link_attachment_url": _link,
    "gif_url": _gif,
    "poll_attachment": _poll,
    "topic_tag": lambda v, p, s: p.params.get("topic_tag") or first_text_tag(_text(p)) or _MISSING,
    "has_replies": _has_replies,
    "is_reply": lambda v, p, s: p.reply_to is not None,
    "is_reply_owned_by_me": lambda v, p, s: p.reply_to is not None and p.owner == v.viewer,
    "root_post": lambda v, p, s: v.ref(p.root, s) if p.root else _MISSING,
    "replied_to": lambda v, p, s: v.ref(p.reply_to, s) if p.reply_to else _MISSING,
    "hide_status": lambda v, p, s: v.hide_status(p),
    "reply_audience": lambda v, p, s: p.params.get("reply_control", "everyone").upper(),
    "is_spoiler_media": _flag("is_spoiler_media"),
    "text_entities": _entities,
    "text_attachment": lambda v, p, s: _json(p, "text_attachment"),
    "location_id": _param("location_id"),
    "location": _location,
    "allowlisted_country_codes": _countries,
    "is_verified": lambda v, p, s: v.owner(p).is_verified,
    "profile_picture_url": lambda v, p, s: f"{CDN}/profile/{p.owner}.jpg",
    "reply_approval_status": lambda v, p, s: (
        p.approval if p.approval != "approved" and p.approval else _MISSING
    ),
    "ghost_post_status": _if(lambda p: p.ghost, lambda v, p: _ghost_status(v, p)),
    "ghost_post_expiration_timestamp": _if(
        lambda p: p.ghost, lambda v, p: graph_time(p.created_at + DAY)
    ),
}
MEDIA_FIELDS = frozenset(_GETTERS)


def _ghost_status(v: MediaView, p: Post) -> str:
    return "active" if v.store.clock.now() < p.created_at + DAY else "archived"
