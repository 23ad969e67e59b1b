"""Cards as the templates see them: plain, frozen values built from posts.

Templates stay free of logic: every decision about words (reply control,
badges, counts) and about what is safe to link is taken here, once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from threadsync.content import MediaItem, Part, Post, Problem, Reference, threads_length
from threadsync.content.rules import TEXT_LIMIT
from threadsync.output.describe import shape
from threadsync.preview.badges import Status, format_when
from threadsync.preview.text import Segment, segments

# The words Threads uses for each reply_control value.
REPLY_CONTROL_WORDS = {
    "everyone": "Anyone can reply",
    "accounts_you_follow": "Profiles you follow",
    "mentioned_only": "Mentioned only",
    "parent_post_author_only": "Only the author of the parent post",
    "followers_only": "Followers",
}

Href = Callable[[MediaItem], str | None]


@dataclass(frozen=True)
class MediaView:
    kind: str
    href: str | None
    alt: str
    has_alt: bool


@dataclass(frozen=True)
class LinkView:
    href: str
    domain: str
    rest: str


@dataclass(frozen=True)
class QuoteView:
    """The card of a quoted post: one of this project (``page`` links to it) or on Threads."""

    label: str
    account: str | None = None
    segments: tuple[Segment, ...] = ()
    media: MediaView | None = None
    page: str | None = None
    href: str | None = None


@dataclass(frozen=True)
class PartView:
    index: int
    segments: tuple[Segment, ...]
    length: int
    limit: int
    level: str  # "ok", "near" (over the warning ratio) or "over"
    media: tuple[MediaView, ...] = ()
    spoiler_media: bool = False
    poll: tuple[str, ...] = ()
    link: LinkView | None = None
    gif: str | None = None
    attachment: str | None = None
    topic: str | None = None
    quote: QuoteView | None = None
    reply_control: str | None = None
    countries: tuple[str, ...] = ()
    location: str | None = None

    @property
    def carousel(self) -> bool:
        return len(self.media) > 1


@dataclass(frozen=True)
class CardView:
    """One card: a post (or a file with errors, ``raw``) with its status and problems."""

    key: str
    slug: str
    page: str
    title: str
    path: str
    account: str
    status: Status
    when_text: str
    shape: str
    parts: tuple[PartView, ...]
    problems: tuple[Problem, ...] = ()
    reply_to: QuoteView | None = None
    raw: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def anchor(self) -> str:
        """The card's id in the index: its page's name without ``.html``."""
        return self.page.removesuffix(".html")

    @property
    def initial(self) -> str:
        return (self.account[:1] or "?").upper()


GHOST_NOTE = "A ghost post: Threads archives it 24 hours after it is published."
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def slug_for(key: str) -> str:
    """A file-name-safe, unique slug: the key itself when it is safe, else with a short hash."""
    safe = _UNSAFE.sub("-", key).strip("-.")[:60] or "post"
    if safe != key:
        safe += "-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:6]
    return safe


def page_of_post(post_id: str) -> str:
    return f"post-{slug_for(post_id)}.html"


def page_of_file(path: str) -> str:
    return f"file-{slug_for(path)}.html"


def _level(length: int, warn_ratio: float) -> str:
    if length > TEXT_LIMIT:
        return "over"
    if length > TEXT_LIMIT * warn_ratio:
        return "near"
    return "ok"


def _link(url: str) -> LinkView | None:
    if not url.lower().startswith(("https://", "http://")):
        return None
    parts = urlsplit(url)
    rest = url.split(parts.netloc, 1)[1] if parts.netloc else ""
    return LinkView(url, parts.netloc.removeprefix("www."), rest)


def media_view(item: MediaItem, href: Href) -> MediaView:
    alt = item.alt or ""
    return MediaView(item.kind, href(item), alt, bool(alt.strip()))


def _external_quote(ref: Reference, what: str) -> QuoteView:
    if ref.kind == "permalink":
        return QuoteView(f"{what} a post on Threads", href=ref.value)
    return QuoteView(f"{what} Threads post {ref.value}")


class CardBuilder:
    """Builds the card of each post, given what the whole project knows."""

    def __init__(
        self,
        *,
        account: str,
        tz: dt.tzinfo,
        warn_ratio: float,
        href: Href,
        posts: Mapping[str, Post],
    ) -> None:
        self.account = account
        self.tz = tz
        self.warn_ratio = warn_ratio
        self.href = href
        self.posts = posts

    def quote(self, ref: Reference, what: str = "Quoting") -> QuoteView:
        if ref.kind != "post":
            return _external_quote(ref, what)
        target = self.posts.get(ref.value)
        if target is None:
            return QuoteView(f"{what} {ref.value} (not in the preview: it has errors)")
        root = target.parts[0]
        first = media_view(root.media[0], self.href) if root.media else None
        return QuoteView(
            f"{what} {ref.value}",
            account=self.account,
            segments=tuple(segments(root.text, root.text_entities)),
            media=first,
            page=page_of_post(target.id),
        )

    def part(self, index: int, part: Part) -> PartView:
        length = threads_length(part.text)
        return PartView(
            index=index,
            segments=tuple(segments(part.text, part.text_entities)),
            length=length,
            limit=TEXT_LIMIT,
            level=_level(length, self.warn_ratio),
            media=tuple(media_view(m, self.href) for m in part.media),
            spoiler_media=part.spoiler_media,
            poll=tuple(part.poll or ()),
            link=_link(part.link) if part.link else None,
            gif=part.gif,
            attachment=part.attachment,
            topic=part.topic,
            quote=self.quote(part.quote) if part.quote else None,
            reply_control=REPLY_CONTROL_WORDS.get(part.reply_control or "everyone"),
            countries=tuple(part.countries or ()),
            location=part.location,
        )

    def card(self, post: Post, status: Status, problems: Sequence[Problem], key: str) -> CardView:
        when = format_when(status.when, self.tz) if status.when else "at the next apply"
        if status.kind == "draft" and status.when is None:
            when = "draft"
        return CardView(
            key=key,
            slug=slug_for(post.id),
            page=page_of_post(post.id),
            title=post.id,
            path=post.path,
            account=self.account,
            status=status,
            when_text=when,
            shape=shape(post),
            parts=tuple(self.part(i, p) for i, p in enumerate(post.parts)),
            problems=tuple(problems),
            reply_to=self.quote(post.reply_to, "Replying to") if post.reply_to else None,
            notes=(GHOST_NOTE,) if post.ghost else (),
        )
