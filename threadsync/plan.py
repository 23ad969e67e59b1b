"""A plan's vocabulary: actions, changes, notices, limits.  Pure data.

Threads cannot edit a post, so the vocabulary is small: ``create`` what is due,
``wait`` for what is scheduled, ``replace`` (delete, then create) only where a
post asks for it, ``delete`` or ``forget`` what left the content, ``move`` a
state entry whose file was renamed, and ``adopt`` a post that is already on the
account.  ``threadsync.diff`` makes a plan; apply and the renderers read it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

from threadsync.errors import ThreadsyncError

FORMAT_VERSION = 1


class Action(Enum):
    """What apply does to one post.  The value is the plan JSON's ``action`` (contract)."""

    CREATE = "create"
    WAIT = "wait"
    REPLACE = "replace"
    DELETE = "delete"
    FORGET = "forget"
    MOVE = "move"
    ADOPT = "adopt"

    @property
    def symbol(self) -> str:
        """Terraform's symbols where they mean the same; a symbol of its own elsewhere."""
        return _SYMBOLS[self]

    @property
    def publishes(self) -> bool:
        return self in (Action.CREATE, Action.REPLACE)

    @property
    def deletes(self) -> bool:
        """Deletes a published post (a replace deletes the old one first)."""
        return self in (Action.DELETE, Action.REPLACE)

    @property
    def state_only(self) -> bool:
        """Changes the state file and nothing on Threads."""
        return self in (Action.FORGET, Action.MOVE, Action.ADOPT)

    @property
    def acts(self) -> bool:
        """Makes apply do something now: ``plan --detailed-exitcode`` exits 2 only for these."""
        return self is not Action.WAIT


# ``~`` is not used: Terraform users read it as "update in place", and Threads
# has no in-place update.  Forget only cuts the state's tie to a post, hence ``//``.
_SYMBOLS = {
    Action.CREATE: "+",
    Action.REPLACE: "-/+",
    Action.DELETE: "-",
    Action.MOVE: "~>",
    Action.WAIT: "…",
    Action.FORGET: "//",
    Action.ADOPT: "<=",
}
_MEANINGS = {
    Action.CREATE: "create",
    Action.REPLACE: "replace (delete, then create)",
    Action.DELETE: "delete from Threads",
    Action.MOVE: "move (state only)",
    Action.WAIT: "wait (scheduled)",
    Action.FORGET: "forget (stays on Threads)",
    Action.ADOPT: "adopt (state only)",
}
# A post apply passed over (what it depends on failed): not a delete, so not ``-``.
SKIPPED_SYMBOL = ">>"


def legend(actions: Iterable[Action], mark: Callable[[str], str] = str) -> str | None:
    """One line naming the symbols a plan shows, or None when it shows only ``+``.

    ``mark`` formats a symbol (Markdown puts it in a code span).
    """
    shown = set(actions)
    if not shown - {Action.CREATE}:
        return None
    return "Symbols: " + ", ".join(f"{mark(a.symbol)} {_MEANINGS[a]}" for a in Action if a in shown)


class PlanError(ThreadsyncError):
    """The plan cannot be made, or is unsafe to apply."""


class PostLike(Protocol):
    """What the planner needs of a content post (see threadsync.content)."""

    @property
    def id(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def publish_at(self) -> dt.datetime | None: ...
    @property
    def draft(self) -> bool: ...
    @property
    def on_change(self) -> str: ...
    @property
    def content_hash(self) -> str: ...
    @property
    def legacy_hash(self) -> str | None:
        """The hash a state written before text was trimmed recorded, if it differs."""
        ...

    def depends_on(self) -> list[str]:
        """Content ids this post replies to or quotes."""
        ...


@dataclass(frozen=True)
class Change:
    id: str
    action: Action
    reason: str
    publish_at: dt.datetime | None = None
    post: PostLike | None = None
    previous_id: str | None = None  # move: the state entry's old id
    media_ids: tuple[str, ...] = ()  # delete/replace: what goes; adopt: what is adopted
    depends_on: tuple[str, ...] = ()

    @property
    def data(self) -> dict[str, object]:
        out: dict[str, object] = {"id": self.id, "action": self.action.value, "reason": self.reason}
        if self.publish_at is not None:
            out["publish_at"] = self.publish_at.isoformat()
        if self.previous_id is not None:
            out["previous_id"] = self.previous_id
        if self.media_ids:
            out["media_ids"] = list(self.media_ids)
        if self.depends_on:
            out["depends_on"] = list(self.depends_on)
        if getattr(self.post, "ghost", False):
            out["ghost"] = True
        return out


@dataclass(frozen=True)
class Notice:
    """A warning attached to a post (or to the plan when ``id`` is None)."""

    id: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.id}: {self.message}" if self.id else self.message


