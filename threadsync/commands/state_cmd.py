"""``threadsync state list|show|rm|mv|compact``: read and fix the state without editing it.

After Terraform's ``state`` commands.  ``rm`` forgets a post (it stays on
Threads), ``mv`` renames an entry; both are checked, locked and saved
atomically, so nobody has to hand-edit ``state.json``.  ``compact`` folds the
log an apply that was stopped left beside the state file into it; the
workflows run it before they commit the state.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from threadsync.commands._common import render, where_from
from threadsync.commands._options import add_account_option, add_content_options, add_lock_option
from threadsync.project import Target
from threadsync.state_flows import StateRequest

if TYPE_CHECKING:
    from threadsync.state_flows import CompactResult, Edited, Listing

ACTIONS = {
    "list": "list the posts the state records: id, status, media id, permalink",
    "show": "print one post's entry as JSON",
    "rm": "forget a post: its entry goes, the post stays on Threads",
    "mv": "rename a post's entry to another id",
    "compact": "fold the log of a stopped apply into the state file",
}


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "state",
        help="inspect and fix the state file: list, show, rm, mv, compact",
        description=(
            "Read and change the state file without editing it by hand. Every action holds "
            "the state lock; rm and mv check what they are given, save the state atomically "
            "(the previous version kept as state.json.bak) and say what they did and the new "
            "serial. 'compact' folds the log an apply that was stopped (killed, timed out, out "
            "of disk) left beside the state file into it; the workflows run it before they "
            "commit the state."
        ),
    )
    actions = p.add_subparsers(dest="state_command", metavar="ACTION", required=True)
    parsers = {}
    for name, summary in ACTIONS.items():
        parsers[name] = actions.add_parser(name, help=summary, description=_description(name))
    parsers["list"].add_argument("--json", action="store_true", help="print the list as JSON")
    parsers["show"].add_argument("post_id", metavar="ID", help="the post's id")
    parsers["rm"].add_argument("post_id", metavar="ID", help="the post to forget")
    parsers["mv"].add_argument("post_id", metavar="OLD", help="the entry's id now")
    parsers["mv"].add_argument(
        "new_id", metavar="NEW", help="its new id: a valid post id that the state does not hold"
    )
    for action in parsers.values():
        add_content_options(action, state=True)
        add_account_option(action)
        add_lock_option(action)


def _description(action: str) -> str:
    return {
        "list": "List every post the state file records, with its status, media id and "
        "permalink (--json: the same as JSON).",
        "show": "Print the state file's entry of post ID as JSON: its status, content hash, "
        "and each part's containers, media id and permalink.",
        "rm": "Forget post ID: its entry leaves the state file, and nothing is deleted on "
        "Threads. While a content file has that id, the next plan shows it as a post to "
        "create: use it to publish a post again that was deleted on Threads. An unknown id "
        "is refused, with the ids it may have meant.",
        "mv": "Rename the entry of post OLD to NEW, when its file was renamed and edited "
        "(so plan can't see the move). Refused if OLD is not in the state, NEW is, or NEW is "
        "not a valid post id.",
        "compact": "Fold state.json.log into state.json; nothing to do when there is no log.",
    }[action]


@dataclass(frozen=True)
class Request:
    what: str  # list, show, rm, mv or compact
    state: StateRequest
    post_id: str | None = None
    new_id: str | None = None


def request_from(args: argparse.Namespace) -> Request:
    return Request(
        args.state_command,
        StateRequest(where_from(args), float(args.lock_timeout or 0)),
        getattr(args, "post_id", None),
        getattr(args, "new_id", None),
    )


def view_from(args: argparse.Namespace) -> bool:
    """Whether ``list`` prints JSON."""
    return bool(getattr(args, "json", False))


def run(args: argparse.Namespace) -> int:
    from threadsync import state_flows as flows
    from threadsync.output import state_text as out

    request = request_from(args)
    json_out = view_from(args)
    if request.what == "list":
        return render(
            flows.listing(request.state),
            as_json=json_out,
            show=lambda target, r: _list(r, json_out),
            document=lambda r: out.listing_data(r.shown, r.state),
        )
    if request.what == "show":
        assert request.post_id is not None
        return render(
            flows.show(request.state, request.post_id),
            as_json=True,
            show=lambda target, r: print(out.as_json(r.data), end=""),
        )
    if request.what == "rm":
        assert request.post_id is not None
        return render(flows.remove(request.state, request.post_id), as_json=False, show=_edited)
    if request.what == "mv":
        assert request.post_id is not None and request.new_id is not None
        return render(
            flows.move(request.state, request.post_id, request.new_id),
            as_json=False,
            show=_edited,
        )
    return render(flows.compact(request.state), as_json=False, show=_compacted)


def _list(result: Listing, json_out: bool) -> None:
    from threadsync.output import state_text as out

    if json_out:
        sys.stdout.write(out.as_json(out.listing_data(result.shown, result.state)))
    else:
        sys.stdout.write(out.render_listing(result.shown, result.state))


def _edited(target: Target, result: Edited) -> None:
    from threadsync.output import state_text as out

    if result.new_id is None:
        text = out.render_removed(result.shown, result.post_id, result.entry, result.serial)
    else:
        text = out.render_moved(result.shown, result.post_id, result.new_id, result.serial)
    sys.stdout.write(text + out.folded_line(result.folded))


def _compacted(target: Target, result: CompactResult) -> None:
    where = target.shown_state()
    if result.lines is None:
        print(f"{where}: no log to fold in.")
    else:
        print(f"{where}: folded {result.lines} change(s) of a stopped apply into it.")
