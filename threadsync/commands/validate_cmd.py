"""``threadsync validate``: check the content, print problems or a count.

Exit 0 when there are no errors (warnings are printed but don't fail), else 1.
``--json`` prints the problems as a JSON list of
``{path, line, col, severity, field, message}`` and nothing else.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from threadsync.commands._common import where_from
from threadsync.commands._options import add_content_options
from threadsync.output.escape import terminal_text
from threadsync.output.verdict import plural, verdict
from threadsync.project import Where

if TYPE_CHECKING:
    from threadsync.content import Problem


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "validate",
        help="check the content files",
        description=(
            "Load, render and check every post under the content dir. Prints "
            "'path:line:col: message' for each problem (exit 1), "
            "or a count of valid posts (exit 0)."
        ),
    )
    add_content_options(p)
    p.add_argument("--json", action="store_true", help="print the problems as a JSON list")


def _display(problem: Problem, root: Path) -> Problem:
    """Problem paths are relative to the project root; show them relative to the cwd."""
    from threadsync.content import Problem

    try:
        rel_root = os.path.relpath(root, Path.cwd())
    except ValueError:
        rel_root = str(root)
    if rel_root in ("", "."):
        return problem
    path = os.path.normpath(os.path.join(rel_root, problem.path)).replace(os.sep, "/")
    return Problem(
        path, problem.line, problem.col, problem.severity, problem.field, problem.message
    )


def _report(problems: list[Problem], as_json: bool, summary: str | None) -> None:
    if as_json:
        print(json.dumps([p.to_dict() for p in problems], indent=2, ensure_ascii=False))
        return
    for p in problems:
        print(terminal_text(p))
    if summary:
        print(summary)


def request_from(args: argparse.Namespace) -> tuple[Where, bool]:
    """Where the project is, and whether to print JSON."""
    return where_from(args), bool(args.json)


def run(args: argparse.Namespace) -> int:
    from threadsync.config import ConfigError
    from threadsync.content import load_project
    from threadsync.project import held_tokens, load_settings, long_lived

    where, as_json = request_from(args)
    root = where.config.parent if where.config is not None else Path.cwd()
    try:
        root, config = load_settings(where)
    except ConfigError as exc:
        problems = [_display(p, root) for p in exc.problems]
        _report(problems, as_json, f"{plural(len(problems), 'error')} in the configuration")
        return 1
    # The posts live until the command ends: built with the cyclic GC paused, then
    # frozen, the GC does not walk them all at the next allocation.
    with long_lived():
        content = load_project(root, config, held_tokens=held_tokens(where, config))
    problems = [_display(p, root) for p in content.problems]
    summary = verdict(content.problems, posts=len(content.posts), drafts=len(content.drafts))
    _report(problems, as_json, summary)
    return 1 if content.errors else 0
