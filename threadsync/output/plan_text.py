"""The terminal rendering of a plan, in Terraform's vocabulary."""

from __future__ import annotations

from threadsync.output.describe import (
    first_line,
    root_text,
    shape,
    state_line,
    summary_line,
    when,
)
from threadsync.output.escape import terminal_text
from threadsync.output.style import Style
from threadsync.plan import Action, Change, Plan, legend

COLOURS = {
    Action.CREATE: "green",
    Action.REPLACE: "yellow",
    Action.DELETE: "red",
    Action.MOVE: "yellow",
    Action.WAIT: "cyan",
    Action.FORGET: "dim",
    Action.ADOPT: "cyan",
}


def _line(change: Change, style: Style) -> list[str]:
    symbol, colour = change.action.symbol, COLOURS[change.action]
    head = f"  {style(symbol.rjust(3), colour, 'bold')} {style(terminal_text(change.id), 'bold')}"
    lines = []
    if change.action is Action.MOVE:
        head += f" (from {terminal_text(change.previous_id)})"
    elif change.action is Action.WAIT:
        head += f"  at {when(change.publish_at)}"
    lines.append(head)
    post = change.post
    if post is not None and (change.action.publishes or change.action is Action.WAIT):
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
        symbols = legend(c.action for c in plan.changes)
        if symbols:
            out.append("")
            out.append(style(symbols, "dim"))
    if plan.notices:
        out.append("")
        out.append(style("Warnings:", "yellow", "bold"))
        out.extend(f"  {style('!', 'yellow')} {terminal_text(n)}" for n in plan.notices)
    out.append("")
    out.append(style(summary_line(plan), "bold"))
    state = state_line(plan)
    if state:
        out.append(state)
    if plan.drafts:
        out.append(f"{plan.drafts} draft(s) skipped.")
    return "\n".join(out) + "\n"
