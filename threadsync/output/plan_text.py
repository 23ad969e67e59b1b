"""The terminal rendering of a plan, in Terraform's vocabulary."""

from __future__ import annotations

from threadsync.output.describe import first_line, root_text, shape, when
from threadsync.output.escape import terminal_text
from threadsync.output.style import Style
from threadsync.plan import Change, Plan

SYMBOLS = {
    "create": ("+", "green"),
    "replace": ("-/+", "yellow"),
    "delete": ("-", "red"),
    "move": ("~>", "yellow"),
    "wait": ("…", "cyan"),
    "forget": ("~", "dim"),
    "adopt": ("<=", "cyan"),
}


def _line(change: Change, style: Style) -> list[str]:
    symbol, colour = SYMBOLS[change.action]
    head = f"  {style(symbol.rjust(3), colour, 'bold')} {style(terminal_text(change.id), 'bold')}"
    lines = []
    if change.action == "move":
        head += f" (from {terminal_text(change.previous_id)})"
    elif change.action == "wait":
        head += f"  at {when(change.publish_at)}"
    lines.append(head)
    post = change.post
    if post is not None and change.action in ("create", "replace", "wait"):
        text = first_line(root_text(post))
        lines.append(
            f"        {style(repr(text) if text else '(no text)', 'dim')}"
            f"  [{terminal_text(shape(post))}]"
        )
    lines.append(f"        {terminal_text(change.reason)}")
    return lines


def render_plan_text(plan: Plan, *, color: bool = False) -> str:
    style = Style(color)
    out: list[str] = []
    if not plan.changes:
        out.append("No changes. The content and the state match.")
    else:
        out.append("threadsync will perform the following actions:")
        out.append("")
        for change in plan.changes:
            out.extend(_line(change, style))
    if plan.notices:
        out.append("")
        out.append(style("Warnings:", "yellow", "bold"))
        out.extend(f"  {style('!', 'yellow')} {terminal_text(n)}" for n in plan.notices)
    out.append("")
    s = plan.summary
    out.append(
        style(
            f"Plan: {s['create'] + s['replace']} to publish, {s['wait']} scheduled, "
            f"{s['delete'] + s['replace']} to delete.",
            "bold",
        )
    )
    state_only = [f"{s[a]} to {a}" for a in ("move", "forget", "adopt") if s[a]]
    if state_only:
        out.append(f"State: {', '.join(state_only)}.")
    if plan.drafts:
        out.append(f"{plan.drafts} draft(s) skipped.")
    return "\n".join(out) + "\n"
