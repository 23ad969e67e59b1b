"""One part of a post, from container to published media id, exactly once.

The rules, from what other Threads clients ran into: Meta may refuse to publish
a container that has only just read FINISHED, and a publish whose answer was
lost (a dropped connection, a 5xx, even a code 10) may have gone out:

- every container id is journalled before anything depends on it;
- a recorded container is read before anything new is created: FINISHED is
  published, PUBLISHED is looked up among the account's posts, EXPIRED or a
  transient ERROR is closed and replaced, IN_PROGRESS is waited for;
- ``threads_publish`` is sent again for a container only after its status
  proves it was not published (a "media not ready" refusal, or a status read
  after an ambiguous failure);
- a container is published the moment it reads FINISHED: "media not ready"
  switches to polling its status on the short schedule, never to a fixed
  sleep, and a settle delay follows only a container seen turning FINISHED;
- a new container is made only when no open container of the part remains;
  a carousel whose items a killed run left is finished with those items;
- only Threads' answers (a container in ERROR, "media not ready" to the end)
  count toward the containers a part may use up: a crash never fails a post.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from threadsync.api import API
from threadsync.api.errors import (
    ContainerExpired,
    ContainerFailed,
    ContainerWaitTimeout,
    MediaNotReady,
    NotFound,
    PublishOutcomeUnknown,
    QuotaExceeded,
    RateLimited,
    ThreadsError,
)
from threadsync.api.retry import PollSchedule
from threadsync.api.types import Media, MediaType, PublishingStatus
from threadsync.config import ApplyConfig
from threadsync.content.models import Part, Post
from threadsync.importer import PAGE
from threadsync.journal import Journal
from threadsync.plan import normalise_text
from threadsync.state import Attempt

# error_message values that a new container can cure (the file was briefly
# unreachable, or Meta could not say); the INVALID_* ones mean the media itself.
TRANSIENT_CONTAINER_ERRORS = frozenset({"FAILED_DOWNLOADING_VIDEO", "UNKNOWN", ""})


@dataclass(frozen=True)
class ApplyOptions:
    """How apply publishes: threadsync.yaml's ``apply:`` (its defaults are written there only).

    Build it with :meth:`from_config`; the command line can set ``workers``
    and turn ``lookup`` off.
    """

    workers: int
    lookahead: int
    settle_video: float
    settle_reply: float
    container_timeout: float
    poll: PollSchedule
    not_ready_retries: int
    max_containers: int
    rate_limit_retries: int
    rate_limit_delay: float
    find_retries: int
    find_delay: float
    # Publishes whose answer was lost while the container still reads FINISHED;
    # each re-send risks a post that Meta made but does not list yet.
    unknown_outcome_retries: int
    # Before creating a post the state does not know, look for it on the account
    # (posts of the last ``lookup_days``), in case the state that recorded it was lost.
    lookup: bool
    lookup_days: float

    @classmethod
    def from_config(
        cls, config: ApplyConfig, *, workers: int | None = None, lookup: bool = True
    ) -> ApplyOptions:
        return cls(
            workers=workers or config.workers,
            lookahead=config.lookahead,
            settle_video=config.settle_video,
            settle_reply=config.settle_reply,
            container_timeout=config.container_timeout,
            poll=PollSchedule(
                initial=config.poll_initial,
                multiplier=config.poll_multiplier,
                maximum=max(config.poll_max, config.poll_initial),
            ),
            not_ready_retries=config.not_ready_retries,
            max_containers=config.max_containers,
            rate_limit_retries=config.rate_limit_retries,
            rate_limit_delay=config.rate_limit_delay,
            find_retries=config.find_retries,
            find_delay=config.find_delay,
            unknown_outcome_retries=config.unknown_outcome_retries,
            lookup=config.lookup and lookup,
            lookup_days=config.lookup_days,
        )


class PostFailed(Exception):
    """A permanent failure of one post: it is marked failed, and apply goes on."""


class Interrupted(Exception):
    """A failure that a later run can get past: the post stays pending, apply stops."""


class QuotaExhausted(Exception):
    """Threads refused a publish for the 24 h quota: this post and the rest wait."""


CONTAINER_LIFETIME = dt.timedelta(hours=24)  # ref §3: EXPIRED when not published within 24 h

# Why an attempt was closed, when the answer came from Threads.  Only these
# count toward ``max_containers``: an attempt that a killed run left behind
# (a carousel never assembled, a container that expired or vanished while no
# run was watching) says nothing about the post.
ERROR_PREFIX = "error: "
NOT_READY = "media not ready after retries"


def refused_by_threads(attempt: Attempt) -> bool:
    closed = attempt.closed or ""
    return closed.startswith(ERROR_PREFIX) or closed == NOT_READY


@dataclass(frozen=True)
class Ready:
    """A container that can be published now.

    ``just_finished``: it turned FINISHED moments ago (this run saw it
    IN_PROGRESS, or made it and has not read it since), so the settle delays
    apply; one that was ready long before its turn is published at once.
    """

    attempt: Attempt
    container_id: str
    just_finished: bool


@dataclass(frozen=True)
class Published:
    media_id: str


Progress = Callable[[str, str], None]


class PartPublisher:
    def __init__(
        self,
        api: API,
        journal: Journal,
        options: ApplyOptions,
        *,
        sleep: Callable[[float], None],
        now: Callable[[], dt.datetime],
        progress: Progress,
    ) -> None:
        self.api = api
        self.journal = journal
        self.options = options
        self.sleep = sleep
        self.now = now
        self.progress = progress

    # --- bring a part to a FINISHED container ---

    def prepare(
        self, post: Post, index: int, reply_to_id: str | None, quote_id: str | None
    ) -> Ready | Published:
        """Resume or create this part's container until it can be published."""
        made = 0
        while True:
            found = self.reconcile(post, index)
            if found is not None:
                return found
            if made >= self.options.max_containers:
                # Only Threads' refusals count toward giving up on a post; this
                # bounds a run whose containers keep closing for other reasons.
                self._give_up_if_refused(post, index)
                raise Interrupted(
                    f"{made} containers of {post.id} closed in this run without a refusal "
                    "from Threads; run apply again"
                )
            made += 1
            created = self._create(post, index, reply_to_id, quote_id)
            if created is not None:
                return created

    def start(
        self, post: Post, index: int, reply_to_id: str | None, quote_id: str | None
    ) -> Ready | None:
        """Create (or finish assembling) the part's container; do not wait for it.

        Returns a text container as ``Ready``, to be published with no status
        read; anything else (media, or a container an earlier run made) is
        read by ``prepare`` in its turn.
        """
        part = self.journal.part(post.id, index)
        if part.media_id or any(a.container_id for a in part.open_attempts()):
            return None
        return self._create(post, index, reply_to_id, quote_id)

    def reconcile(self, post: Post, index: int) -> Ready | Published | None:
        """Read the part's recorded containers; a carousel still being assembled is left open.

        ``_create`` picks that one up again and reuses its items, so a run killed
        while they process costs no new containers.
        """
        part = self.journal.part(post.id, index)
        if part.media_id:
            return Published(part.media_id)
        for attempt in part.open_attempts():
            if attempt.container_id is None:
                continue
            outcome = self._read(post, index, attempt, attempt.container_id)
            if outcome is not None:
                return outcome
        return None

    def _read(
        self, post: Post, index: int, attempt: Attempt, container_id: str
    ) -> Ready | Published | None:
        """Poll the container until it can be published, or says why it never will be."""
        self.progress(post.id, f"processing (container {container_id})")
        timeout = self.options.container_timeout
        deadline = self.now() + dt.timedelta(seconds=timeout)
        delays = self.options.poll.delays()
        processing = False
        while True:
            try:
                status = self.api.container_status(container_id)
            except NotFound:
                return self._vanished(post, index, attempt, container_id)
            if status.status is PublishingStatus.FINISHED:
                return Ready(attempt, container_id, just_finished=processing)
            if status.status is PublishingStatus.PUBLISHED:
                media_id = self._find(post, index, attempt)
                if media_id is None:
                    raise Interrupted(
                        f"container {container_id} of {post.id} was published, but the post "
                        "is not listed on the account yet; run apply again in a minute"
                    )
                return Published(media_id)
            if status.status is PublishingStatus.EXPIRED:
                self.journal.close_attempt(post.id, index, attempt, "expired")
                return None
            if status.status is PublishingStatus.ERROR:
                reason = status.error_message or "ERROR"
                self.journal.close_attempt(post.id, index, attempt, f"{ERROR_PREFIX}{reason}")
                if (status.error_message or "") in TRANSIENT_CONTAINER_ERRORS:
                    return None
                raise PostFailed(f"Threads could not process the media: {reason}")
            processing = True
            remaining = (deadline - self.now()).total_seconds()
            if remaining <= 0:
                raise Interrupted(
                    f"container {container_id} still {status.status.value} after {timeout:g}s; "
                    "run apply again to keep waiting"
                )
            self.sleep(min(next(delays), remaining))

    def _vanished(
        self, post: Post, index: int, attempt: Attempt, container_id: str
    ) -> Published | None:
        """Meta answers "does not exist" for the status of some published containers.

        So a container that cannot be read may have been published: it is
        looked for among the account's posts, and only given up once it is
        older than a container can live (24 h), when it can no longer publish.
        """
        media_id = self._find(post, index, attempt)
        if media_id:
            return Published(media_id)
        if self.now() - attempt.created_at < CONTAINER_LIFETIME:
            raise Interrupted(
                f"container {container_id} of {post.id} cannot be read and its post is not "
                "listed on the account; run apply again later (it is given up after 24 h)"
            )
        self.journal.close_attempt(post.id, index, attempt, "container not found")
        return None

    def supersede(self, post: Post, index: int) -> None:
        """The post was edited while a container of the old text was open: retire it.

        A container that was published is recorded (the old text is live);
        any other is closed, so the new text gets a container of its own.
        """
        part = self.journal.part(post.id, index)
        if part.media_id:
            return
        for attempt in part.open_attempts():
            container_id = attempt.container_id
            if container_id is None:
                self.journal.close_attempt(post.id, index, attempt, "carousel never assembled")
                continue
            try:
                status = self.api.container_status(container_id)
            except NotFound:
                if self._vanished(post, index, attempt, container_id) is not None:
                    return
                continue
            if status.status is PublishingStatus.PUBLISHED:
                if self._find(post, index, attempt) is None:
                    raise Interrupted(
                        f"container {container_id} of {post.id} was published, but the post is "
                        "not listed on the account yet; run apply again in a minute"
                    )
                return
            self.journal.close_attempt(post.id, index, attempt, "superseded by an edit")

    def _give_up_if_refused(self, post: Post, index: int) -> None:
        """Fail the post once Threads has refused ``max_containers`` of the part's containers."""
        part_state = self.journal.part(post.id, index)
        refused = [a for a in part_state.attempts if refused_by_threads(a)]
        if len(refused) >= self.options.max_containers:
            reasons = "; ".join(a.closed or "open" for a in refused)
            raise PostFailed(f"gave up after {len(refused)} containers ({reasons})")

    def _create(
        self, post: Post, index: int, reply_to_id: str | None, quote_id: str | None
    ) -> Ready | None:
        self._give_up_if_refused(post, index)
        part = post.parts[index]
        kwargs = _container_args(part, reply_to_id, quote_id)
        if part.kind == "carousel":
            self._create_carousel(post, index, kwargs)
            return None  # reconcile waits for the carousel, then it is Ready
        self.progress(post.id, "creating container" + (f" (part {index + 1})" if index else ""))
        media = None
        if part.media:
            item = part.media[0]
            media = Media(_media_type(item.kind), item.url or "")
            if item.alt:
                kwargs["alt_text"] = item.alt
        else:
            kwargs.update(_text_only_args(part))
        created_at = self.now()
        container_id = self.api.create_container(text=part.text or None, media=media, **kwargs)
        attempt = self.journal.open_attempt(
            post.id, index, container_id=container_id, text=part.text, created_at=created_at
        )
        if part.kind == "text":
            # A text container is usually ready at once: it is published with no status
            # read, and a "media not ready" answer switches it to polling.
            return Ready(attempt, container_id, just_finished=True)
        return None

    def _create_carousel(self, post: Post, index: int, kwargs: dict[str, Any]) -> None:
        """Make (or finish) the carousel's items, wait for them, then make the carousel.

        An attempt a killed run left half-way is resumed: its recorded items are
        reused while they can still be published, and only the missing ones are
        made.  An item that can no longer be used closes the attempt; it is
        left to expire, since an item is only ever published through a carousel.
        """
        part = post.parts[index]
        attempt = next(
            (a for a in self.journal.part(post.id, index).open_attempts() if not a.container_id),
            None,
        )
        if attempt is not None and not self._items_usable(post, index, attempt):
            attempt = None
        if attempt is None:
            self.progress(post.id, "creating container" + (f" (part {index + 1})" if index else ""))
            attempt = self.journal.open_attempt(
                post.id, index, container_id=None, text=part.text, created_at=self.now()
            )
        else:
            self.progress(post.id, "resuming the carousel's items")
        for item in part.media[len(attempt.children) :]:
            child = self.api.create_container(
                media=Media(_media_type(item.kind), item.url or ""),
                is_carousel_item=True,
                alt_text=item.alt,
            )
            self.journal.add_child(post.id, attempt, child)
        children = list(attempt.children)
        for child in children:
            self.progress(post.id, "processing carousel items")
            self._wait_child(post, index, attempt, child)
        container_id = self.api.create_carousel_container(
            children,
            text=part.text or None,
            **kwargs,
        )
        self.journal.set_container(post.id, attempt, container_id)

    def _items_usable(self, post: Post, index: int, attempt: Attempt) -> bool:
        """Can a half-made carousel's recorded items still go into its carousel?"""
        if len(attempt.children) > len(post.parts[index].media):
            self.journal.close_attempt(post.id, index, attempt, "carousel changed")
            return False
        for child in attempt.children:
            try:
                status = self.api.container_status(child)
            except NotFound:
                self.journal.close_attempt(post.id, index, attempt, "carousel item not found")
                return False
            if status.status is PublishingStatus.ERROR:
                reason = status.error_message or "ERROR"
                self.journal.close_attempt(post.id, index, attempt, f"{ERROR_PREFIX}{reason}")
                return False
            if status.status in (PublishingStatus.EXPIRED, PublishingStatus.PUBLISHED):
                self.journal.close_attempt(
                    post.id, index, attempt, f"carousel item {status.status.value.lower()}"
                )
                return False
        return True

    def _wait_child(self, post: Post, index: int, attempt: Attempt, child: str) -> None:
        try:
            self.api.wait_until_finished(
                child, self.options.container_timeout, schedule=self.options.poll
            )
        except ContainerFailed as exc:
            message = (exc.status.error_message if exc.status else None) or "ERROR"
            self.journal.close_attempt(post.id, index, attempt, f"{ERROR_PREFIX}{message}")
            if message in TRANSIENT_CONTAINER_ERRORS:
                raise Interrupted(f"a carousel item failed ({message}); run apply again") from exc
            raise PostFailed(f"Threads could not process a carousel item: {message}") from exc
        except ContainerExpired as exc:
            self.journal.close_attempt(post.id, index, attempt, "carousel item expired")
            raise Interrupted("a carousel item expired; run apply again") from exc
        except ContainerWaitTimeout as exc:
            raise Interrupted(f"{exc}; run apply again") from exc

    # --- publish a FINISHED container ---

    def publish(self, post: Post, index: int, ready: Ready) -> str | None:
        """Publish once; returns the media id, or None when the container must be replaced."""
        if ready.just_finished:
            self._settle(post, index)
        # Waits after "media not ready": a container that reads FINISHED and is still
        # refused (Meta's race, reference §3) is asked again later each time.
        backoff = self.options.poll.delays()
        not_ready = limited = unknown = 0
        while True:
            self.progress(post.id, "publishing" + (f" (part {index + 1})" if index else ""))
            try:
                media_id = self.api.publish_container(ready.container_id)
            except MediaNotReady:
                not_ready += 1
                if not_ready > self.options.not_ready_retries:
                    self.journal.close_attempt(post.id, index, ready.attempt, NOT_READY)
                    return None
                self.sleep(next(backoff))
                outcome = self._read(post, index, ready.attempt, ready.container_id)
                if not isinstance(outcome, Ready):
                    return outcome.media_id if outcome is not None else None
                ready = outcome
                if ready.just_finished:
                    self._settle(post, index)
                continue
            except RateLimited as exc:
                limited += 1
                if limited > self.options.rate_limit_retries:
                    raise Interrupted(f"rate limited by Threads: {exc}") from exc
                wait = exc.retry_after
                self.sleep(self.options.rate_limit_delay if wait is None else wait)
                continue
            except QuotaExceeded as exc:
                raise QuotaExhausted(str(exc)) from exc
            except PublishOutcomeUnknown as exc:
                outcome = self._read(post, index, ready.attempt, ready.container_id)
                if isinstance(outcome, Published):
                    return outcome.media_id
                if outcome is None:
                    return None
                unknown += 1  # FINISHED: it reads as not published
                if unknown > self.options.unknown_outcome_retries:
                    raise Interrupted(
                        f"Threads gave no answer to {unknown} publishes of container "
                        f"{ready.container_id}; run apply again later (it checks the "
                        "container before publishing again)"
                    ) from exc
                continue
            self.journal.part_published(post.id, index, media_id, self.now(), ready.attempt)
            self.fetch_links(post.id, index, media_id)
            return media_id

    def _settle(self, post: Post, index: int) -> None:
        """The configured wait after a container turns FINISHED: videos and replies."""
        part = post.parts[index]
        settle = 0.0
        if part.kind == "video" or any(m.kind == "video" for m in part.media):
            settle = self.options.settle_video
        if index > 0 or post.reply_to is not None:
            settle = max(settle, self.options.settle_reply)
        if settle:
            self.sleep(settle)

    def fetch_links(self, post_id: str, index: int, media_id: str) -> None:
        """Best effort: a post is published whether or not its link can be read."""
        try:
            media = self.api.get_media(media_id, fields="id,permalink,children")
        except ThreadsError:
            return
        if media.permalink or media.children:
            self.journal.set_links(
                post_id, index, media.permalink, [child.id for child in media.children]
            )

    # --- find a post whose publish answer was lost ---

    def _find(self, post: Post, index: int, attempt: Attempt) -> str | None:
        is_reply = index > 0 or post.reply_to is not None
        want = normalise_text(attempt.text or "")
        since = attempt.created_at - dt.timedelta(minutes=10)
        for round_ in range(self.options.find_retries):
            known = self.journal.known_media_ids()
            fields = "id,text,timestamp,permalink"
            listing = (
                self.api.iter_user_replies(since=since, limit=PAGE, fields=fields)
                if is_reply
                else self.api.iter_threads(since=since, limit=PAGE, fields=fields)
            )
            candidates = [
                m for m in listing if m.id not in known and normalise_text(m.text or "") == want
            ]
            if candidates:
                candidates.sort(key=lambda m: (m.timestamp is None, m.timestamp))
                found = candidates[0]
                published_at = found.timestamp or self.now()
                self.journal.part_published(post.id, index, found.id, published_at, attempt)
                self.fetch_links(post.id, index, found.id)
                return found.id
            if round_ + 1 < self.options.find_retries:
                self.sleep(self.options.find_delay)
        return None


def _media_type(kind: str) -> MediaType:
    return MediaType.VIDEO if kind == "video" else MediaType.IMAGE


def _container_args(part: Part, reply_to_id: str | None, quote_id: str | None) -> dict[str, Any]:
    """Parameters common to every kind of container."""
    args: dict[str, Any] = {}
    if reply_to_id:
        args["reply_to_id"] = reply_to_id
    if quote_id:
        args["quote_post_id"] = quote_id
    if part.reply_control:
        args["reply_control"] = part.reply_control
    if part.topic:
        args["topic_tag"] = part.topic
    if part.spoiler_media:
        args["is_spoiler_media"] = True
    if part.text_entities:
        args["text_entities"] = [e.to_dict() for e in part.text_entities]
    if part.location:
        args["location_id"] = part.location
    if part.countries:
        args["allowlisted_country_codes"] = list(part.countries)
    return args


def _text_only_args(part: Part) -> dict[str, Any]:
    args: dict[str, Any] = {}
    if part.poll:
        args["poll_options"] = list(part.poll)
    if part.link:
        args["link_attachment"] = part.link
    if part.gif:
        args["gif_attachment"] = part.gif
    if part.attachment:
        args["text_attachment"] = part.attachment
    return args
