"""``threadsync plan``: what would apply do?  Offline unless a token is set or --refresh."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import replace
from pathlib import Path

from threadsync.commands._context import (
    Context,
    api_factory,
    for_each_account,
    load_content,
    long_lived,
    output_format,
    utcnow,
)
from threadsync.content import Project
from threadsync.diff import make_plan
from threadsync.errors import ThreadsyncError
from threadsync.github import write_output
from threadsync.output.plan_markdown import render_plan_markdown
from threadsync.output.plan_text import render_plan_text
from threadsync.output.style import use_color
from threadsync.plan import Limits, Notice, Plan, PlanError
from threadsync.saved_plan import save_plan
from threadsync.state import State, load_state


def limits_of(ctx: Context) -> Limits:
    limits = ctx.config.limits
    explicit = "max_deletes_per_apply" in limits.model_fields_set
    return Limits(
        max_posts=limits.max_posts_per_apply,
        max_deletes=limits.max_deletes_per_apply if explicit else None,
    )


def build_plan(
    args: argparse.Namespace, ctx: Context, project: Project, state: State, now: dt.datetime
) -> Plan:
    """The plan, with API facts folded in when a token is available."""
    prune = bool(getattr(args, "prune", False) or ctx.config.prune)
    refresh_wanted = bool(getattr(args, "refresh", False))
    make_api = api_factory(args, required=refresh_wanted, ctx=ctx)
    remote = None
    extra: list[Notice] = []
    api = make_api() if make_api else None
    if api is not None:  # only now: requests and the client stay off the offline path
        from threadsync.refresh import quota_notices, refresh, root_keys, token_notices
    try:
        if api is not None:
            account = api.get_account()
            state.check_account(account.id)
            if refresh_wanted:
                remote = refresh(api, state)
        plan = make_plan(
            project.posts,
            state,
            now,
            prune=prune,
            retry_failed=bool(getattr(args, "retry_failed", False)),
            targets=list(getattr(args, "target", None) or ()),
            remote=remote,
            root_keys=root_keys(project.posts) if api is not None and remote else None,
        )
        if api is not None:
            extra += quota_notices(api, plan, project.posts, state)
            extra += token_notices(api, now)
    finally:
        if api is not None:
            api.close()
    warnings = [Notice(None, f"{w}") for w in project.warnings]
    if extra or warnings:
        plan = replace(plan, notices=plan.notices + tuple(warnings) + tuple(extra))
    return plan


def render(plan: Plan, fmt: str, *, color: bool) -> str:
    if fmt == "json":
        return json.dumps(plan.data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_plan_markdown(plan)
    return render_plan_text(plan, color=color)


def run(args: argparse.Namespace) -> int:
    one_only = "--out saves the plan of one account" if getattr(args, "out", None) else None
    return for_each_account(args, _run, one_only=one_only)


def _run(args: argparse.Namespace, ctx: Context) -> int:
    now = utcnow()
    project = load_content(ctx, now)
    with long_lived():
        state = load_state(ctx.state_path, ctx.root)
    plan = build_plan(args, ctx, project, state, now)
    fmt = output_format(args)
    color = use_color(sys.stdout, no_color=bool(getattr(args, "no_color", False)))
    sys.stdout.write(render(plan, fmt, color=color))
    write_output("has_changes", "true" if plan.has_changes else "false")
    try:
        plan.raise_if_unsafe(limits_of(ctx), force=bool(getattr(args, "force", False)))
    except PlanError as exc:
        raise ThreadsyncError(str(exc)) from exc
    if getattr(args, "out", None):
        save_plan(
            plan,
            Path(args.out),
            retry_failed=bool(getattr(args, "retry_failed", False)),
            refresh=bool(getattr(args, "refresh", False)),
            root=ctx.root,
        )
        print(
            f"Saved the plan to {args.out}; apply exactly it with 'threadsync apply {args.out}'.",
            file=sys.stderr,
        )
    if getattr(args, "detailed_exitcode", False) and plan.has_changes:
        return 2
    return 0
