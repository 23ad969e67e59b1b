"""``threadsync github-accounts``: the accounts a workflow runs for, as its matrix.

The workflows run one job per account of threadsync.yaml.  This prints them as
JSON (and sets the step output ``matrix``), or one field of one account:
its content dir, state file, or the variable (and secret) of its token.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from threadsync.errors import ThreadsyncError

FIELDS = ("name", "token_env", "secret", "content", "state")


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "github-accounts",
        help="print the accounts a workflow runs for (used by the workflows)",
        description=(
            "Print threadsync.yaml's accounts as the JSON matrix of the GitHub workflows (and "
            "set the step output 'matrix'), or with --field one field of one account: its "
            "name, token_env, secret, content dir or state file. Without accounts: there is "
            "one, named ''."
        ),
    )
    p.add_argument("--config", metavar="FILE", help="threadsync.yaml (default ./)")
    p.add_argument("--field", choices=FIELDS, help="print only this field of --account")
    p.add_argument("--account", default="", help="the account of --field (empty: the only one)")


@dataclass(frozen=True)
class AccountsRequest:
    config: Path | None
    field: str | None
    account: str


def request_from(args: argparse.Namespace) -> AccountsRequest:
    return AccountsRequest(Path(args.config) if args.config else None, args.field, args.account)


def run(args: argparse.Namespace) -> int:
    from threadsync.github import accounts, write_output

    request = request_from(args)
    found = accounts(request.config)
    if request.field is None:
        text = json.dumps(found)
        print(text)
        write_output("matrix", text)
        return 0
    match = [a for a in found if a["name"] == request.account]
    if not match:
        known = ", ".join(a["name"] or "(default)" for a in found)
        raise ThreadsyncError(f"no account {request.account!r} (known: {known})")
    print(match[0][request.field])
    return 0
