"""``threadsync import``: record posts already on the account, so they are never re-posted."""

from __future__ import annotations

import argparse
import datetime as dt
import json

from threadsync.commands._context import (
    Context,
    api_factory,
    for_each_account,
    load_content,
    utcnow,
)
from threadsync.errors import ThreadsyncError
from threadsync.importer import FIELDS, match_posts, record
from threadsync.lock import state_lock
from threadsync.output.escape import terminal_text
from threadsync.state import StateStore


def _since(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ThreadsyncError(f"--since {value!r} is not a date like 2026-01-31") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def run(args: argparse.Namespace) -> int:
    return for_each_account(args, _run)


def _run(args: argparse.Namespace, ctx: Context) -> int:
    make_api = api_factory(args, required=True, ctx=ctx)
    assert make_api is not None
    since = _since(getattr(args, "since", None))
    dry_run = bool(getattr(args, "dry_run", False))
    max_age = dt.timedelta(minutes=ctx.config.limits.lock_max_age)
    with state_lock(ctx.state_path, "import", max_age=max_age, root=ctx.root):
        store = StateStore(ctx.state_path, ctx.root, command="import")
        project = load_content(ctx, utcnow())
        with make_api() as api:
            account = api.get_account()
            store.state.check_account(account.id)
            threads = list(api.iter_threads(since=since, fields=FIELDS))
            replies = list(api.iter_user_replies(since=since, fields=FIELDS))
        result = match_posts(project.posts, store.state, threads, replies)
        if getattr(args, "json", False):
            print(
                json.dumps(
                    {
                        "matched": [
                            {
                                "id": m.post_id,
                                "media_ids": [x.id if x else None for x in m.media],
                                "complete": m.complete,
                            }
                            for m in result.matched
                        ],
                        "unmatched_posts": result.unmatched_posts,
                        "unmatched_account_posts": result.unmatched_remote,
                        "dry_run": dry_run,
                    },
                    indent=2,
                )
            )
        else:
            for m in result.matched:
                ids = ", ".join(terminal_text(x.id) if x else "?" for x in m.media)
                note = "" if m.complete else "  (some thread parts not found: apply publishes them)"
                print(f"  matched {terminal_text(m.post_id)} -> {ids}{note}")
            for pid in result.unmatched_posts:
                shown = terminal_text(pid)
                print(f"  not on the account: {shown} (apply publishes it when it is due)")
            print(
                f"Import: {len(result.matched)} matched, {len(result.unmatched_posts)} content "
                f"post(s) not found, {result.unmatched_remote} account post(s) not in content."
                + (" Dry run: nothing written." if dry_run else "")
            )
        if result.matched and not dry_run:
            if store.state.user_id is None:
                store.state.user_id = account.id
            record(store.state, project.posts, result)
            store.save()
    return 0
