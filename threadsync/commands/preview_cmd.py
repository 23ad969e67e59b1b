"""``threadsync preview``: write the posts as a static HTML site, to see them before they ship.

Offline, like ``validate``: no token, no network.  Invalid content does not
stop it (a broken file gets a card showing its errors), but the exit code is
then 1, as ``validate``'s would be.  With several ``accounts:`` in
threadsync.yaml, each account gets its own site in a folder of its name.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from threadsync.commands._common import where_from
from threadsync.commands._options import add_account_option, add_content_options
from threadsync.project import Target, Where, targets, utcnow

DEFAULT_OUT = Path(".threadsync/preview")


def add_preview_options(p: argparse.ArgumentParser) -> None:
    """--config, --content-dir, --state and --account, as the other content commands have them."""
    add_content_options(p, state=True)
    add_account_option(p)
    p.add_argument(
        "--name",
        metavar="NAME",
        default=None,
        help="the account name shown on the cards (default: the account's name in "
        "threadsync.yaml, else the project folder's name)",
    )


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "preview",
        help="write an HTML preview of the posts",
        description=(
            "Render every post as it will look on Threads, into a static HTML site: one card "
            "per post with its text (links, mentions, topic and spoilers), media, poll, link "
            "and quote cards, thread replies, who can reply, its character count, its "
            "validation problems and what apply will do with it; an index by status and date, "
            "and a calendar of scheduled posts. Needs no token and no network. Files with "
            "errors get a card showing them; the exit code is then 1."
        ),
    )
    add_preview_options(p)
    p.add_argument(
        "--out",
        metavar="DIR",
        default=None,
        help=f"where to write the site (default: {DEFAULT_OUT.as_posix()}/ in the project; "
        "with several accounts, one folder per account inside it)",
    )
    p.add_argument(
        "--open", action="store_true", help="open the index in a web browser when written"
    )


@dataclass(frozen=True)
class PreviewRequest:
    where: Where
    out: Path | None
    name: str | None
    open: bool


def request_from(args: argparse.Namespace) -> PreviewRequest:
    return PreviewRequest(
        where_from(args), Path(args.out) if args.out else None, args.name, args.open
    )


def display_name(name: str | None, target: Target) -> str:
    return str(name or target.account or target.root.resolve().name or "account")


def open_in_browser(target: str) -> None:
    import webbrowser

    if not webbrowser.open(target):
        print(f"Could not start a web browser; open {target} yourself.", file=sys.stderr)


def build_one(request: PreviewRequest, target: Target, out: Path) -> tuple[Path, int]:
    """Write one account's site; returns its index and the number of errors."""
    from threadsync.preview import Site, take_snapshot
    from threadsync.preview.terminal import problem_lines, verdict

    snap = take_snapshot(
        target.root, target.config, target.state_path, utcnow(), held_tokens=target.held_tokens
    )
    site = Site(out, account=display_name(request.name, target))
    site.build(snap)
    for line in problem_lines(snap):
        print(line, file=sys.stderr)
    print(verdict(snap), file=sys.stderr)
    index = (out / "index.html").resolve()
    print(f"Wrote the preview ({len(site.cards)} cards) to {index}")
    return index, snap.errors


def run(args: argparse.Namespace) -> int:
    request = request_from(args)
    found = targets(request.where)
    base = request.out or found[0].root / DEFAULT_OUT
    errors = 0
    indexes = []
    for target in found:
        out = base / target.account if len(found) > 1 and target.account else base
        index, n = build_one(request, target, out)
        indexes.append(index)
        errors += n
    if request.open:
        open_in_browser(indexes[0].as_uri())
    return 1 if errors else 0
