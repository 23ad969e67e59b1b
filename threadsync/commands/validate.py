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

from threadsync.commands._context import held_tokens
from threadsync.config import ConfigError, load_config
from threadsync.content import Problem, load_project
from threadsync.output.escape import terminal_text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _display(problem: Problem, root: Path) -> Problem:
    """Problem paths are relative to the project root; show them relative to the cwd."""
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


def run(args: argparse.Namespace) -> int:
    config_path = Path(args.config) if getattr(args, "config", None) else None
    root = config_path.parent if config_path is not None else Path.cwd()
    as_json = bool(getattr(args, "json", False))
    try:
        config = load_config(config_path, root)
    except ConfigError as exc:
        problems = [_display(p, root) for p in exc.problems]
        errors = len(problems)
        _report(problems, as_json, f"{_plural(errors, 'error')} in the configuration")
        return 1
    content_dir = getattr(args, "content_dir", None)
    if content_dir:
        absolute = (Path.cwd() / content_dir).resolve()
        try:
            rel = os.path.relpath(absolute, root.resolve())
        except ValueError:
            rel = str(absolute)
        config = config.model_copy(update={"content": rel})
    project = load_project(root, config, held_tokens=held_tokens(args, config))
    problems = [_display(p, root) for p in project.problems]
    n_errors = len(project.errors)
    n_warnings = len(project.warnings)
    if n_errors:
        files = len({p.path for p in project.errors})
        summary = f"{_plural(n_errors, 'error')}"
        if n_warnings:
            summary += f", {_plural(n_warnings, 'warning')}"
        summary += f" in {_plural(files, 'file')}"
        _report(problems, as_json, summary)
        return 1
    extras = []
    drafts = len(project.drafts)
    if drafts:
        extras.append(_plural(drafts, "draft"))
    if n_warnings:
        extras.append(_plural(n_warnings, "warning"))
    posts = len(project.posts)
    summary = f"{posts} post{'' if posts == 1 else 's'} valid"
    if extras:
        summary += f" ({', '.join(extras)})"
    _report(problems, as_json, summary)
    return 0
