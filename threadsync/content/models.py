"""The rendered, validated posts that plan and apply work with.

These are frozen dataclasses: cheap to build for thousands of posts, and safe
to share.  :func:`content_hash` defines what counts as a change of a post.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from threadsync.content.problems import Problem

if TYPE_CHECKING:
    from threadsync.content.media import MediaUrlContext

PartKind = Literal["text", "image", "video", "carousel"]
MediaKind = Literal["image", "video"]
RefKind = Literal["post", "media_id", "permalink"]
HASH_VERSION = 1


# The content hash covers canonical JSON (keys sorted, no whitespace, non-ASCII
# kept) of every part's fields.  The ``canonical`` methods below write that text
# directly, keys in sorted order: a plan hashes every post, and this is twice
# as fast as building dicts and encoding them.  A property test holds it to
# ``json.dumps(..., sort_keys=True)`` of the same fields.
_jstr = json.encoder.encode_basestring  # a JSON string literal, non-ASCII kept


def _jopt(value: str | None) -> str:
    return "null" if value is None else _jstr(value)


def _jlist(values: list[str] | None) -> str:
    return "null" if values is None else "[" + ",".join(map(_jstr, values)) + "]"


@dataclass(frozen=True, slots=True)
class MediaItem:
    """One image or video of a part.

    ``url`` is the public URL Threads will fetch.  For a local file
    (``local_path`` is its repo-relative path) it is built from ``media.base_url``;
    it is ``None`` when ``load_project`` was given no ``media_url_context``
    (as ``validate`` does).  ``sha256`` is the hex digest of a local file's bytes.
    """

    kind: MediaKind
    url: str | None
    alt: str | None = None
    local_path: str | None = None
    sha256: str | None = None

    def canonical(self) -> str:
        # A local file is identified by its bytes, not by its commit-specific URL.
        if self.local_path is not None:
            where = f'"sha256":{_jopt(self.sha256)}'
        else:
            where = f'"url":{_jopt(self.url)}'
        return f'{{"alt":{_jopt(self.alt)},"kind":{_jstr(self.kind)},{where}}}'


@dataclass(frozen=True, slots=True)
class TextEntity:
    """A spoiler range of a part's text; offset and length in UTF-16 code units."""

    offset: int
    length: int
    entity_type: str = "SPOILER"

    def to_dict(self) -> dict[str, Any]:
        return {"entity_type": self.entity_type, "offset": self.offset, "length": self.length}

    def canonical(self) -> str:
        return (
            f'{{"entity_type":{_jstr(self.entity_type)},'
            f'"length":{int(self.length)},"offset":{int(self.offset)}}}'
        )


@dataclass(frozen=True, slots=True)
class Reference:
    """What ``quote:``/``reply_to:`` points at.

    ``kind`` is ``post`` (``value`` is a content id of this project),
    ``media_id`` (a Threads media id, digits) or ``permalink`` (a
    threads.net/threads.com post URL).
    """

    kind: RefKind
    value: str

    def __str__(self) -> str:
        return self.value

    def canonical(self) -> str:
        return f"{{{_jstr(self.kind)}:{_jstr(self.value)}}}"


class Part(NamedTuple):
    """One Threads post of a (possibly one-part) thread, rendered and checked.

    ``kind`` is ``text`` (no media), ``image``/``video`` (one item) or
    ``carousel`` (2-20 items).  Optional fields are ``None`` when not set.
    Every field is given: a named tuple, because a plan builds tens of
    thousands of parts and a tuple is made in a third of a frozen
    dataclass's time, and is one object instead of two.
    """

    kind: PartKind
    text: str
    media: list[MediaItem]
    spoiler_media: bool
    text_entities: list[TextEntity]
    poll: list[str] | None
    link: str | None
    gif: str | None
    attachment: str | None
    topic: str | None
    quote: Reference | None
    reply_control: str | None
    countries: list[str] | None
    location: str | None

    def canonical(self) -> str:
        # The optional fields inline, not through _jopt: a plan writes 16,000 of these.
        media = ",".join([m.canonical() for m in self.media]) if self.media else ""
        entities = (
            ",".join([e.canonical() for e in self.text_entities]) if self.text_entities else ""
        )
        q, a, g, li, lo, rc, tp = (
            self.quote,
            self.attachment,
            self.gif,
            self.link,
            self.location,
            self.reply_control,
            self.topic,
        )
        return (
            f'{{"attachment":{"null" if a is None else _jstr(a)},'
            f'"countries":{_jlist(self.countries)},'
            f'"gif":{"null" if g is None else _jstr(g)},"kind":{_jstr(self.kind)},'
            f'"link":{"null" if li is None else _jstr(li)},'
            f'"location":{"null" if lo is None else _jstr(lo)},'
            f'"media":[{media}],"poll":{_jlist(self.poll)},'
            f'"quote":{"null" if q is None else q.canonical()},'
            f'"reply_control":{"null" if rc is None else _jstr(rc)},'
            f'"spoiler_media":{"true" if self.spoiler_media else "false"},'
            f'"text":{_jstr(self.text)},"text_entities":[{entities}],'
            f'"topic":{"null" if tp is None else _jstr(tp)}}}'
        )


