"""``stats`` as text (a table sorted by views), JSON (for scripts) and CSV (for spreadsheets)."""

from __future__ import annotations

import csv
import io
import json

from threadsync.output.escape import terminal_text
from threadsync.stats.collect import MEDIA_METRICS
from threadsync.stats.report import Report

CSV_COLUMNS = (
    "id",
    "kind",
    "published_at",
    *MEDIA_METRICS,
    "engagement",
    "permalink",
    "media_id",
    "fetched_at",
    "error",
    "text",
)
# A spreadsheet runs a cell starting with one of these as a formula (OWASP's list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def render_text(report: Report) -> str:
    head = ("POST", "KIND", "PUBLISHED", *(m.upper() for m in MEDIA_METRICS))
    rows: list[tuple[str, ...]] = []
    for r in report.rows:
        when = r.published_at.strftime("%Y-%m-%d") if r.published_at else "-"
        values = tuple(_n(r.metrics.get(m)) if r.metrics else "-" for m in MEDIA_METRICS)
        rows.append((terminal_text(r.id), terminal_text(r.kind), when, *values))
    if not rows:
        lines = ["No published posts in the state file yet: nothing to report."]
    else:
        totals = report.totals()
        foot = (f"Total ({len(rows)} posts)", "", "", *(_n(totals[m]) for m in MEDIA_METRICS))
        widths = [max(len(row[i]) for row in [head, *rows, foot]) for i in range(len(head))]

        def line(cells: tuple[str, ...]) -> str:
            text = [
                c.ljust(widths[i]) if i < 3 else c.rjust(widths[i]) for i, c in enumerate(cells)
            ]
            return "  ".join(text).rstrip()

        lines = [line(head), *(line(r) for r in rows), line(foot)]
        for kind in report.by_kind():
            lines.append(
                f"{kind.kind}: {kind.posts} post(s), {kind.avg_views:,.0f} views and "
                f"{kind.avg_engagement:,.1f} engagements per post"
            )
    user = report.user
    if user is not None:
        period = f"{user.since:%Y-%m-%d} to {user.until:%Y-%m-%d}"
        parts = [f"{_n(v)} {k}" for k, v in user.metrics.items()]
        if user.followers_count is not None:
            parts.append(f"{_n(user.followers_count)} followers")
        lines.append(f"Account, {period}: {', '.join(parts) or 'no data'}")
    for post_id, err in ((r.id, r.error) for r in report.rows if r.error):
        lines.append(f"warning: {terminal_text(post_id)}: {terminal_text(err)}")
    lines += [f"warning: {terminal_text(w)}" for w in report.warnings]
    lines.append(
        f"Fetched {report.fetched} post(s); {report.reused} from the cache "
        f"(younger than {report.max_age_hours:g} h)."
    )
    return "\n".join(lines) + "\n"


def render_json(report: Report) -> str:
    return json.dumps(report.data(), indent=2, ensure_ascii=False) + "\n"


def csv_cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula gets a ``'`` first; numbers stay numbers.

    A carriage return becomes a line feed: the writer quotes a cell holding a
    line feed, but not one holding a lone CR, which some readers take as the
    end of the row.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")


def render_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in report.rows:
        writer.writerow({k: csv_cell(v) for k, v in r.data().items()})
    return out.getvalue()
