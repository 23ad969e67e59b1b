"""The Markdown rendering of a plan: a pull-request comment or a job summary.

Every post to publish is shown in full, so a reviewer reads exactly what will
go out.  The hidden marker lets a workflow find and update its own comment.
"""

from __future__ import annotations

from typing import Any

from threadsync.content.rules import threads_length
from threadsync.output.describe import shape, state_line, summary_line, when
from threadsync.output.escape import md_code, md_fence, md_text
from threadsync.plan import Action, Change, Plan, legend

MARKER = "<!-- threadsync-plan -->"
TEXT_LIMIT = 500


def _count(part: Any) -> int:
    """Characters as Threads counts them (the same function validation uses)."""
    return threads_length(str(getattr(part, "text", "") or ""))


def _part(part: Any, index: int, total: int) -> list[str]:
    out: list[str] = []
    if total > 1:
        out.append(
            f"**Part {index + 1} of {total}**" + (" (reply to the part above)" if index else "")
        )
    text = str(getattr(part, "text", "") or "")
    count = _count(part)
    flag = " ⚠️ over the limit" if count > TEXT_LIMIT else ""
    out.append(md_fence(text) if text else "_(no text)_")
    out.append(f"<sub>{count}/{TEXT_LIMIT} characters{flag}</sub>")
    extras: list[str] = []
    for item in getattr(part, "media", ()) or ():
        alt = getattr(item, "alt", None)
        extras.append(
            f"{md_text(getattr(item, 'kind', 'media'))}: {md_code(getattr(item, 'url', ''))}"
            + (f" (alt: {md_text(alt)})" if alt else " (no alt text)")
        )
    poll = getattr(part, "poll", None)
    if poll:
        extras.append("poll: " + " / ".join(md_text(o) for o in poll))
    for label in ("link", "gif", "topic", "reply_control", "location"):
        value = getattr(part, label, None)
        if value:
            extras.append(f"{label.replace('_', ' ')}: {md_code(value)}")
    if getattr(part, "attachment", None):
        extras.append(f"text attachment: {len(part.attachment)} characters")
    out.extend(f"- {e}" for e in extras)
    return out


def _change(change: Change) -> list[str]:
    title = f"### `{change.action.symbol}` {change.action.value} {md_code(change.id)}"
    out = [title, "", f"{md_text(change.reason)}."]
    if change.action is Action.WAIT or change.publish_at:
        out[-1] += f" Publishes at {when(change.publish_at)}."
    if change.previous_id:
        out[-1] += f" Was {md_code(change.previous_id)}."
    post = change.post
    if post is not None and change.action.publishes:
        out.append(f"<sub>{md_text(shape(post))} · {md_code(post.path)}</sub>")
        parts = list(getattr(post, "parts", ()) or ())
        for i, part in enumerate(parts):
            out.append("")
            out.extend(_part(part, i, len(parts)))
    out.append("")
    return out


def render_plan_markdown(plan: Plan, *, title: str = "threadsync plan") -> str:
    out = [MARKER, f"## {title}", ""]
    out.append(f"**{summary_line(plan)}**")
    state = state_line(plan)
    if state:
        out.append(state)
    if plan.drafts:
        out.append(f"{plan.drafts} draft(s) skipped.")
    out.append("")
    if plan.notices:
        out.append("#### Warnings")
        out.extend(
            f"- ⚠️ {md_code(n.id) + ': ' if n.id else ''}{md_text(n.message)}" for n in plan.notices
        )
        out.append("")
    if not plan.changes:
        out.append("No changes. The content and the state match.")
    else:
        out.append("| | post | action | when |")
        out.append("|---|---|---|---|")
        for c in plan.changes:
            timed = c.action.publishes or c.action is Action.WAIT
            moment = when(c.publish_at) if timed else ""
            post_id = md_code(c.id, table=True)
            out.append(f"| `{c.action.symbol}` | {post_id} | {c.action.value} | {moment} |")
        out.append("")
        symbols = legend((c.action for c in plan.changes), lambda symbol: f"`{symbol}`")
        if symbols:
            out.extend([f"<sub>{symbols}</sub>", ""])
        for c in plan.changes:
            out.extend(_change(c))
    return "\n".join(out).rstrip() + "\n"
