"""What the command modules share: reading the common options, the emulator, accounts' output.

Each command reads its arguments once, into a request (see ``runner.py``);
the helpers here build the parts every request has (:class:`Where`,
:class:`ApiSettings`) and render the outcomes of several accounts the same
way: a ``== account NAME`` heading per account in text, one JSON document
keyed by account name in JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from threadsync.errors import ThreadsyncError
from threadsync.output.escape import terminal_text
from threadsync.project import EMULATOR_DIR, ApiSettings, Target, Where
from threadsync.runner import Run, combined_code

if TYPE_CHECKING:
    from threadsync.api import RetryEvent

R = TypeVar("R")
EMULATOR_TOKEN = "emulator-demo-token"  # noqa: S105 - a local demo's token, not a secret


def where_from(args: argparse.Namespace) -> Where:
    """Where the project is, from the options every content command has."""

    def path(name: str) -> Path | None:
        value = getattr(args, name, None)
        return Path(value) if value else None

    return Where(
        config=path("config"),
        content_dir=getattr(args, "content_dir", None) or None,
        state=path("state"),
        account=getattr(args, "account", None) or None,
        token_env=getattr(args, "token_env", None) or None,
        credentials=path("credentials"),
        emulator=bool(getattr(args, "emulator", False)),
    )


def api_from(args: argparse.Namespace) -> ApiSettings:
    """The API options, and where the run tells of a retry or a refreshed token: stderr."""
    return ApiSettings(
        url=getattr(args, "api_url", None) or None,
        user_id=getattr(args, "user_id", None) or None,
        on_retry=show_retry,
        on_notice=notice,
    )


def notice(line: str) -> None:
    """One line for the person at the terminal, beside the output (stderr).

    On a terminal it first clears the line apply's live progress is drawing.
    """
    clear = "\r\033[K" if sys.stderr.isatty() else ""
    print(f"{clear}{terminal_text(line)}", file=sys.stderr, flush=True)


def retry_line(event: RetryEvent) -> str:
    """``GET /v1.0/me: connection refused; retrying in 2 s (1/3)``."""
    seconds = f"{event.delay:.1f}".rstrip("0").rstrip(".")
    return (
        f"{event.method} {event.path}: {event.reason}; "
        f"retrying in {seconds} s ({event.retry}/{event.retries})"
    )


def show_retry(event: RetryEvent) -> None:
    notice(retry_line(event))


@contextlib.contextmanager
def reaching(where: Where, api: ApiSettings) -> Iterator[ApiSettings]:
    """The API to use: with ``--emulator``, a local emulator run for this command.

    Its data lives in .threadsync/emulator/ (as does the state it is published
    to), so a demo never mixes with the real account.  A symlink on the way
    there is refused, not followed.
    """
    if not where.emulator:
        yield api
        return
    from threadsync.emulator import Emulator
    from threadsync.project import load_settings
    from threadsync.safewrite import check_no_links, make_dirs

    root, _ = load_settings(where)
    directory = root / EMULATOR_DIR
    make_dirs(directory, root=root, what="emulator data")
    check_no_links(directory / "data.json", root=root, what="emulator data")
    with Emulator(
        token=EMULATOR_TOKEN,
        data=directory / "data.json",
        processing="image=1s,video=3s,carousel=1s",
    ) as emu:
        print(f"Using a local Threads emulator at {emu.url} (data in {directory})", file=sys.stderr)
        yield api.with_emulator(emu.url, emu.token, emu.user_id)


def output_format(args: argparse.Namespace) -> str:
    """``--json`` wins over ``--format``; the default is text."""
    if getattr(args, "json", False):
        return "json"
    return str(getattr(args, "format", None) or "text")


def render(
    run: Run[R],
    *,
    as_json: bool,
    show: Callable[[Target, R], None],
    code: Callable[[R], int] = lambda result: 0,
    document: Callable[[R], object] | None = None,
    failure: Callable[[R], str | None] = lambda result: None,
) -> int:
    """Show each account's outcome as it comes, and return the exit code of the whole run.

    ``show`` prints one result; ``code`` is its exit code.  One account is
    shown as it is, and its error goes up to the CLI's handler.  With several,
    text gets a ``== account NAME`` heading per account and an error line for
    one that failed, while the others go on; JSON is one document,
    ``{"accounts": {NAME: ...}}``, with ``document`` giving each result's part
    and ``failure`` the error of a result that failed without raising (an
    apply that stopped), kept next to what it did.
    """
    if len(run.targets) == 1:
        result = run.only()
        show(run.targets[0], result)
        stopped = failure(result)
        if stopped is not None:
            raise ThreadsyncError(stopped)
        return code(result)
    codes: list[int] = []
    documents: dict[str, object] = {}
    multi_json = as_json and document is not None
    before = None if as_json else _heading
    for outcome in run.outcomes(before):
        name = outcome.target.name
        if outcome.error is not None:
            message = _message(outcome.error, outcome.target)
            _error_line(name, message)
            codes.append(1)
            if multi_json:
                documents[name] = {"error": message, "output": None}
            continue
        result = outcome.unwrap()
        error = failure(result)
        if multi_json:
            assert document is not None
            data = document(result)
            documents[name] = data if error is None else {"error": error, "output": data}
        else:
            show(outcome.target, result)
            if error is not None:
                _error_line(name, error)
        codes.append(1 if error else code(result))
    if multi_json:
        print(json.dumps({"accounts": documents}, indent=2, ensure_ascii=False))
    return combined_code(codes)


def _error_line(account: str, message: str) -> None:
    shown = terminal_text(message, newlines=True)
    print(f"error: account {account}: {shown}", file=sys.stderr, flush=True)


def _heading(target: Target) -> None:
    print(f"== account {target.name}", flush=True)


def _message(error: Exception, target: Target) -> str:
    """One account's error line: the CLI's words for it, with every token it holds redacted."""
    from threadsync.cli import describe
    from threadsync.secrets import redact

    return redact(describe(error) or str(error), target.held_tokens)
