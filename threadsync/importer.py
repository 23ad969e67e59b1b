"""Adopt posts already on the account, so onboarding never re-posts them.

Matching is by normalised rendered text (whitespace folded, case ignored) and
by media count; a thread's parts are matched among the user's replies, each
as a reply to the part before when Meta says what it replied to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from threadsync.api.models import ThreadsMedia
from threadsync.content.models import Part, Post
from threadsync.plan import normalise_text
from threadsync.state import PartState, PostState, State

FIELDS = "id,text,timestamp,permalink,media_type,children,replied_to,is_reply"
# The most posts one listing page holds (ref §6): the account is read in as few requests
# as it can be.
PAGE = 100


@dataclass(frozen=True)
class Match:
    post_id: str
    media: tuple[ThreadsMedia | None, ...]  # one per part; None where not found

    @property
    def complete(self) -> bool:
        return all(m is not None for m in self.media)


@dataclass
class ImportResult:
    matched: list[Match] = field(default_factory=list)
    unmatched_posts: list[str] = field(default_factory=list)
    unmatched_remote: int = 0


def media_count(media: ThreadsMedia) -> int:
    """How many media items a post on the account carries (0 for text)."""
    if media.media_type == "CAROUSEL_ALBUM":
        return len(media.children) or 2
    if media.media_type in ("IMAGE", "VIDEO"):
        return 1
    return 0


# A part's kind and the media_type Threads reads it back with.
_MEDIA_TYPES = {
    "text": "TEXT_POST",
    "image": "IMAGE",
    "video": "VIDEO",
    "carousel": "CAROUSEL_ALBUM",
}


def _fits(part: Part, media: ThreadsMedia, exact: bool) -> bool:
    """Is ``media`` this part?  ``exact``: the same text and kind, not only alike."""
    if exact:
        if " ".join(part.text.split()) != " ".join((media.text or "").split()):
            return False
        if media.media_type is not None and media.media_type != _MEDIA_TYPES[part.kind]:
            return False
    elif normalise_text(part.text) != normalise_text(media.text or ""):
        return False
    want = len(part.media)
    have = media_count(media)
    return want == have or (
        want >= 2 and media.media_type == "CAROUSEL_ALBUM" and not media.children
    )


def _take(
    pool: list[ThreadsMedia], part: Part, parent: str | None, exact: bool
) -> ThreadsMedia | None:
    for i, media in enumerate(pool):
        if not _fits(part, media, exact):
            continue
        if parent is not None and media.replied_to is not None and media.replied_to.id != parent:
            continue
        if exact and parent is not None and media.replied_to is None:
            continue
        return pool.pop(i)
    return None


def match_posts(
    posts: Sequence[Post],
    state: State,
    threads: Iterable[ThreadsMedia],
    replies: Iterable[ThreadsMedia],
) -> ImportResult:
    """Match the content posts the state does not know to posts on the account."""
    known = {m for e in state.posts.values() for m in e.media_ids}
    wanted = [p for p in posts if not p.draft and p.id not in state.posts]
    return match_unknown(wanted, known, threads, replies)


def match_unknown(
    posts: Sequence[Post],
    known: set[str],
    threads: Iterable[ThreadsMedia],
    replies: Iterable[ThreadsMedia],
    *,
    exact: bool = False,
) -> ImportResult:
    """Match ``posts`` to posts on the account that no media id in ``known`` claims.

    Each post on the account is matched at most once, oldest first, so two
    content posts with the same text take two posts on the account.
    ``exact`` (apply's look-up) also wants the same case and kind of media,
    and a thread's later parts to be replies to the part before.
    """
    top = sorted(
        (m for m in threads if m.id not in known and not m.is_repost),
        key=lambda m: m.timestamp or dt.datetime.min.replace(tzinfo=dt.timezone.utc),
    )
    reps = sorted(
        (m for m in replies if m.id not in known),
        key=lambda m: m.timestamp or dt.datetime.min.replace(tzinfo=dt.timezone.utc),
    )
    result = ImportResult()
    for post in posts:
        root_pool = reps if post.reply_to is not None else top
        root = _take(root_pool, post.parts[0], None, exact)
        if root is None:
            result.unmatched_posts.append(post.id)
            continue
        found: list[ThreadsMedia | None] = [root]
        parent: str | None = root.id
        for part in post.parts[1:]:
            media = _take(reps, part, parent, exact) if parent else None
            found.append(media)
            parent = media.id if media else None
        result.matched.append(Match(post.id, tuple(found)))
    result.unmatched_remote = len(top)
    return result


def entry_for(post: Post, match: Match, source: Literal["import", "adopt"]) -> PostState:
    """The state entry of a matched post: published, or pending with the parts found."""
    parts = [
        PartState(
            media_id=m.id if m else None,
            permalink=m.permalink if m else None,
            published_at=m.timestamp if m else None,
            child_media_ids=[c.id for c in m.children] if m else [],
        )
        for m in match.media
    ]
    return PostState(
        status="published" if match.complete else "pending",
        content_hash=post.content_hash,
        path=post.path,
        parts=parts,
        source=source,
    )


def record(state: State, posts: Sequence[Post], result: ImportResult) -> None:
    by_id = {p.id: p for p in posts}
    for match in result.matched:
        state.posts[match.post_id] = entry_for(by_id[match.post_id], match, "import")
