"""Write calls: containers, publishing, waiting, replies, delete and repost.

Publishing is two steps: create a container, then publish it once it reads
FINISHED. https://developers.facebook.com/docs/threads/posts

Container creation is retried on transient failures (a spare container is
harmless: it expires unpublished). ``threads_publish`` is sent exactly once;
an ambiguous failure raises :class:`PublishOutcomeUnknown` instead of risking
a second post. ``auto_publish_text`` turns creation into a publish, so it is
treated the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from threadsync.api import params as P
from threadsync.api.errors import (
    ContainerExpired,
    ContainerFailed,
    ContainerWaitTimeout,
    PublishOutcomeUnknown,
    ThreadsAPIError,
    ThreadsInvalidParameter,
    ThreadsResponseError,
    ThreadsTransportError,
)
from threadsync.api.reading import ReadingMixin
from threadsync.api.retry import PollSchedule
from threadsync.api.transport import JSONDict
from threadsync.api.types import ContainerStatus, Media, MediaType, PublishingStatus, ReplyControl

T = TypeVar("T")
Spoilers = Sequence[tuple[int, int] | Mapping[str, Any]]
DEFAULT_WAIT = 300.0  # Meta: poll about once a minute for up to 5 minutes


def _opt(check: Callable[[T], object], value: T | None) -> object:
    return None if value is None else check(value)


def _reply_control(value: ReplyControl | str | None) -> ReplyControl | None:
    if value is None:
        return None
    try:
        return ReplyControl(value)
    except ValueError:
        choices = ", ".join(r.value for r in ReplyControl)
        raise ThreadsInvalidParameter(f"reply_control: choose from {choices}") from None


class PublishingMixin(ReadingMixin):
    def _common(
        self,
        *,
        reply_control: ReplyControl | str | None,
        reply_to_id: str | None,
        quote_post_id: str | None,
        topic_tag: str | None,
        is_spoiler_media: bool | None,
        text_entities: Spoilers | None,
        location_id: str | None,
        allowlisted_country_codes: str | Sequence[str] | None,
        enable_reply_approvals: bool | None,
    ) -> dict[str, object]:
        """Parameters shared by single and carousel containers; None is not sent."""
        return {
            "reply_control": _reply_control(reply_control),
            "reply_to_id": reply_to_id,
            "quote_post_id": quote_post_id,
            "topic_tag": _opt(P.topic_tag, topic_tag),
            "is_spoiler_media": is_spoiler_media,
            "text_entities": _opt(P.spoiler_entities, text_entities),
            "location_id": location_id,
            "allowlisted_country_codes": _opt(P.country_codes, allowlisted_country_codes),
            "enable_reply_approvals": enable_reply_approvals,
        }

    def create_container(
        self,
        text: str | None = None,
        media: Media | None = None,
        reply_control: ReplyControl | str | None = None,
        reply_to_id: str | None = None,
        is_carousel_item: bool = False,
        *,
        quote_post_id: str | None = None,
        poll_options: Sequence[str] | None = None,
        topic_tag: str | None = None,
        link_attachment: str | None = None,
        alt_text: str | None = None,
        is_spoiler_media: bool | None = None,
        text_entities: Spoilers | None = None,
        text_attachment: str | Mapping[str, Any] | None = None,
        gif_attachment: str | Mapping[str, str] | None = None,
        location_id: str | None = None,
        allowlisted_country_codes: str | Sequence[str] | None = None,
        auto_publish_text: bool | None = None,
        enable_reply_approvals: bool | None = None,
        is_ghost_post: bool | None = None,
    ) -> str:
        """Create a text, image or video container and return its id.

        ``reply_control`` is only sent when given (Meta's default is everyone).
        ``text_entities`` are spoilers as ``(offset, length)`` pairs or dicts.
        With ``auto_publish_text=True`` the id is the published post's.
        """
        if media is None:
            if text is None:
                raise ThreadsInvalidParameter("give text, media or both")
            media_type, urls = MediaType.TEXT, {}
        elif media.type is MediaType.IMAGE:
            media_type, urls = media.type, {"image_url": media.url}
        elif media.type is MediaType.VIDEO:
            media_type, urls = media.type, {"video_url": media.url}
        else:
            raise ThreadsInvalidParameter(
                "media.type: IMAGE or VIDEO (use create_carousel_container for carousels)"
            )
        if is_carousel_item and media_type is MediaType.TEXT:
            raise ThreadsInvalidParameter("a carousel item must be an image or a video")
        params: dict[str, object] = {
            "media_type": media_type,
            "text": text,
            **urls,
            "is_carousel_item": True if is_carousel_item else None,
            **self._common(
                reply_control=reply_control,
                reply_to_id=reply_to_id,
                quote_post_id=quote_post_id,
                topic_tag=topic_tag,
                is_spoiler_media=is_spoiler_media,
                text_entities=text_entities,
                location_id=location_id,
                allowlisted_country_codes=allowlisted_country_codes,
                enable_reply_approvals=enable_reply_approvals,
            ),
            "poll_attachment": _opt(P.poll_attachment, poll_options),
            "link_attachment": link_attachment,
            "alt_text": _opt(P.alt_text, alt_text),
            "text_attachment": (
                None if text_attachment is None else P.text_attachment(text_attachment)
            ),
            "gif_attachment": None if gif_attachment is None else P.gif_attachment(gif_attachment),
            "auto_publish_text": auto_publish_text,
            "is_ghost_post": is_ghost_post,
        }
        P.check_combination(media_type, params)
        path = f"{self.user_id}/threads"
        if auto_publish_text:
            return self._post_once(path, params, container_id=None, what="create_container")
        return self._id(self._post(path, params, retry=True), "create_container")

    def create_carousel_container(
        self,
        containers: Sequence[ContainerStatus | str],
        text: str | None = None,
        reply_control: ReplyControl | str | None = None,
        reply_to_id: str | None = None,
        *,
        quote_post_id: str | None = None,
        topic_tag: str | None = None,
        is_spoiler_media: bool | None = None,
        text_entities: Spoilers | None = None,
        location_id: str | None = None,
        allowlisted_country_codes: str | Sequence[str] | None = None,
        enable_reply_approvals: bool | None = None,
    ) -> str:
        """Create a carousel of 2 to 20 children (ids, or FINISHED ContainerStatus)."""
        params: dict[str, object] = {
            "media_type": MediaType.CAROUSEL,
            "children": P.carousel_children(containers),
            "text": text,
            **self._common(
                reply_control=reply_control,
                reply_to_id=reply_to_id,
                quote_post_id=quote_post_id,
                topic_tag=topic_tag,
                is_spoiler_media=is_spoiler_media,
                text_entities=text_entities,
                location_id=location_id,
                allowlisted_country_codes=allowlisted_country_codes,
                enable_reply_approvals=enable_reply_approvals,
            ),
        }
        body = self._post(f"{self.user_id}/threads", params, retry=True)
        return self._id(body, "create_carousel_container")

    def container_status(self, media_id: str) -> ContainerStatus:
        """A container's status; an unknown ``error_message`` maps to UNKNOWN, kept raw."""
        body = self._get(media_id, {"fields": "id,status,error_message"})
        return ContainerStatus.from_response(body)

    def publish_container(self, container_id: str) -> str:
        """Publish a FINISHED container, once; returns the post id.

        Raises :class:`MediaNotReady` (and other mapped errors) when Meta
        refuses, and :class:`PublishOutcomeUnknown` when it may have published.
        """
        return self._post_once(
            f"{self.user_id}/threads_publish",
            {"creation_id": container_id},
            container_id=container_id,
            what="publish_container",
        )

    def _post_once(
        self, path: str, params: Mapping[str, object], *, container_id: str | None, what: str
    ) -> str:
        """A POST that may publish, returning the post's id: never retried.

        Ambiguous failures say so; an answer without a usable id is one of
        them (the post may be live), so it is never returned for the caller
        to record.
        """
        subject = f"container {container_id}" if container_id else "an auto-published post"
        hint = (
            f"read its status (api.container_status({container_id!r})) before retrying"
            if container_id
            else "look for it in api.threads() before retrying"
        )
        try:
            return self._id(self._post(path, params, retry=False), what)
        except ThreadsAPIError as exc:
            if exc.http_status is None or exc.http_status < 500:
                raise  # a definite refusal: nothing was published
            cause: Exception = exc
        except (ThreadsTransportError, ThreadsResponseError) as exc:
            cause = exc  # no answer, or one without a usable id
        raise PublishOutcomeUnknown(
            f"publishing {subject} may or may not have happened ({cause}); {hint}",
            container_id=container_id,
        ) from cause

    def wait_until_finished(
        self,
        container_id: str,
        timeout: float = DEFAULT_WAIT,
        *,
        schedule: PollSchedule | None = None,
    ) -> ContainerStatus:
        """Poll until FINISHED (or PUBLISHED, returned for the caller to judge).

        Raises ContainerFailed on ERROR, ContainerExpired on EXPIRED and
        ContainerWaitTimeout after ``timeout`` seconds.
        """
        deadline = self._clock() + timeout
        delays = (schedule or PollSchedule()).delays()
        while True:
            status = self.container_status(container_id)
            if status.status in (PublishingStatus.FINISHED, PublishingStatus.PUBLISHED):
                return status
            if status.status is PublishingStatus.ERROR:
                reason = status.error_message or "no error_message given"
                raise ContainerFailed(f"container {container_id} failed: {reason}", status=status)
            if status.status is PublishingStatus.EXPIRED:
                raise ContainerExpired(
                    f"container {container_id} expired unpublished; create it again",
                    status=status,
                )
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise ContainerWaitTimeout(
                    f"container {container_id} still {status.status.value} after {timeout:g}s",
                    status=status,
                )
            self._sleep(min(next(delays), remaining))

    def manage_reply(self, reply_id: str, hide: bool) -> JSONDict:
        """Hide or unhide a top-level reply (and its nested replies).
        https://developers.facebook.com/docs/threads/reply-management#hide-replies"""
        return self._post(f"{reply_id}/manage_reply", {"hide": bool(hide)})

    def manage_pending_reply(self, reply_id: str, approve: bool) -> JSONDict:
        """Approve (``True``) or ignore (``False``) a reply awaiting approval."""
        return self._post(f"{reply_id}/manage_pending_reply", {"approve": bool(approve)})

    def delete(self, media_id: str) -> JSONDict:
        """Delete one of the user's posts: ``{"success": true, "deleted_id": ...}``.
        https://developers.facebook.com/docs/threads/posts/delete-posts"""
        return self._delete(media_id)

    def repost(self, media_id: str) -> str:
        """Repost a post; returns the repost's id.
        https://developers.facebook.com/docs/threads/posts/reposts"""
        return self._id(self._post(f"{media_id}/repost"), "repost")
