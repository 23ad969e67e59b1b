"""``threadsync stats``: insights of the published posts, as a table, JSON, CSV or an HTML page.

Needs a token (or ``--emulator``).  Numbers are cached in
``.threadsync/insights.json`` (next to the state file) with the time they were
fetched, so a rerun within ``--max-age`` hours asks the API for nothing it
already has.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from threadsync import runner
from threadsync.commands._common import api_from, reaching, render, where_from
from threadsync.commands._options import add_api_options, add_content_options
from threadsync.errors import ThreadsyncError
from threadsync.project import Target

if TYPE_CHECKING:
    from threadsync.stats.report import Report

FORMATS = ("text", "json", "csv", "html")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "stats",
        help="show the insights of published posts",
        description=(
            "Fetch the insights (views, likes, replies, reposts, quotes, shares) of every post "
            "the state file records as published, and the account's insights for the period, "
            "and show them: a table sorted by views, JSON, CSV, or an HTML page with charts. "
            "Results are cached in insights.json next to the state file; a rerun fetches only "
            "posts whose numbers are older than --max-age. Needs THREADS_ACCESS_TOKEN "
            "(or --emulator). With several accounts in threadsync.yaml, each is reported in turn "
            "(or only --account NAME)."
        ),
    )
    add_content_options(p, state=True)
    p.add_argument(
        "--since",
        metavar="DATE",
        help="only posts published since DATE (YYYY-MM-DD); also the start of the account's "
        "period (default: all posts, and the last 30 days for the account)",
    )
    p.add_argument("--format", choices=FORMATS, default="text", help="output format (default text)")
    p.add_argument(
        "--out",
        metavar="FILE",
        help="write the output to FILE instead of stdout (with several accounts, each to "
        "FILE with the account's name before its suffix)",
    )
    p.add_argument(
        "--max-age",
        type=float,
        default=6.0,
        metavar="HOURS",
        help="fetch again only numbers older than this (default 6; 0 fetches everything)",
    )
    p.add_argument(
        "--cache",
        metavar="FILE",
        help="the insights cache (default: insights.json next to the state file)",
    )
    add_api_options(p)


def parse_since(value: str | None) -> dt.datetime | None:
    """--since as a date-time; one without an offset is in threadsync.yaml's timezone."""
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ThreadsyncError(
            f"--since {value!r} is not a date; write e.g. 2026-01-31 or 2026-01-31T09:00"
        ) from None


@dataclass(frozen=True)
class View:
    format: str
    out: Path | None
    account_given: bool


def request_from(args: argparse.Namespace) -> runner.StatsRequest:
    if args.max_age < 0:
        raise ThreadsyncError("--max-age must be 0 or more hours")
    return runner.StatsRequest(
        where=where_from(args),
        api=api_from(args),
        since=parse_since(args.since),
        max_age=dt.timedelta(hours=args.max_age),
        cache=Path(args.cache) if args.cache else None,
    )


def view_from(args: argparse.Namespace) -> View:
    return View(args.format or "text", Path(args.out) if args.out else None, bool(args.account))


def run(args: argparse.Namespace) -> int:
    request = request_from(args)
    view = view_from(args)
    with reaching(request.where, request.api) as api:
        reports = runner.stats(replace(request, api=api))
        as_json = view.format == "json" and view.out is None
        return render(
            reports,
            as_json=as_json,
            show=lambda target, report: show(target, report, view),
            document=lambda report: json.loads(format_report(report, "json")),
        )


def out_path(view: View, target: Target) -> Path | None:
    """--out FILE; with every account of several, FILE with the account's name before its suffix."""
    if view.out is None:
        return None
    if target.account and not view.account_given:
        return view.out.with_name(f"{view.out.stem}-{target.account}{view.out.suffix}")
    return view.out


def show(target: Target, report: Report, view: View) -> None:
    text = format_report(report, view.format)
    out = out_path(view, target)
    if out is not None:
        out.write_text(text, encoding="utf-8")
        print(f"Wrote the {view.format} report to {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def format_report(report: Report, fmt: str) -> str:
    from threadsync.stats.formats import render_csv, render_json, render_text
    from threadsync.stats.html import render_html

    renderers = {"json": render_json, "csv": render_csv, "html": render_html}
    return renderers.get(fmt, render_text)(report)
