"""``threadsync force-unlock``: clear a lock record left by a dead run elsewhere."""

from __future__ import annotations

import argparse
import datetime as dt

from threadsync.commands._context import load_context
from threadsync.lock import force_unlock


def run(args: argparse.Namespace) -> int:
    ctx = load_context(args)
    minutes = getattr(args, "max_age", None)
    if minutes is None:
        minutes = ctx.config.limits.lock_max_age
    max_age = dt.timedelta(minutes=minutes)
    removed = force_unlock(ctx.state_path, max_age=max_age)
    if removed is None:
        print("The state is not locked.")
    else:
        print(f"Removed the lock of {removed.describe()}.")
    return 0
