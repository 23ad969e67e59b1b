"""What ``threadsync state`` prints: the list of entries, one entry, what rm or mv did.

The state file is committed, so it can come from a pull request: every value
from it goes through ``terminal_text``.  JSON is printed with every
non-ASCII character escaped, so an id or a permalink can't carry a control
or bidi character to the terminal.
"""

from __future__ import annotations

import json
from typing import Any

from threadsync.output.escape import terminal_text
from threadsync.output.verdict import plural
from threadsync.state import PostState, State
from threadsync.state_edit import rows

_COLUMNS = ("id", "status", "media_id", "permalink")
_HEADINGS = {"id": "ID", "status": "STATUS", "media_id": "MEDIA ID", "permalink": "PERMALINK"}


def as_json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=True) + "\n"


def listing_data(shown: str, state: State) -> dict[str, Any]:
    """``state list --json``: the state file's identity, then one row per post."""
    return {
        "state": {
            "path": shown,
            "lineage": state.lineage,
            "serial": state.serial,
            "user_id": state.user_id,
        },
        "posts": rows(state),
    }


def render_listing(shown: str, state: State) -> str:
    table = [
        {c: terminal_text(row[c]) if row[c] is not None else "-" for c in _COLUMNS}
        for row in rows(state)
    ]
    lines = []
    if table:
        widths = {c: max(len(_HEADINGS[c]), *(len(r[c]) for r in table)) for c in _COLUMNS}
        lines.append(_row(_HEADINGS, widths))
        lines += [_row(r, widths) for r in table]
    lines.append(f"{plural(len(table), 'post')} in {terminal_text(shown)} (serial {state.serial})")
    return "\n".join(lines) + "\n"


def _row(cells: dict[str, str], widths: dict[str, int]) -> str:
    return "  ".join(cells[c].ljust(widths[c]) for c in _COLUMNS).rstrip()


def render_removed(shown: str, post_id: str, entry: PostState, serial: int) -> str:
    post = terminal_text(post_id)
    what = f"It was {entry.status}"
    if entry.media_ids:
        what += f" (media id {terminal_text(', '.join(entry.media_ids))})"
    return (
        f"Removed {post} from {terminal_text(shown)} (serial {serial}).\n"
        f"{what}; whatever is on Threads stays there, and threadsync no longer knows it.\n"
        f"While a content file has the id {post}, the next plan shows it as a post to "
        "create.\n"
    )


def render_moved(shown: str, old_id: str, new_id: str, serial: int) -> str:
    return (
        f"Moved {terminal_text(old_id)} to {terminal_text(new_id)} in {terminal_text(shown)} "
        f"(serial {serial}).\n"
        f"Nothing changes on Threads; the next plan compares the content of "
        f"{terminal_text(new_id)} with what it records.\n"
    )


def folded_line(lines: int | None) -> str:
    """Said after a change that also folded in the log a stopped apply left."""
    if lines is None:
        return ""
    return f"(It also folded in the {plural(lines, 'change')} a stopped apply had logged.)\n"
