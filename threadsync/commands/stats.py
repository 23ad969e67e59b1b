"""``threadsync stats``: insights of the published posts, as a table, JSON, CSV or an HTML page.

Needs a token (or ``--emulator``).  Numbers are cached in
``.threadsync/insights.json`` (next to the state file) with the time they were
fetched, so a rerun within ``--max-age`` hours asks the API for nothing it
already has.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from threadsync.commands._context import (
    Context,
    add_api_options,
    api_factory,
    for_each_account,
    utcnow,
)
from threadsync.commands._options import add_content_options
from threadsync.errors import ThreadsyncError

if TYPE_CHECKING:
    from threadsync.stats.report import Report

FORMATS = ("text", "json", "csv", "html")
DEFAULT_PERIOD = dt.timedelta(days=30)


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


def parse_since(value: str | None, tz: dt.tzinfo | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ThreadsyncError(
            f"--since {value!r} is not a date; write e.g. 2026-01-31 or 2026-01-31T09:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz or dt.timezone.utc)
    return moment


def default_period_start(now: dt.datetime) -> dt.datetime:
    """Midnight UTC 30 days ago: a fixed start all day long, so the cached period is reused."""
    start = (now - DEFAULT_PERIOD).astimezone(dt.timezone.utc)
    return start.replace(hour=0, minute=0, second=0, microsecond=0)


def run(args: argparse.Namespace) -> int:
    max_age = float(getattr(args, "max_age", 6.0))
    if max_age < 0:
        raise ThreadsyncError("--max-age must be 0 or more hours")
    return for_each_account(args, run_one)


def out_path(args: argparse.Namespace, ctx: Context) -> Path | None:
    """--out FILE; with every account of several, FILE with the account's name before its suffix."""
    out = getattr(args, "out", None)
    if not out:
        return None
    path = Path(out)
    if ctx.account and not getattr(args, "account", None):
        return path.with_name(f"{path.stem}-{ctx.account}{path.suffix}")
    return path


def run_one(args: argparse.Namespace, ctx: Context) -> int:
    from threadsync.content import load_project
    from threadsync.state import load_state
    from threadsync.stats.cache import cache_path_for, load_cache, save_cache
    from threadsync.stats.collect import collect
    from threadsync.stats.report import build_report

    max_age = float(getattr(args, "max_age", 6.0))
    since = parse_since(getattr(args, "since", None), ctx.config.tzinfo())
    make_api = api_factory(args, ctx=ctx)
    assert make_api is not None  # required=True raises instead
    state = load_state(ctx.state_path, ctx.root)
    now = utcnow()
    cache_path = Path(args.cache) if getattr(args, "cache", None) else None
    cache_path = cache_path or cache_path_for(ctx.state_path)
    posts = {
        p.id: p
        for p in load_project(ctx.root, ctx.config, now=now, held_tokens=ctx.held_tokens).posts
    }
    api = make_api()
    try:
        account = api.get_account()
        state.check_account(account.id)
        cache = load_cache(cache_path, account.id, ctx.root)
        try:
            collected = collect(
                api,
                state,
                cache,
                now,
                max_age=dt.timedelta(hours=max_age),
                since=since,
                period_since=since or default_period_start(now),
            )
        finally:
            save_cache(cache_path, cache, ctx.root)  # keep what was fetched, even on a failure
    finally:
        api.close()
    report = build_report(
        state,
        collected.cache,
        posts,
        now=now,
        since=since,
        max_age_hours=max_age,
        fetched=collected.fetched,
        reused=collected.reused,
        errors=collected.errors,
        warnings=collected.warnings,
    )
    fmt = str(getattr(args, "format", None) or "text")
    text = render(report, fmt)
    out = out_path(args, ctx)
    if out is not None:
        out.write_text(text, encoding="utf-8")
        print(f"Wrote the {fmt} report to {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def render(report: Report, fmt: str) -> str:
    from threadsync.stats.formats import render_csv, render_json, render_text
    from threadsync.stats.html import render_html

    renderers = {"json": render_json, "csv": render_csv, "html": render_html}
    return renderers.get(fmt, render_text)(report)
