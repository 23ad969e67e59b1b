"""Renderings of an apply report: terminal text and Markdown (job summary)."""

from __future__ import annotations

from threadsync.apply import ApplyReport, Outcome
from threadsync.output.escape import md_code, md_link, md_text, terminal_text
from threadsync.output.style import Style
from threadsync.plan import SKIPPED_SYMBOL, Action

_MARKS: dict[Outcome, tuple[str, str]] = {
    "published": ("✓", "green"),
    "adopted": ("✓", "green"),
    "moved": (Action.MOVE.symbol, "yellow"),
    "forgotten": (Action.FORGET.symbol, "dim"),
    "deleted": (Action.DELETE.symbol, "red"),
    "failed": ("✗", "red"),
    "interrupted": ("✗", "red"),
    "skipped": (SKIPPED_SYMBOL, "yellow"),
    "deferred": (Action.WAIT.symbol, "cyan"),
    "refused": ("✗", "red"),
}


def _summary(report: ApplyReport) -> str:
    order: tuple[Outcome, ...] = (
        "published",
        "failed",
        "refused",
        "deferred",
        "skipped",
        "interrupted",
        "deleted",
        "moved",
        "forgotten",
        "adopted",
    )
    # "deleted" counts every post deleted from Threads, a replaced one's old post included.
    counts = {s: report.deletes if s == "deleted" else report.count(s) for s in order}
    bits = [f"{counts[s]} {s}" for s in order if counts[s]]
    return "Apply: " + (", ".join(bits) if bits else "nothing to do") + "."


def render_report_text(report: ApplyReport, *, color: bool = False) -> str:
    style = Style(color)
    lines = []
    for r in report.results:
        mark, colour = _MARKS.get(r.status, ("?", "bold"))
        line = f"  {style(mark, colour)} {terminal_text(r.id)}: {r.status}"
        if r.permalinks:
            line += f"  {terminal_text(r.permalinks[0])}"
        if r.detail:
            line += f"  ({terminal_text(r.detail)})"
        lines.append(line)
    if lines:
        lines.append("")
    lines.append(style(_summary(report), "bold"))
    if report.aborted:
        lines.append(style(f"Stopped: {terminal_text(report.aborted)}", "red"))
    return "\n".join(lines) + "\n"


def render_report_markdown(report: ApplyReport) -> str:
    lines = ["## threadsync apply", "", f"**{_summary(report)}**", ""]
    if report.aborted:
        lines += [f"> ⚠️ Stopped: {md_text(report.aborted)}", ""]
    if report.results:
        lines += ["| post | result | link | detail |", "|---|---|---|---|"]
        for r in report.results:
            links = " ".join(
                md_link(f"part {i + 1}" if len(r.permalinks) > 1 else "post", u, table=True)
                for i, u in enumerate(r.permalinks)
            )
            cells = (md_code(r.id, table=True), r.status, links, md_text(r.detail))
            lines.append(f"| {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"
