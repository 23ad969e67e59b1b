"""Command-line entry point: builds the parser, dispatches, and handles errors.

This is the one error handler of the product (see design.md).  Expected errors
(``ThreadsyncError`` and the API client's ``ThreadsError``) become one
``error: ...`` line and exit 1.  Anything else is a bug: one line on stderr,
and a log file holding the traceback with every secret redacted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import platform
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from threadsync import __version__
from threadsync.commands._options import (
    add_account_option,
    add_content_options,
    add_state_option,
)
from threadsync.errors import expected_message
from threadsync.output.escape import terminal_text
from threadsync.secrets import redact

LOG_NAME = "threadsync-error.log"


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 1: exit 2 means "changes pending" (plan --detailed-exitcode)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(1, f"error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="threadsync",
        description="Publish a folder of YAML/Markdown posts to Threads: validate, plan, apply.",
    )
    parser.add_argument("--version", action="version", version=f"threadsync {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

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

    p = sub.add_parser(
        "schema",
        help="print the JSON Schema of content files",
        description="Print the JSON Schema of a content file, for editor completion and checks.",
    )

    p = sub.add_parser(
        "emulator",
        help="run a local Threads API emulator",
        description=(
            "Run a local emulator of the Threads Graph API in the foreground. "
            "Point THREADS_API_URL at it to try threadsync with no account. "
            "See the README section 'Try it without an account' for its admin endpoints and faults."
        ),
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    p.add_argument(
        "--data", metavar="FILE", default=None, help="persist the emulator's state in FILE"
    )
    p.add_argument(
        "--processing",
        metavar="SPEC",
        default=None,
        help="processing times, e.g. image=1s,video=5s,carousel=1s",
    )
    p.add_argument("--token", default=None, help="the access token to accept (default: minted)")
    p.add_argument(
        "--allow-host",
        metavar="NAME",
        action="append",
        default=[],
        help="also answer requests addressed to this host name (e.g. a container's name); "
        "by default only loopback names and addresses, and the --host address, are answered",
    )

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
    _add_plan_options(p)
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
    _add_plan_options(p)
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
    p.add_argument(
        "--lock-timeout",
        type=float,
        default=0,
        metavar="SECONDS",
        help="wait this long for another run's state lock (default: fail at once)",
    )

    p = sub.add_parser(
        "import",
        help="adopt posts already on the account",
        description=(
            "List the account's threads and replies, match them to content posts by their "
            "rendered text and media count, and record the matches in the state as published, "
            "so that onboarding an existing account never re-posts anything."
        ),
    )
    add_content_options(p, state=True)
    p.add_argument("--since", metavar="DATE", help="only the account's posts since DATE")
    p.add_argument("--dry-run", action="store_true", help="show the matches, write nothing")
    p.add_argument("--json", action="store_true", help="print the matches as JSON")
    from threadsync.commands._options import add_api_options

    add_api_options(p)

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
    for module in ("init", "auth", "comment", "preview", "watch", "stats", "status"):
        importlib.import_module(f"threadsync.commands.{module}").add_parser(sub)
    return parser


def _add_plan_options(p: argparse.ArgumentParser) -> None:
    from threadsync.commands._options import add_api_options

    add_state_option(p)
    p.add_argument("--prune", action="store_true", help="delete published posts whose file is gone")
    p.add_argument(
        "--target",
        action="append",
        metavar="ID",
        help="only this post and what it depends on (repeatable)",
    )
    p.add_argument(
        "--force", action="store_true", help="go past limits.max_posts/deletes_per_apply"
    )
    p.add_argument(
        "--retry-failed", action="store_true", help="retry posts that failed, even unedited"
    )
    p.add_argument("--no-color", action="store_true", help="no colour (also: NO_COLOR=1)")
    p.add_argument(
        "--refresh",
        action="store_true",
        help="ask the API about every published post (drift) and adopt content posts that "
        "are already on the account with the same text and media count",
    )
    add_api_options(p)


def _named_token(args: argparse.Namespace) -> list[str]:
    """The value of the variable --token-env names, which may be called anything."""
    name = getattr(args, "token_env", None)
    value = os.environ.get(name, "") if name else ""
    return [value] if value else []


def _write_crash_log(
    exc: BaseException, argv: Sequence[str], extra: Sequence[str] = ()
) -> Path | None:
    """Write a Markdown bug report, redacted, readable by its owner only; its path, or None.

    The temp dir is shared: the file is never followed through a symlink, and
    one another user made is not written (nor named).
    """
    body = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    text = (
        "# threadsync crash report\n\n"
        f"- threadsync {__version__}\n"
        f"- Python {platform.python_version()} on {platform.platform()}\n"
        f"- time {dt.datetime.now(dt.timezone.utc).isoformat()}\n"
        f"- argv {' '.join(argv)}\n\n```\n{body}```\n"
    )
    directory = Path(os.environ.get("THREADSYNC_LOG_DIR") or tempfile.gettempdir())
    path = directory / LOG_NAME
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, flags, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)  # an older report of ours may have other modes
            fh.write(redact(text, extra))
    except OSError:
        return None
    return path


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(args_list)
    if args.command is None:
        parser.print_help()
        return 0
    name = {"import": "import_", "github-comment": "comment"}.get(
        args.command, args.command.replace("-", "_")
    )
    module = importlib.import_module(f"threadsync.commands.{name}")
    try:
        return int(module.run(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:
        extra = _named_token(args)
        message = expected_message(exc)
        if message is not None:
            print(f"error: {terminal_text(redact(message, extra), newlines=True)}", file=sys.stderr)
            return 1
        log = _write_crash_log(exc, args_list, extra)
        message = terminal_text(redact(str(exc), extra))
        print(
            f"error: unexpected {type(exc).__name__}: {message} "
            + (f"(a bug; details in {log})" if log else "(a bug; no report could be written)"),
            file=sys.stderr,
        )
        return 1
