"""``threadsync force-unlock``: clear a lock record left by a dead run elsewhere."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING, Any

from threadsync import runner
from threadsync.commands._common import render, where_from
from threadsync.commands._options import add_account_option, add_content_options

if TYPE_CHECKING:  # every command module is imported to build the parser: keep it light
    from threadsync.lock import Holder


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "force-unlock",
        help="remove a state lock left by a dead run on another host",
        description=(
            "Remove the state lock record of a run that died on another host or a shared "
            "filesystem. A lock held by a live process here is never broken, and a killed "
            "run on this machine needs no unlocking at all."
        ),
    )
    add_content_options(p, state=True)
    add_account_option(p)
    p.add_argument(
        "--max-age",
        type=float,
        default=None,
        metavar="MINUTES",
        help="only break a lock older than this (default: limits.lock_max_age, 360); "
        "0 breaks any lock no live process here holds",
    )


def request_from(args: argparse.Namespace) -> runner.UnlockRequest:
    minutes = args.max_age
    return runner.UnlockRequest(
        where=where_from(args),
        max_age=dt.timedelta(minutes=minutes) if minutes is not None else None,
    )


def run(args: argparse.Namespace) -> int:
    return render(runner.force_unlock(request_from(args)), as_json=False, show=show)


def show(target: Any, result: tuple[Holder | None, dt.datetime]) -> None:
    removed, now = result
    if removed is None:
        print("The state is not locked.")
    elif removed.in_future(now):
        print(
            f"Removed the lock of {removed.describe()}; its start time was in the future "
            "(clocks that disagree, or a forged record), so its age was unknown."
        )
    else:
        print(f"Removed the lock of {removed.describe()}.")
