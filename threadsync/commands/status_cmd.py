"""``threadsync status``: what is published, due, scheduled, pending or failed; token and quota.

Works offline from the state file and the content.  With a token (or
``--emulator``) it also shows where the token came from, when it expires and
what is left of the 24 h publishing quota.  Broken content does not stop it: the state is still
shown, with a count of the content's errors.  With a token, an account that cannot be read is
an error (exit 1), after the rest is shown.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from typing import Any

from threadsync import runner
from threadsync.commands._common import api_from, reaching, render, where_from
from threadsync.commands._options import add_api_options, add_content_options

SHOWN = 10  # lines per group in the text output; --all shows every one


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "status",
        help="show what is published, scheduled, pending or failed; the token and the quota",
        description=(
            "Show where every post stands: published (newest first), due (the next apply "
            "publishes it), scheduled (with its time), pending (an apply stopped part-way), "
            "failed (with the error), removed from the content, and drafts. Reads the state "
            "file and the content, offline. With a token (THREADS_ACCESS_TOKEN, the credentials "
            "file of 'threadsync auth login', or --emulator) it also shows where the token came "
            "from, when it expires and what is left of the 24 h publishing quota. "
            "With several accounts in threadsync.yaml, each is shown in turn (or only "
            "--account NAME). Exits 1 when it has a token but cannot read the account "
            "(a revoked token, a wrong API URL), after showing the rest."
        ),
    )
    add_content_options(p, state=True)
    p.add_argument("--json", action="store_true", help="print the status as JSON")
    p.add_argument(
        "--all", action="store_true", help=f"list every post (default: {SHOWN} per group)"
    )
    add_api_options(p)


def request_from(args: argparse.Namespace) -> runner.StatusRequest:
    return runner.StatusRequest(where=where_from(args), api=api_from(args))


def view_from(args: argparse.Namespace) -> tuple[bool, int | None]:
    """JSON or not; how many lines of each group the text shows."""
    return bool(args.json), None if args.all else SHOWN


def run(args: argparse.Namespace) -> int:
    from threadsync.output.status_text import render_text

    request = request_from(args)
    as_json, limit = view_from(args)

    def show(target: Any, data: dict[str, Any]) -> None:
        if as_json:
            print(json.dumps(data, indent=2, ensure_ascii=False))
        else:
            sys.stdout.write(render_text(data, limit=limit))

    with reaching(request.where, request.api) as api:
        return render(
            runner.status(replace(request, api=api)),
            as_json=as_json,
            show=show,
            document=dict,
            failure=failure,
        )


def failure(data: dict[str, Any]) -> str | None:
    """Why status fails: it had a token for the account and could not read the account.

    What it shows of the state is still shown; the exit code says the account
    part is missing (a revoked token, a wrong --api-url), so CI does not pass.
    """
    facts = data.get("account")
    if not facts or "error" not in facts:
        return None
    source = f" with the token from {facts['token_source']}" if "token_source" in facts else ""
    return (
        f"could not read the Threads account{source}: {facts['error']}; check the token "
        "('threadsync auth status') and the API URL"
    )
