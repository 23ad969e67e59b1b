"""``threadsync force-unlock``: clear a lock record left by a dead run elsewhere."""

from __future__ import annotations

import argparse
import datetime as dt

from threadsync.commands._context import Context, for_each_account, utcnow
from threadsync.lock import force_unlock


def run(args: argparse.Namespace) -> int:
    return for_each_account(args, _run)


def _run(args: argparse.Namespace, ctx: Context) -> int:
    minutes = getattr(args, "max_age", None)
    if minutes is None:
        minutes = ctx.config.limits.lock_max_age
    now = utcnow()
    removed = force_unlock(
        ctx.state_path, max_age=dt.timedelta(minutes=minutes), now=now, root=ctx.root
    )
    if removed is None:
        print("The state is not locked.")
    elif removed.in_future(now):
        print(
            f"Removed the lock of {removed.describe()}; its start time was in the future "
            "(clocks that disagree, or a forged record), so its age was unknown."
        )
    else:
        print(f"Removed the lock of {removed.describe()}.")
    return 0
