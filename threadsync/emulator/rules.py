"""Validation of ``POST /{user}/threads`` parameters, written from ref §3.

These are the rules that need no other object.  Rules about other objects
(carousel children, reply and quote targets, locations) are in publish.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .countries import ISO_ALPHA2
from .model import User
from .params import parse_bool
from .text import char_count, is_http_url, unique_links, utf16_length
from .wire import (
    SUB_CAROUSEL,
    SUB_GEO,
    SUB_LINK_LIMIT,
    SUB_POLL,
    SUB_TEXT_ONLY,
    SUB_TEXT_TOO_LONG,
    SUB_TOPIC_TAG,
    GraphError,
    invalid,
)

MEDIA_TYPES = ("TEXT", "IMAGE", "VIDEO", "CAROUSEL")
REPLY_CONTROLS = (  # ref §3 "reply_control": five values
    "everyone",
    "accounts_you_follow",
    "mentioned_only",
    "parent_post_author_only",
    "followers_only",
)
BOOLEANS = (
    "is_carousel_item",
    "auto_publish_text",
    "is_spoiler_media",
    "is_ghost_post",
    "enable_reply_approvals",
    "crossreshare_to_ig",
    "crossreshare_to_ig_dark_mode",
)
TEXT_ONLY = ("link_attachment", "poll_attachment", "text_attachment", "gif_attachment")
POLL_KEYS = ("option_a", "option_b", "option_c", "option_d")
STYLES = ("bold", "italic", "highlight", "underline", "strikethrough")  # ref §3, per GO
MAX_TEXT = 500
MAX_LINKS = 5
MAX_CHILDREN = 20  # ref §3 "children": 2-20 since 2024-09-19


@dataclass
class Spec:
    media_type: str
    text: str = ""
    flags: dict[str, bool] = field(default_factory=dict)
    children: list[str] = field(default_factory=list)
    media_url: str | None = None

    def flag(self, name: str) -> bool:
        return self.flags.get(name, False)


def _json(params: dict[str, str], name: str) -> Any:
    try:
        return json.loads(params[name])
    except ValueError:
        raise invalid(f"Param {name} must be a JSON value.") from None


def validate_create(params: dict[str, str], user: User) -> Spec:
    media_type = params.get("media_type", "")
    if media_type not in MEDIA_TYPES:  # ref §3 "media_type": required
        raise invalid(f"Param media_type must be one of {', '.join(MEDIA_TYPES)}.")
    spec = Spec(media_type, params.get("text", ""))
    for name in BOOLEANS:
        value = parse_bool(params, name)
        if value is not None:
            spec.flags[name] = value
    _check_kind(spec, params)
    _check_text(spec, params)
    _check_text_only(spec, params)
    if "poll_attachment" in params:
        _check_poll(params)
    if "text_attachment" in params:
        _check_text_attachment(params)
    if "gif_attachment" in params:
        _check_gif(params)
    _check_links(spec, params)
    _check_media_extras(spec, params)
    if "text_entities" in params:
        _check_entities(spec, params)
    if "allowlisted_country_codes" in params:
        _check_countries(params["allowlisted_country_codes"], user)
    if "reply_control" in params and params["reply_control"] not in REPLY_CONTROLS:
        raise invalid(f"Param reply_control must be one of {', '.join(REPLY_CONTROLS)}.")
    if spec.flag("is_ghost_post"):
        _check_ghost(params)
    return spec


def _check_kind(spec: Spec, params: dict[str, str]) -> None:
    if spec.flag("is_carousel_item") and spec.media_type not in ("IMAGE", "VIDEO"):
        raise invalid("A carousel item must be an IMAGE or a VIDEO.", subcode=SUB_CAROUSEL)
    url_param = {"IMAGE": "image_url", "VIDEO": "video_url"}.get(spec.media_type)
    if url_param is not None:  # ref §3: image_url / video_url required, a public URL
        url = params.get(url_param, "")
        if not is_http_url(url):
            raise invalid(f"Param {url_param} is required and must be an http(s) URL.")
        spec.media_url = url
    if spec.media_type == "CAROUSEL":
        children = [c.strip() for c in params.get("children", "").split(",") if c.strip()]
        if not 2 <= len(children) <= MAX_CHILDREN:  # ref §3 "Carousel"
            raise invalid(
                f"A carousel needs 2 to {MAX_CHILDREN} children; got {len(children)}.",
                title="Invalid Carousel",
                subcode=SUB_CAROUSEL,
            )
        if len(set(children)) != len(children):
            raise invalid("A carousel child is listed twice.", subcode=SUB_CAROUSEL)
        spec.children = children


def _check_text(spec: Spec, params: dict[str, str]) -> None:
    if spec.media_type == "TEXT" and not spec.text.strip():
        raise invalid("Param text is required for a TEXT post.")
    length = char_count(spec.text)
    if length > MAX_TEXT:  # ref §3 "text": 500, emoji counted in UTF-8 bytes
        raise invalid(
            f"The text is {length} characters long; the limit is {MAX_TEXT}.",
            title="Text Too Long",
            subcode=SUB_TEXT_TOO_LONG,
        )


def _check_text_only(spec: Spec, params: dict[str, str]) -> None:
    if spec.media_type == "TEXT":
        return
    used = [name for name in TEXT_ONLY if name in params]
    used += [n for n in ("auto_publish_text", "is_ghost_post") if spec.flag(n)]
    if used:  # ref §3: link_attachment, polls, gifs, text attachments: TEXT posts only
        raise invalid(
            f"{', '.join(used)} can only be used on TEXT posts.",
            title="Text Posts Only",
            subcode=SUB_TEXT_ONLY,
        )


def _check_poll(params: dict[str, str]) -> None:
    poll = _json(params, "poll_attachment")  # ref §3 "poll_attachment": 2-4 options, 1-25 chars
    if not isinstance(poll, dict) or set(poll) - set(POLL_KEYS):
        raise invalid("poll_attachment takes option_a to option_d.", subcode=SUB_POLL)
    present = [k for k in POLL_KEYS if k in poll]
    if len(present) < 2 or present != list(POLL_KEYS[: len(present)]):
        raise invalid(
            "A poll needs option_a and option_b, then c and d in order.", subcode=SUB_POLL
        )
    for key in present:
        value = poll[key]
        if not isinstance(value, str) or not 1 <= char_count(value) <= 25:
            raise invalid(f"Poll {key} must be 1 to 25 characters.", subcode=SUB_POLL)
    if "text_attachment" in params:
        raise invalid("A poll cannot be combined with a text attachment.", subcode=SUB_POLL)


def _check_text_attachment(params: dict[str, str]) -> None:
    att = _json(params, "text_attachment")  # ref §3 "text_attachment"
    if not isinstance(att, dict) or not isinstance(att.get("plaintext"), str):
        raise invalid("text_attachment needs a plaintext string.")
    if len(att["plaintext"]) > 10000:
        raise invalid("text_attachment plaintext is limited to 10,000 characters.")
    link = att.get("link_attachment_url")
    if link is not None:
        if not isinstance(link, str) or not is_http_url(link):
            raise invalid("text_attachment link_attachment_url must be an http(s) URL.")
        if "link_attachment" in params:
            raise invalid("The post has a link_attachment; the text attachment cannot add one.")
    styling = att.get("text_with_styling_info", [])
    if not isinstance(styling, list):
        raise invalid("text_with_styling_info must be a list.")
    for item in styling:
        ok = isinstance(item, dict) and all(
            isinstance(item.get(k), int) and item[k] >= 0 for k in ("offset", "length")
        )
        styles = item.get("styling_info") if isinstance(item, dict) else None
        if not ok or not isinstance(styles, list) or any(s not in STYLES for s in styles):
            raise invalid(f"Each styling entry needs offset, length and styling_info in {STYLES}.")


def _check_gif(params: dict[str, str]) -> None:
    gif = _json(params, "gif_attachment")  # ref §3 "gif_attachment": GIPHY only now
    if not isinstance(gif, dict) or not isinstance(gif.get("gif_id"), str) or not gif["gif_id"]:
        raise invalid("gif_attachment needs a gif_id and a provider.")
    if gif.get("provider") != "GIPHY":
        raise invalid("The only gif_attachment provider is GIPHY (TENOR is deprecated).")


def _check_links(spec: Spec, params: dict[str, str]) -> None:
    link = params.get("link_attachment")
    if link is not None and not is_http_url(link):
        raise invalid("Param link_attachment must be an http(s) URL.")
    att_link = None
    if "text_attachment" in params:
        att_link = _json(params, "text_attachment").get("link_attachment_url")
    links = unique_links(spec.text, link, att_link)
    if len(links) > MAX_LINKS:  # ref §3 "Link limit"
        raise invalid(
            f"The post has {len(links)} unique links; the limit is {MAX_LINKS}.",
            title="THREADS_API__LINK_LIMIT_EXCEEDED",
            subcode=SUB_LINK_LIMIT,
        )


def _check_media_extras(spec: Spec, params: dict[str, str]) -> None:
    if "topic_tag" in params:
        tag = params["topic_tag"]  # ref §3 "topic_tag": 1-50 chars, no . or &
        if not 1 <= len(tag) <= 50 or "." in tag or "&" in tag:
            raise invalid(
                "topic_tag must be 1 to 50 characters, without '.' or '&'.",
                title="Invalid Topic Tag",
                subcode=SUB_TOPIC_TAG,
            )
    if "alt_text" in params:
        if spec.media_type == "TEXT":  # ref §3 "alt_text": not on text-only posts
            raise invalid("alt_text is for IMAGE, VIDEO and CAROUSEL posts only.")
        if len(params["alt_text"]) > 1000:
            raise invalid("alt_text is limited to 1,000 characters.")
    if spec.flag("is_spoiler_media") and spec.media_type == "TEXT":  # ref §3
        raise invalid("is_spoiler_media is for IMAGE, VIDEO and CAROUSEL posts only.")


def _check_entities(spec: Spec, params: dict[str, str]) -> None:
    entities = _json(params, "text_entities")  # ref §3 "text_entities": max 10, UTF-16 offsets
    if not isinstance(entities, list) or len(entities) > 10:
        raise invalid("text_entities must be a list of at most 10 entities.")
    size = utf16_length(spec.text)
    for ent in entities:
        if not isinstance(ent, dict) or ent.get("entity_type") not in ("SPOILER", "spoiler"):
            raise invalid("Each text entity needs entity_type SPOILER.")
        offset, length = ent.get("offset"), ent.get("length")
        if not isinstance(offset, int) or not isinstance(length, int):
            raise invalid("Each text entity needs an integer offset and length.")
        if offset < 0 or length < 1 or offset + length > size:
            raise invalid("A text entity falls outside the text (offsets are UTF-16 units).")


def _check_countries(value: str, user: User) -> None:
    if not user.is_eligible_for_geo_gating:  # ref §3 "allowlisted_country_codes"
        raise GraphError(
            "THREADS_API__FEATURE_NOT_AVAILABLE",
            code=100,
            subcode=SUB_GEO,
            user_title="THREADS_API__FEATURE_NOT_AVAILABLE",
            user_msg="This profile is not eligible for geo-gating.",
        )
    codes = [c.strip() for c in value.split(",")]
    bad = [c for c in codes if c not in ISO_ALPHA2]
    if bad or not codes:
        raise invalid(
            f"Not ISO 3166-1 alpha-2 country codes: {', '.join(bad) or '(empty)'}.",
            title="THREADS_API__GEO_GATING_INVALID_COUNTRY_CODES",
            subcode=SUB_GEO,
        )


def _check_ghost(params: dict[str, str]) -> None:
    # ref §3 "is_ghost_post": cannot be a reply; text spoilers are the only other feature
    # A topic tag and geo-gating are features too; reply_control is who may reply.
    banned = (
        "reply_to_id",
        "quote_post_id",
        "location_id",
        "topic_tag",
        "allowlisted_country_codes",
        *TEXT_ONLY,
    )
    used = [name for name in banned if name in params]
    if used:
        raise invalid(f"A ghost post cannot use {', '.join(used)}.")
