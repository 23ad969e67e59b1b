"""``threadsync import``: record posts already on the account, so they are never re-posted."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from dataclasses import replace
from typing import Any

from threadsync import runner
from threadsync.commands._common import api_from, reaching, render, where_from
from threadsync.commands._options import add_api_options, add_content_options, add_lock_option
from threadsync.errors import ThreadsyncError


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "import",
        help="adopt posts already on the account",
        description=(
            "List the account's threads and replies, match them to content posts by their "
            "rendered text and media count, and record the matches in the state as published, "
            "so that onboarding an existing account never re-posts anything."
        ),
    )
    add_content_options(p, state=True)
    p.add_argument("--since", metavar="DATE", help="only the account's posts since DATE")
    p.add_argument("--dry-run", action="store_true", help="show the matches, write nothing")
    p.add_argument("--json", action="store_true", help="print the matches as JSON")
    add_lock_option(p)
    add_api_options(p)


def parse_since(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ThreadsyncError(f"--since {value!r} is not a date like 2026-01-31") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def request_from(args: argparse.Namespace) -> runner.ImportRequest:
    return runner.ImportRequest(
        where=where_from(args),
        api=api_from(args),
        since=parse_since(args.since),
        dry_run=args.dry_run,
        lock_timeout=float(args.lock_timeout or 0),
    )


def view_from(args: argparse.Namespace) -> bool:
    """Whether to print JSON."""
    return bool(args.json)


def run(args: argparse.Namespace) -> int:
    from threadsync.output.imports import import_data, render_import_text

    request = request_from(args)
    as_json = view_from(args)
    with reaching(request.where, request.api) as api:
        imported = runner.import_(replace(request, api=api))

        def show(target: Any, result: runner.ImportOutcome) -> None:
            if as_json:
                print(json.dumps(import_data(result.matches, request.dry_run), indent=2))
            else:
                print(render_import_text(result.matches, request.dry_run), end="")

        return render(
            imported,
            as_json=as_json,
            show=show,
            document=lambda result: import_data(result.matches, request.dry_run),
        )