@dataclass(frozen=True)
class Plan:
    """The changes apply would make, and what they were planned from.

    ``content`` is the posts the plan was made from; ``content_digest`` (see
    :func:`content_digest`) is worked out from them on first use, since only a
    saved plan and the JSON output show it (a fifth of a big plan's diff time).
    """

    changes: tuple[Change, ...]
    notices: tuple[Notice, ...] = ()
    drafts: int = 0
    lineage: str = ""
    serial: int = 0
    content: tuple[PostLike, ...] = field(default=(), repr=False, compare=False)
    prune: bool = False
    # Posts that would publish but are refused (each also a notice), the reason why
    # in ``reason``: apply reports them, and publishes nothing of them.
    refused: tuple[Change, ...] = ()

    @property
    def content_digest(self) -> str:
        cached: str | None = self.__dict__.get("_content_digest")
        if cached is None:
            cached = self.__dict__["_content_digest"] = content_digest(self.content)
        return cached

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action is action)

    @property
    def summary(self) -> dict[str, int]:
        return {a.value: self.count(a) for a in Action}

    @property
    def has_changes(self) -> bool:
        """True when apply run now would do something (publish, delete, or change state)."""
        return any(c.action.acts for c in self.changes)

    def to_publish(self) -> list[Change]:
        return [c for c in self.changes if c.action.publishes]

    @property
    def data(self) -> dict[str, object]:
        return {
            "format_version": FORMAT_VERSION,
            "summary": self.summary,
            "changes": [c.data for c in self.changes],
            "state": {"lineage": self.lineage, "serial": self.serial},
            "content_digest": self.content_digest,
            "drafts": self.drafts,
            "warnings": [
                {"id": n.id, "message": n.message} if n.id else {"message": n.message}
                for n in self.notices
            ],
        }

    def refusal(self, *, max_posts: int, max_deletes: int) -> str | None:
        """Why the safety limits refuse this plan (apply needs ``--force``), or None."""
        publishing = len(self.to_publish())
        if publishing > max_posts:
            return (
                f"the plan would publish {publishing} posts, more than "
                f"limits.max_posts_per_apply ({max_posts}); check it, then use --force "
                "or raise the limit in threadsync.yaml"
            )
        deleting = sum(1 for c in self.changes if c.action.deletes)
        if deleting > max_deletes:
            setting = "max_prune_deletes_per_apply" if self.prune else "max_deletes_per_apply"
            return (
                f"the plan would delete {deleting} published post(s), more than "
                f"limits.{setting} ({max_deletes}); check it, then use --force "
                "or raise the limit in threadsync.yaml"
            )
        return None


@dataclass(frozen=True)
class Remote:
    """What a refresh learned from the API (optional input to the planner)."""

    missing_media_ids: frozenset[str] = frozenset()
    # (normalised text, media count) -> media id of a post already on the account (for adopt)
    by_key: Mapping[tuple[str, int], str] = field(default_factory=dict)


def content_digest(posts: Iterable[PostLike]) -> str:
    """A hash of everything the plan depends on in the content, for stale-plan checks."""
    rows = sorted(
        (
            p.id,
            p.content_hash,
            p.publish_at.isoformat() if p.publish_at else "",
            p.draft,
            p.on_change,
        )
        for p in posts
    )
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def same_content(post: PostLike, recorded: str) -> bool:
    """True when ``recorded`` (a state entry's hash) is this post as it is now.

    Text is trimmed since a later version; a post published before then
    recorded the hash of its untrimmed text, and is not edited.
    """
    return recorded == post.content_hash or (
        post.legacy_hash is not None and recorded == post.legacy_hash
    )


def quota_needs(post: Any, published_parts: int = 0) -> tuple[int, int]:
    """(posts, replies) of the 24 h quota a post still needs.

    The root counts as a post unless it is itself a reply; every later part
    is a reply.  Parts already published need nothing.
    """
    remaining = len(post.parts) - published_parts
    if remaining <= 0:
        return 0, 0
    root_is_reply = post.reply_to is not None
    posts = 1 if published_parts == 0 and not root_is_reply else 0
    return posts, remaining - posts


def normalise_text(text: str) -> str:
    return " ".join(text.split()).casefold()
