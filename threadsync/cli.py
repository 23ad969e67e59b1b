"""Command-line entry point: the parser, built from one table of commands, and the error handler.

This is the one error handler of the product.  Expected errors
(``ThreadsyncError`` and the API client's ``ThreadsError``) become one
``error: ...`` line and exit 1; :func:`describe` is the one place that words
the client's errors for a user.  Anything else is a bug: one line on stderr,
and a log file holding the traceback with every secret redacted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import NoReturn

from threadsync import __version__
from threadsync.errors import ThreadsyncError
from threadsync.output.escape import terminal_text
from threadsync.secrets import redact

LOG_NAME = "threadsync-error.log"

# (command, module under threadsync.commands), in the order --help lists them.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("validate", "validate_cmd"),
    ("schema", "schema_cmd"),
    ("emulator", "emulator_cmd"),
    ("plan", "plan_cmd"),
    ("apply", "apply_cmd"),
    ("import", "import_cmd"),
    ("force-unlock", "force_unlock_cmd"),
    ("init", "init_cmd"),
    ("auth", "auth_cmd"),
    ("github-comment", "github_comment_cmd"),
    ("preview", "preview_cmd"),
    ("watch", "watch_cmd"),
    ("stats", "stats_cmd"),
    ("status", "status_cmd"),
    ("github-accounts", "github_accounts_cmd"),
    ("state", "state_cmd"),
)


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 1: exit 2 means "changes pending" (plan --detailed-exitcode)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(1, f"error: {message} (see '{self.prog} --help')\n")


def command_module(name: str) -> ModuleType:
    module = dict(COMMANDS)[name]
    return importlib.import_module(f"threadsync.commands.{module}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="threadsync",
        description="Publish a folder of YAML/Markdown posts to Threads: validate, plan, apply.",
    )
    parser.add_argument("--version", action="version", version=f"threadsync {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, _ in COMMANDS:
        command_module(name).add_parser(sub)
    return parser


def describe(exc: BaseException) -> str | None:
    """The user's one-line message for an expected error (ours or the API's); None for a bug."""
    from threadsync.api.errors import ThreadsAccessTokenExpired, ThreadsError

    if isinstance(exc, ThreadsAccessTokenExpired):
        return (
            f"{exc}; the access token is expired or invalid: run 'threadsync auth refresh' "
            "(or 'threadsync auth login'), or set a valid THREADS_ACCESS_TOKEN"
        )
    if isinstance(exc, ThreadsyncError | ThreadsError):
        return str(exc)
    return None


def _named_token(args: argparse.Namespace) -> list[str]:
    """Secrets no fixed variable name finds: the variable --token-env names, which may be
    called anything, and the token of the credentials file 'auth login' wrote."""
    from threadsync.project import stored_token

    name = getattr(args, "token_env", None)
    credentials = getattr(args, "credentials", None)
    values = [
        os.environ.get(name, "") if name else "",
        stored_token(Path(credentials).expanduser() if credentials else None) or "",
    ]
    return [v for v in values if v.strip()]


def _write_crash_log(
    exc: BaseException, argv: Sequence[str], extra: Sequence[str] = ()
) -> Path | None:
    """Write a Markdown bug report, redacted, readable by its owner only; its path, or None.

    The temp dir is shared: the file is never followed through a symlink, and
    one another user made is not written (nor named).
    """
    import platform  # here: only a crash needs them, and every start-up would pay for them
    import tempfile
    import traceback

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
    # threadsync's models have no pydantic plugins; without this, building the first
    # one scans every installed package's entry points for some (a tenth of the
    # start of an offline plan).  A value the user set is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(args_list)
    if args.command is None:
        parser.print_help()
        return 0
    module = command_module(args.command)
    try:
        return int(module.run(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:
        extra = _named_token(args)
        message = describe(exc)
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
