"""The fields of a content file, as written (before templating).

These pydantic models are the source of ``threadsync schema`` and of the type
checks of every file.  Rules that depend on the rendered text (lengths, links,
spoilers) or on other files (references, ids) live in ``rules.py`` and
``loader.py``; ranges that editors can check are also declared here as JSON
Schema hints.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    WithJsonSchema,
    model_validator,
)

ReplyControl = Literal[
    "everyone", "accounts_you_follow", "mentioned_only", "parent_post_author_only", "followers_only"
]
OnChange = Literal["warn", "replace"]


def _number_to_str(value: Any) -> Any:
    # Ids are often written bare (``quote: 17890012345``): YAML reads a number.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


IdStr = Annotated[
    str,
    BeforeValidator(_number_to_str),
    WithJsonSchema({"type": ["string", "integer"]}),
]


def _parse_datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        raise ValueError(f"publish_at needs a time of day, e.g. {value.isoformat()}T09:00:00+00:00")
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 10 and text[4:5] == "-":
            raise ValueError(f"publish_at needs a time of day, e.g. {text}T09:00:00+00:00")
        try:
            return dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            raise ValueError(
                f"publish_at {value!r} is not an ISO 8601 date-time; "
                "write e.g. 2027-01-01T09:00:00+01:00"
            ) from None
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class MediaSpec(_Strict):
    """One media item: exactly one of ``image`` or ``video``, and optional ``alt``."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            # Editors show it as it is: plain text, not the docstring's markup.
            "description": "One media item: exactly one of image or video, and optional alt.",
            "oneOf": [{"required": ["image"]}, {"required": ["video"]}],
        },
    )

    image: str | None = Field(
        default=None, description="URL, or a path relative to this file (JPEG or PNG)."
    )
    video: str | None = Field(
        default=None, description="URL, or a path relative to this file (MP4 or MOV)."
    )
    alt: str | None = Field(
        default=None,
        description="Alt text, up to 1000 characters.",
        json_schema_extra={"maxLength": 1000},
    )

    @model_validator(mode="after")
    def _one_kind(self) -> MediaSpec:
        if (self.image is None) == (self.video is None):
            raise ValueError("a media item needs exactly one of image: or video:")
        return self


def _media_tag(value: Any) -> str | None:
    if isinstance(value, str):
        return "path"
    if isinstance(value, dict | MediaSpec):
        return "item"
    return None


MediaEntry = Annotated[
    Annotated[str, Tag("path")] | Annotated[MediaSpec, Tag("item")],
    Discriminator(
        _media_tag,
        custom_error_type="media_item",
        custom_error_message="a media item is a path or URL, or a mapping with image: or video:",
    ),
]


class PartFields(_Strict):
    """Fields shared by the root post and each thread part."""

    text: str | None = Field(
        default=None,
        description="The post's text: a Jinja2 template, at most 500 characters once rendered "
        "(emoji count as their UTF-8 bytes). In Markdown files, the body.",
    )
    media: list[MediaEntry] | None = Field(
        default=None,
        description="0 items: text post; 1: image or video post; 2-20: carousel. Each item is a "
        "path/URL (typed by extension) or {image: ..., alt: ...} / {video: ..., alt: ...}.",
        json_schema_extra={"maxItems": 20},
    )
    spoiler_media: bool | None = Field(
        default=None, description="Blur the media as a spoiler (posts with media only)."
    )
    spoilers: list[str] | None = Field(
        default=None,
        description="Substrings of the text to hide as spoilers (each hides its first "
        "not-yet-hidden occurrence); at most 10.",
        json_schema_extra={"maxItems": 10},
    )
    poll: list[str] | None = Field(
        default=None,
        description="2-4 poll options of 1-25 characters each (text posts only).",
        json_schema_extra={"minItems": 2, "maxItems": 4},
    )
    link: str | None = Field(
        default=None, description="URL of the link preview card (text posts only)."
    )
    gif: IdStr | None = Field(default=None, description="A GIPHY GIF id (text posts only).")
    attachment: str | None = Field(
        default=None,
        description="Long text attached to the post, up to 10,000 characters (text posts only; "
        "not with a poll). A Jinja2 template like text.",
        json_schema_extra={"maxLength": 10000},
    )
    topic: str | None = Field(
        default=None,
        description="Topic tag: 1-50 characters, no '.' or '&'.",
        json_schema_extra={"minLength": 1, "maxLength": 50, "pattern": "^[^.&]+$"},
    )
    quote: IdStr | None = Field(
        default=None,
        description="Post to quote: a content id, a Threads media id, or a threads.net/threads.com "
        "permalink.",
    )
    reply_control: ReplyControl | None = Field(default=None, description="Who may reply.")
    countries: list[str] | None = Field(
        default=None,
        description="Only show the post in these countries (ISO 3166-1 alpha-2 codes, e.g. US).",
        json_schema_extra={"items": {"type": "string", "pattern": "^[A-Z]{2}$"}},
    )
    location: IdStr | None = Field(default=None, description="A Threads location id.")
    vars: dict[str, Any] | None = Field(
        default=None, description="Template variables for this post (or this part)."
    )


class ThreadPart(PartFields):
    """A further part of a thread: published as a reply to the part before it."""


class PostFile(PartFields):
    """A content file (a YAML file, or a Markdown file's front matter plus body)."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        title="threadsync post",
        json_schema_extra={
            "description": "One threadsync post: a YAML content file or Markdown front matter."
        },
    )

    id: IdStr | None = Field(
        default=None,
        description="Stable id of the post; defaults to the file's path under the content dir "
        "without its suffix. Keep it when renaming the file.",
    )
    reply_to: IdStr | None = Field(
        default=None,
        description="Post to reply to: a content id, a Threads media id, or a permalink.",
    )
    publish_at: Annotated[dt.datetime | None, BeforeValidator(_parse_datetime)] = Field(
        default=None,
        description="When to publish (ISO 8601). Without an offset, threadsync.yaml's timezone "
        "applies. Absent: publish at the next apply.",
    )
    draft: bool = Field(default=False, description="Never publish this post while true.")
    on_change: OnChange | None = Field(
        default=None,
        description="What to do when this post is edited after it was published: warn "
        "(default) or replace (delete and post again).",
    )
    ghost: bool = Field(
        default=False,
        description="Publish as a ghost post, which Threads archives after 24 hours. Text only: "
        "no reply_to, thread, media, poll, link, gif, attachment, quote, topic, countries or "
        "location; spoilers are allowed.",
    )
    thread: list[ThreadPart] | None = Field(
        default=None,
        description="Further parts, each published as a reply to the one before.",
    )


class Defaults(_Strict):
    """``defaults:`` of threadsync.yaml: fields every post gets unless it sets them."""

    reply_control: ReplyControl | None = None
    topic: str | None = None
    countries: list[str] | None = None
    location: IdStr | None = None
    on_change: OnChange | None = None


POST_KEYS = tuple(PostFile.model_fields)
PART_KEYS = tuple(ThreadPart.model_fields)
MEDIA_KEYS = tuple(MediaSpec.model_fields)
POST_ONLY_KEYS = tuple(k for k in POST_KEYS if k not in PART_KEYS)


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a content file, for editors and other tools."""
    schema = PostFile.model_json_schema()
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://threadsync.invalid/schema/post.json",
        **schema,
    }
    return schema
