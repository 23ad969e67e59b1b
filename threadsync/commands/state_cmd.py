"""``threadsync state compact``: fold the log of a stopped apply into the state file.

Apply journals each step to ``state.json.log`` and folds it into
``state.json`` when it ends.  A run that was killed or timed out leaves the
log behind; the next command that writes the state folds it in, but a
workflow must commit a whole state file now, even after a failed apply.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from threadsync import runner
from threadsync.commands._common import render, where_from
from threadsync.commands._options import add_account_option, add_content_options
from threadsync.project import Where


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "state",
        help="work with the state file (compact: fold a stopped apply's log into it)",
        description=(
            "Work with the state file. 'compact' folds the log an apply that was stopped "
            "(killed, timed out, out of disk) left beside the state file into it, so that the "
            "state file alone records everything; the workflows run it before they commit the "
            "state. Every other command reads the log too, so this is only needed before a "
            "commit."
        ),
    )
    actions = p.add_subparsers(dest="state_command", metavar="ACTION", required=True)
    compact = actions.add_parser(
        "compact",
        help="fold the log of a stopped apply into the state file",
        description="Fold state.json.log into state.json (under the state lock); "
        "nothing to do when there is no log.",
    )
    add_content_options(compact, state=True)
    add_account_option(compact)


@dataclass(frozen=True)
class StateRequest:
    action: str
    where: Where


def request_from(args: argparse.Namespace) -> StateRequest:
    return StateRequest(args.state_command, where_from(args))


def run(args: argparse.Namespace) -> int:
    request = request_from(args)
    compacted = runner.compact(runner.CompactRequest(request.where))
    return render(compacted, as_json=False, show=show)


def show(target: Any, result: runner.CompactResult) -> None:
    where = target.shown_state()
    if result.lines is None:
        print(f"{where}: no log to fold in.")
    else:
        print(f"{where}: folded {result.lines} change(s) of a stopped apply into it.")