def content_hash(parts: list[Part], reply_to: Reference | None, ghost: bool = False) -> str:
    """sha256 (hex) of the canonical JSON of everything that would be sent.

    Canonical JSON: keys sorted, no whitespace, UTF-8, with a format version.
    It covers every part's fields (local media by the sha256 of the file's bytes,
    not its URL), ``reply_to`` and ``ghost``; it leaves out ``id``, ``path``,
    ``publish_at``, ``draft`` and ``on_change``, so renaming or rescheduling a post
    keeps its hash.
    """
    return hashlib.sha256(canonical_post(parts, reply_to, ghost).encode("utf-8")).hexdigest()


def canonical_post(parts: list[Part], reply_to: Reference | None, ghost: bool = False) -> str:
    """The canonical JSON text that :func:`content_hash` hashes.

    ``ghost`` appears only when true, so the hashes of every other post (and the
    state files that record them) stay as they were before ghost posts existed.
    """
    reply = "null" if reply_to is None else reply_to.canonical()
    body = parts[0].canonical() if len(parts) == 1 else ",".join([p.canonical() for p in parts])
    flag = '"ghost":true,' if ghost else ""
    return f'{{{flag}"parts":[{body}],"reply_to":{reply},"v":{HASH_VERSION}}}'


@dataclass(frozen=True, slots=True)
class Post:
    """A post: its id, where it came from, when to publish, and its parts.

    ``parts[0]`` is the root; later parts publish as a chain of replies.
    ``publish_at`` is timezone-aware, or ``None`` for "at the next apply".
    ``quote`` is the root part's quote (each part has its own ``quote`` too).
    ``content_hash`` (see :func:`content_hash`) is computed on first use and kept.
    ``ghost`` asks Threads for a ghost post: text only, archived after 24 hours.
    ``text_tails`` keeps the whitespace trimmed from each part's text (empty when
    there was none), only for :attr:`legacy_hash`.  Slotted: a plan holds one
    per file, and a dict each would double the memory they take.
    """

    id: str
    path: str
    publish_at: dt.datetime | None
    draft: bool
    on_change: Literal["warn", "replace"]
    quote: Reference | None
    reply_to: Reference | None
    parts: list[Part]
    ghost: bool = False
    text_tails: tuple[str, ...] = ()  # per part, what trimming cut from the text's end
    # Set by the loader when the post quotes and replies to nothing: depends_on() need
    # not walk its parts (a plan asks it of every post).  Not an init field, so a
    # dataclasses.replace() that adds a reference does not carry it over.
    _no_refs: bool = field(default=False, init=False, repr=False, compare=False)
    # Worked out on first use and kept; not functools.cached_property, which takes a
    # lock on every first use (Python 3.11), 10,000 times per plan.
    _content_hash: str | None = field(default=None, init=False, repr=False, compare=False)
    _legacy_hash: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def content_hash(self) -> str:
        cached = self._content_hash
        if cached is None:
            cached = content_hash(self.parts, self.reply_to, self.ghost)
            object.__setattr__(self, "_content_hash", cached)
        return cached

    @property
    def legacy_hash(self) -> str | None:
        """The hash of the text before trimming, or None when trimming cut nothing.

        States written before text was trimmed recorded this hash: a post that
        matches it was published as it is, not edited.
        """
        if not self.text_tails:
            return None
        # Kept, as content_hash is: a published post stays on its untrimmed hash, so each
        # plan asks for it again (and moves ask for every new post's).
        cached = self._legacy_hash
        if cached is None:
            parts = [
                p._replace(text=p.text + tail)
                for p, tail in zip(self.parts, self.text_tails, strict=True)
            ]
            cached = content_hash(parts, self.reply_to, self.ghost)
            object.__setattr__(self, "_legacy_hash", cached)
        return cached

    @property
    def kind(self) -> PartKind:
        return self.parts[0].kind

    @property
    def is_thread(self) -> bool:
        return len(self.parts) > 1

    def depends_on(self) -> list[str]:
        """Content ids this post quotes or replies to (in any part), in order, unique."""
        out: list[str] = []
        if self._no_refs:
            return out
        reply = self.reply_to
        if reply is not None and reply.kind == "post":
            out.append(reply.value)
        for part in self.parts:  # no list of every reference first: most posts have none
            ref = part.quote
            if ref is not None and ref.kind == "post" and ref.value not in out:
                out.append(ref.value)
        return out


@dataclass
class Content:
    """Everything ``load_project`` found.

    ``posts`` holds the posts that passed validation (drafts included, with
    ``draft=True``) in publish order: by ``publish_at`` (posts without one count
    as "now"), then by path.  ``problems`` holds every problem of every file,
    sorted by path and position.  Plan and apply must refuse to run while
    ``errors`` is not empty: ``posts`` then leaves out the invalid ones.
    ``ordered_at`` is the "now" the posts were ordered at: a plan for that
    instant need not sort them again.  ``media_url_context`` is the ``{repo}``
    and ``{sha}`` local media URLs were built with (None when none were): a
    check that the files match the commit must use that same commit.
    """

    root: Path
    content_dir: Path
    posts: list[Post]
    problems: list[Problem]
    ordered_at: dt.datetime | None = None
    media_url_context: MediaUrlContext | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings allowed)."""
        return not self.errors

    @property
    def drafts(self) -> list[Post]:
        return [p for p in self.posts if p.draft]

    def by_id(self) -> dict[str, Post]:
        return {p.id: p for p in self.posts}

    def get(self, post_id: str) -> Post | None:
        return next((p for p in self.posts if p.id == post_id), None)

    def publishable(self) -> Iterator[Post]:
        """The posts that are not drafts, in publish order."""
        return (p for p in self.posts if not p.draft)
