"""pythreads' enums and value types, corrected where the API moved on.

ReplyControl has the five values Meta accepts since 2025-07; a container's
``error_message`` may be free text, so :class:`ContainerStatus` keeps the raw
string next to the enum. https://developers.facebook.com/docs/threads/troubleshooting
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from threadsync.api.errors import ThreadsResponseError


class MediaType(str, Enum):
    """``media_type`` of a container being created (reads say TEXT_POST etc.)."""

    TEXT = "TEXT"
    IMAGE = "IMAGE"
    VIDEO = "VIDEO"
    CAROUSEL = "CAROUSEL"


class ReplyControl(str, Enum):
    """Who may reply. https://developers.facebook.com/docs/threads/reply-management"""

    EVERYONE = "everyone"
    ACCOUNTS_YOU_FOLLOW = "accounts_you_follow"
    MENTIONED_ONLY = "mentioned_only"
    PARENT_POST_AUTHOR_ONLY = "parent_post_author_only"
    FOLLOWERS_ONLY = "followers_only"


class PublishingStatus(str, Enum):
    """A container's ``status``."""

    IN_PROGRESS = "IN_PROGRESS"
    FINISHED = "FINISHED"
    PUBLISHED = "PUBLISHED"
    ERROR = "ERROR"
    EXPIRED = "EXPIRED"


class PublishingError(str, Enum):
    """The documented ``error_message`` codes of a container in ERROR."""

    FAILED_DOWNLOADING_VIDEO = "FAILED_DOWNLOADING_VIDEO"
    FAILED_PROCESSING_AUDIO = "FAILED_PROCESSING_AUDIO"
    FAILED_PROCESSING_VIDEO = "FAILED_PROCESSING_VIDEO"
    INVALID_ASPEC_RATIO = "INVALID_ASPEC_RATIO"  # sic, Meta's spelling
    INVALID_AUDIO_CHANNELS = "INVALID_AUDIO_CHANNELS"
    INVALID_AUDIO_CHANNEL_LAYOUT = "INVALID_AUDIO_CHANNEL_LAYOUT"
    INVALID_BIT_RATE = "INVALID_BIT_RATE"
    INVALID_DURATION = "INVALID_DURATION"
    INVALID_FRAME_RATE = "INVALID_FRAME_RATE"
    UNKNOWN = "UNKNOWN"

    @classmethod
    def from_message(cls, message: str) -> PublishingError:
        """The code for ``message``; UNKNOWN for free text instead of a KeyError."""
        try:
            return cls(message.strip())
        except ValueError:
            return cls.UNKNOWN


@dataclass(frozen=True)
class Media:
    """An image or video at a public URL, which Meta downloads."""

    type: MediaType
    url: str


@dataclass(frozen=True)
class ContainerStatus:
    """A container's status; ``error_message`` is Meta's raw text, ``error`` its code."""

    id: str
    status: PublishingStatus
    error: PublishingError | None = None
    error_message: str | None = None

    @classmethod
    def from_response(cls, data: Mapping[str, Any]) -> ContainerStatus:
        raw_status = data.get("status")
        try:
            status = PublishingStatus(raw_status)
        except ValueError:
            raise ThreadsResponseError(
                f"unexpected container status {raw_status!r}", body=dict(data)
            ) from None
        message = data.get("error_message")
        message = None if message is None else str(message)
        error = PublishingError.from_message(message) if message else None
        return cls(id=str(data.get("id", "")), status=status, error=error, error_message=message)
