"""``threadsync apply [PLANFILE]``: publish, exactly once, journalling every step."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from threadsync import runner
from threadsync.commands._common import reaching, render
from threadsync.commands._options import add_content_options, add_lock_option, add_plan_options
from threadsync.commands.plan_cmd import request_from as plan_request_from
from threadsync.plan import Plan
from threadsync.project import Target

if TYPE_CHECKING:
    from threadsync.publisher import Progress

INTERRUPTED = 130  # the shell's code for a run stopped by SIGINT, as cli.main exits


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "apply",
        help="publish what the plan shows",
        description=(
            "Publish the plan: create containers, wait for them, publish them in order, and "
            "record every id in the state file as it goes. Safe to run again after any crash: "
            "it resumes and never posts twice. Asks for confirmation only on a terminal, "
            "unless --yes. Writes a Markdown report to $GITHUB_STEP_SUMMARY when set."
        ),
    )
    p.add_argument("planfile", nargs="?", help="a plan saved by 'threadsync plan --out'")
    add_content_options(p)
    add_plan_options(p)
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.add_argument("--json", action="store_true", help="print the final report as JSON")
    p.add_argument(
        "--workers", type=int, metavar="N", help="containers prepared in parallel (default 4)"
    )
    p.add_argument(
        "--no-lookup",
        action="store_true",
        help="do not look for new posts on the account before publishing them (see apply.lookup)",
    )
    add_lock_option(p)


@dataclass(frozen=True)
class View:
    json: bool
    no_color: bool
    yes: bool


def request_from(args: argparse.Namespace) -> runner.ApplyRequest:
    return runner.ApplyRequest(
        plan=plan_request_from(args),
        planfile=Path(args.planfile) if args.planfile else None,
        workers=args.workers,
        lookup=not args.no_lookup,
        lock_timeout=float(args.lock_timeout or 0),
    )


def view_from(args: argparse.Namespace) -> View:
    return View(args.json, args.no_color, args.yes)


def run(args: argparse.Namespace) -> int:
    request = request_from(args)
    view = view_from(args)
    with reaching(request.plan.where, request.plan.api) as api:
        request = replace(request, plan=replace(request.plan, api=api))
        applied = runner.apply(request, TerminalUI(view))
        try:
            return render(
                applied,
                as_json=view.json,
                show=lambda target, result: show(result, view),
                code=exit_code,
                document=document,
                failure=failure,
            )
        except runner.Interrupted as stopped:
            # What went out before Ctrl-C is journalled; say so, and how to go on.
            show(stopped.result, view)
            print("Interrupted: run apply again to resume", file=sys.stderr, flush=True)
            return INTERRUPTED


class TerminalUI:
    """The plan on stdout, the question on a terminal, progress on stderr."""

    def __init__(self, view: View) -> None:
        self.view = view

    def show_plan(self, target: Target, plan: Plan) -> None:
        from threadsync.output.plans import render_plan
        from threadsync.output.style import use_color

        if not self.view.json:
            color = use_color(sys.stdout, no_color=self.view.no_color)
            sys.stdout.write(render_plan(plan, "text", color=color))

    def confirm(self, target: Target, plan: Plan) -> bool:
        if not sys.stdin.isatty() or self.view.yes:
            return True
        sys.stderr.write("Do you want to publish these changes? Only 'yes' will be accepted: ")
        sys.stderr.flush()
        try:
            return input().strip() == "yes"
        except EOFError:
            return False

    @contextlib.contextmanager
    def progress(self, target: Target) -> Iterator[Progress]:
        from threadsync.output.progress import LiveProgress, PlainProgress

        stream = sys.stderr
        live = stream.isatty() and not os.environ.get("CI")
        progress = LiveProgress(stream) if live else PlainProgress(stream)
        try:
            yield progress
        finally:
            progress.close()


def document(result: runner.ApplyResult) -> object:
    from threadsync.apply import ApplyReport

    return (result.report or ApplyReport()).data


def show(result: runner.ApplyResult, view: View) -> None:
    from threadsync.github import append_summary, write_output
    from threadsync.output.apply_report import render_report_markdown, render_report_text
    from threadsync.output.style import use_color

    if result.refusal is not None:
        return
    if result.cancelled:
        print("Apply cancelled.", file=sys.stderr)
        return
    report = result.report
    if report is None:
        write_output("has_changes", "false")
        write_output("published", "0")
        if view.json:
            print(json.dumps(document(result), indent=2))
        return
    if view.json:
        print(json.dumps(report.data, indent=2, ensure_ascii=False))
    else:
        color = use_color(sys.stdout, no_color=view.no_color)
        sys.stdout.write("\n" + render_report_text(report, color=color))
    append_summary(render_report_markdown(report))
    write_output("has_changes", "true")
    write_output("published", str(report.count("published")))


def failure(result: runner.ApplyResult) -> str | None:
    """Why apply stopped: the safety limits refused the plan, or the run was aborted."""
    if result.refusal is not None:
        return result.refusal
    return result.report.aborted if result.report is not None else None


def exit_code(result: runner.ApplyResult) -> int:
    if result.cancelled:
        return 1
    return 0 if result.report is None or result.report.ok else 1
