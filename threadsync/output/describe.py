"""Short descriptions of posts shared by the text and Markdown renderers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from threadsync.plan import Action, Plan

FIRST_LINE_WIDTH = 60


def summary_line(plan: Plan) -> str:
    """Terraform's one-line summary: what goes out, what waits, what is deleted."""
    publish = sum(1 for c in plan.changes if c.action.publishes)
    delete = sum(1 for c in plan.changes if c.action.deletes)
    return f"Plan: {publish} to publish, {plan.count(Action.WAIT)} scheduled, {delete} to delete."


def state_line(plan: Plan) -> str | None:
    """The changes to the state alone (moves, forgets, adoptions), if any."""
    bits = [f"{plan.count(a)} to {a.value}" for a in Action if a.state_only and plan.count(a)]
    return f"State: {', '.join(bits)}." if bits else None


def first_line(text: str, width: int = FIRST_LINE_WIDTH) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


def part_kind(part: Any) -> str:
    media = list(getattr(part, "media", ()) or ())
    if len(media) >= 2:
        return f"carousel of {len(media)}"
    if len(media) == 1:
        return str(getattr(media[0], "kind", "image"))
    return "text"


def shape(post: Any) -> str:
    """E.g. 'carousel of 3, thread of 4, poll, quotes launch', or 'ghost, text'."""
    parts = list(getattr(post, "parts", ()) or ())
    if not parts:
        return ""
    root = parts[0]
    bits = [part_kind(root)]
    if getattr(post, "ghost", False):
        bits.insert(0, "ghost")
    if len(parts) > 1:
        bits.append(f"thread of {len(parts)}")
    if getattr(root, "poll", None):
        bits.append("poll")
    if getattr(post, "quote", None):
        bits.append(f"quotes {post.quote}")
    if getattr(post, "reply_to", None):
        bits.append(f"replies to {post.reply_to}")
    return ", ".join(bits)


def root_text(post: Any) -> str:
    parts = list(getattr(post, "parts", ()) or ())
    return str(getattr(parts[0], "text", "") or "") if parts else ""


def when(moment: dt.datetime | None) -> str:
    if moment is None:
        return "now"
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
