"""``threadsync plan``: what would apply do?  Offline unless a token is set or --refresh."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from threadsync import runner
from threadsync.commands._common import api_from, output_format, reaching, render, where_from
from threadsync.commands._options import add_content_options, add_plan_options
from threadsync.project import Target


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "plan",
        help="show what apply would do",
        description=(
            "Diff the content against the state file and show what apply would do. Needs no "
            "token; with THREADS_ACCESS_TOKEN set it also checks the account, the 24 h quota "
            "and the token's expiry. Exit codes: 0 success, 1 error, and with "
            "--detailed-exitcode 2 when apply would do something."
        ),
    )
    add_content_options(p)
    add_plan_options(p)
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="same as --format json")
    fmt.add_argument(
        "--format", choices=("text", "json", "markdown"), default=None, help="output format"
    )
    p.add_argument("--out", metavar="FILE", help="save the plan, to apply exactly it later")
    p.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help="exit 2 when apply would publish, delete or change state (0 when nothing)",
    )


@dataclass(frozen=True)
class View:
    format: str
    no_color: bool
    detailed_exitcode: bool


def request_from(args: argparse.Namespace) -> runner.PlanRequest:
    """The plan options plan and apply share."""
    out = getattr(args, "out", None)
    return runner.PlanRequest(
        where=where_from(args),
        api=api_from(args),
        prune=args.prune,
        retry_failed=args.retry_failed,
        targets=tuple(args.target or ()),
        refresh=args.refresh,
        force=args.force,
        out=Path(out) if out else None,
    )


def view_from(args: argparse.Namespace) -> View:
    return View(output_format(args), args.no_color, args.detailed_exitcode)


def run(args: argparse.Namespace) -> int:
    request = request_from(args)
    view = view_from(args)
    with reaching(request.where, request.api) as api:
        planned = runner.plan(replace(request, api=api))
        as_json = view.format == "json" and request.out is None
        return render(
            planned,
            as_json=as_json,
            show=lambda target, result: show(target, result, view),
            code=lambda result: exit_code(result, view),
            document=lambda result: result.plan.data,
            failure=lambda result: result.refusal,
        )


def show(target: Target, result: runner.PlanResult, view: View) -> None:
    from threadsync.github import write_output
    from threadsync.output.plans import render_plan
    from threadsync.output.style import use_color

    color = use_color(sys.stdout, no_color=view.no_color)
    sys.stdout.write(render_plan(result.plan, view.format, color=color))
    write_output("has_changes", "true" if result.plan.has_changes else "false")
    if result.saved is not None:
        print(
            f"Saved the plan to {result.saved}; apply exactly it with "
            f"'threadsync apply {result.saved}'.",
            file=sys.stderr,
        )


def exit_code(result: runner.PlanResult, view: View) -> int:
    return 2 if view.detailed_exitcode and result.plan.has_changes else 0
