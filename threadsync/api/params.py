"""Check and shape container parameters before they cost a request.

Only rules Meta documents are checked, each with a message naming the
parameter: https://developers.facebook.com/docs/threads/reference/publishing
Object values come back as dicts/lists; the transport sends them as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from threadsync.api.errors import ThreadsInvalidParameter
from threadsync.api.types import ContainerStatus, MediaType, PublishingStatus

CAROUSEL_MIN, CAROUSEL_MAX = 2, 20
POLL_MIN, POLL_MAX, POLL_OPTION_MAX = 2, 4, 25
TOPIC_TAG_MAX = 50
ALT_TEXT_MAX = 1000
TEXT_ATTACHMENT_MAX = 10_000
SPOILERS_MAX = 10

# Parameters Meta accepts on text-only posts, and on media posts, only.
TEXT_ONLY = (
    "link_attachment",
    "poll_attachment",
    "text_attachment",
    "gif_attachment",
    "auto_publish_text",
    "is_ghost_post",
)
MEDIA_ONLY = ("alt_text", "is_spoiler_media")


def _invalid(message: str) -> ThreadsInvalidParameter:
    return ThreadsInvalidParameter(message)


def poll_attachment(options: Sequence[str]) -> dict[str, str]:
    """2 to 4 options of 1 to 25 characters, as ``option_a``..``option_d``."""
    if isinstance(options, str) or not POLL_MIN <= len(options) <= POLL_MAX:
        raise _invalid(f"poll_options: give {POLL_MIN} to {POLL_MAX} options")
    for option in options:
        if not 1 <= len(option) <= POLL_OPTION_MAX:
            raise _invalid(f"poll_options: {option!r} must be 1 to {POLL_OPTION_MAX} characters")
    return {f"option_{'abcd'[i]}": option for i, option in enumerate(options)}


def spoiler_entities(
    entities: Sequence[tuple[int, int] | Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Text spoilers as ``(offset, length)`` pairs or dicts; at most 10."""
    if len(entities) > SPOILERS_MAX:
        raise _invalid(f"text_entities: at most {SPOILERS_MAX} spoilers")
    shaped = []
    for entity in entities:
        if isinstance(entity, Mapping):
            item = {"entity_type": "SPOILER", **entity}
        else:
            item = {"entity_type": "SPOILER", "offset": entity[0], "length": entity[1]}
        offset, length = item.get("offset"), item.get("length")
        if not isinstance(offset, int) or not isinstance(length, int):
            raise _invalid("text_entities: offset and length must be integers")
        if offset < 0 or length < 1:
            raise _invalid("text_entities: need offset >= 0 and length >= 1")
        shaped.append(item)
    return shaped


def text_attachment(value: str | Mapping[str, Any]) -> dict[str, Any]:
    """A long-text attachment: plain text (up to 10,000 characters) or the full object."""
    shaped = {"plaintext": value} if isinstance(value, str) else dict(value)
    plaintext = shaped.get("plaintext")
    if not isinstance(plaintext, str) or not plaintext:
        raise _invalid("text_attachment: plaintext is required")
    if len(plaintext) > TEXT_ATTACHMENT_MAX:
        raise _invalid(f"text_attachment: plaintext is over {TEXT_ATTACHMENT_MAX} characters")
    return shaped


def gif_attachment(value: str | Mapping[str, str]) -> dict[str, str]:
    """A GIF by id; the provider defaults to GIPHY, the only one Meta still takes."""
    shaped = {"gif_id": value} if isinstance(value, str) else dict(value)
    if not shaped.get("gif_id"):
        raise _invalid("gif_attachment: gif_id is required")
    shaped["provider"] = str(shaped.get("provider") or "GIPHY").upper()
    return shaped


def topic_tag(tag: str) -> str:
    if not 1 <= len(tag) <= TOPIC_TAG_MAX or "." in tag or "&" in tag:
        raise _invalid(f"topic_tag: 1 to {TOPIC_TAG_MAX} characters, without '.' or '&'")
    return tag


def alt_text(text: str) -> str:
    if len(text) > ALT_TEXT_MAX:
        raise _invalid(f"alt_text: at most {ALT_TEXT_MAX} characters")
    return text


def country_codes(codes: str | Sequence[str]) -> list[str]:
    """ISO 3166-1 alpha-2 codes (``"US,CA"`` or a list), for geo-gating."""
    items = codes.split(",") if isinstance(codes, str) else list(codes)
    shaped = [code.strip().upper() for code in items if code.strip()]
    if not shaped or any(len(c) != 2 or not c.isalpha() or not c.isascii() for c in shaped):
        raise _invalid("allowlisted_country_codes: two-letter country codes, e.g. US,CA")
    return shaped


def carousel_children(containers: Sequence[ContainerStatus | str]) -> list[str]:
    """2 to 20 child ids; ContainerStatus children must be FINISHED."""
    if not CAROUSEL_MIN <= len(containers) <= CAROUSEL_MAX:
        raise _invalid(f"a carousel takes {CAROUSEL_MIN} to {CAROUSEL_MAX} children")
    ids = []
    for child in containers:
        if isinstance(child, ContainerStatus):
            if child.status is not PublishingStatus.FINISHED:
                raise _invalid(f"child container {child.id} is {child.status.value}, not FINISHED")
            ids.append(child.id)
        else:
            ids.append(str(child))
    return ids


def check_combination(media_type: MediaType, params: Mapping[str, object]) -> None:
    """Refuse parameter mixes Meta documents as invalid."""
    is_text = media_type is MediaType.TEXT
    wrong = [
        k for k in (MEDIA_ONLY if is_text else TEXT_ONLY) if params.get(k) not in (None, False)
    ]
    if wrong:
        kind = "media (image, video, carousel)" if is_text else "text-only"
        raise _invalid(f"{', '.join(wrong)}: only for {kind} posts")
    attachment = params.get("text_attachment")
    if attachment is not None and params.get("poll_attachment") is not None:
        raise _invalid("text_attachment cannot be combined with a poll")
    if (
        isinstance(attachment, Mapping)
        and attachment.get("link_attachment_url")
        and params.get("link_attachment") is not None
    ):
        raise _invalid("text_attachment.link_attachment_url: the post already has a link")
    if params.get("is_ghost_post") and params.get("reply_to_id") is not None:
        raise _invalid("is_ghost_post: a ghost post cannot be a reply")
