"""``threadsync apply [PLANFILE]``: publish, exactly once, journalling every step."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

from threadsync.api.retry import PollSchedule
from threadsync.apply import Applier, ApplyReport
from threadsync.commands._context import (
    Context,
    api_factory,
    for_each_account,
    load_content,
    long_lived,
    utcnow,
)
from threadsync.commands.plan import build_plan, limits_of, render
from threadsync.errors import ThreadsyncError
from threadsync.github import append_summary, write_output
from threadsync.journal import Journal
from threadsync.lock import state_lock
from threadsync.output.progress import LiveProgress, PlainProgress
from threadsync.output.report import render_report_markdown, render_report_text
from threadsync.output.style import use_color
from threadsync.plan import PlanError
from threadsync.publisher import ApplyOptions
from threadsync.saved_plan import check_fresh, load_saved_plan
from threadsync.state import StateStore


def _confirm(question: str) -> bool:
    sys.stderr.write(f"{question} Only 'yes' will be accepted: ")
    sys.stderr.flush()
    try:
        return input().strip() == "yes"
    except EOFError:
        return False


def options_from(args: argparse.Namespace, ctx: Context) -> ApplyOptions:
    conf = ctx.config.apply
    workers = getattr(args, "workers", None)
    return ApplyOptions(
        workers=int(workers) if workers else conf.workers,
        settle_video=conf.settle_video,
        settle_reply=conf.settle_reply,
        container_timeout=conf.container_timeout,
        poll=PollSchedule(
            initial=conf.poll_initial,
            multiplier=1.5,
            maximum=max(conf.poll_max, conf.poll_initial),
        ),
        not_ready_delay=conf.not_ready_delay,
        lookup=conf.lookup and not getattr(args, "no_lookup", False),
        lookup_days=conf.lookup_days,
    )


def run(args: argparse.Namespace) -> int:
    one_only = "a saved plan belongs to one account" if getattr(args, "planfile", None) else None
    return for_each_account(args, _run, one_only=one_only)


def _run(args: argparse.Namespace, ctx: Context) -> int:
    make_api = api_factory(args, required=True, ctx=ctx)
    assert make_api is not None
    as_json = bool(getattr(args, "json", False))
    color = use_color(sys.stdout, no_color=bool(getattr(args, "no_color", False)))
    saved = load_saved_plan(Path(args.planfile)) if getattr(args, "planfile", None) else None
    if saved is not None:
        args.prune = saved.prune or getattr(args, "prune", False)
        args.retry_failed = saved.retry_failed or getattr(args, "retry_failed", False)
        args.refresh = saved.refresh or getattr(args, "refresh", False)
    max_age = dt.timedelta(minutes=ctx.config.limits.lock_max_age)
    wait = float(getattr(args, "lock_timeout", 0) or 0)
    with state_lock(ctx.state_path, "apply", wait=wait, max_age=max_age, root=ctx.root):
        with long_lived():
            store = StateStore(ctx.state_path, ctx.root)
        now = utcnow()
        project = load_content(ctx, now)
        plan = build_plan(args, ctx, project, store.state, now)
        if saved is not None:
            try:
                plan = check_fresh(saved, plan)
            except PlanError as exc:
                raise ThreadsyncError(str(exc)) from exc
        if not as_json:
            sys.stdout.write(render(plan, "text", color=color))
        try:
            plan.raise_if_unsafe(limits_of(ctx), force=bool(getattr(args, "force", False)))
        except PlanError as exc:
            raise ThreadsyncError(str(exc)) from exc
        if not plan.has_changes:
            write_output("has_changes", "false")
            write_output("published", "0")
            if as_json:
                print(json.dumps(ApplyReport().data, indent=2))
            return 0
        ask = sys.stdin.isatty() and not getattr(args, "yes", False) and saved is None
        if ask and not _confirm("Do you want to publish these changes?"):
            print("Apply cancelled.", file=sys.stderr)
            return 1
        progress_stream = sys.stderr
        progress = (
            LiveProgress(progress_stream)
            if progress_stream.isatty() and not os.environ.get("CI")
            else PlainProgress(progress_stream)
        )
        journal = Journal(store)
        applier = Applier(
            plan,
            {p.id: p for p in project.posts},
            journal,
            make_api,
            options_from(args, ctx),
            sleep=time.sleep,
            now=utcnow,
            progress=progress,
        )
        try:
            report = applier.run()
        finally:
            progress.close()
    if as_json:
        print(json.dumps(report.data, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write("\n" + render_report_text(report, color=color))
    append_summary(render_report_markdown(report))
    write_output("has_changes", "true")
    write_output("published", str(report.count("published")))
    if report.aborted:
        raise ThreadsyncError(report.aborted)
    return 0 if report.ok else 1
