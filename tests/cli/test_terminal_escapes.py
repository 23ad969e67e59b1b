"""End to end: a content file named to drive the terminal shows as escapes in every command.

File names are a stranger's choice in a pull request, and they reach the
terminal as paths (in problems) and as post ids (in plans, status, import).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from threadsync.emulator import Emulator

from .support import Project, Run

NAME = "x\x1b[2J\u202ey"
SHOWN = "x\\x1b[2J\\u202ey"  # an id from an old state file, as the renderers show it
SHOWN_PATH = "x\\x1b\\x5b2J\\u202ey"  # a file name, as content problems show it


def _clean(text: str) -> bool:
    return "\x1b" not in text and "\u202e" not in text


@pytest.mark.parametrize("command", [("validate",), ("plan",), ("preview", "--out", "site")])
def test_a_problem_in_a_hostile_file_name_is_shown_escaped(
    make_project: Callable[..., Project], cli: Run, command: tuple[str, ...]
) -> None:
    make_project({f"content/{NAME}.yaml": "text: 1: 2\n"})
    result = cli(*command)
    assert result.rc == 1
    assert _clean(result.out + result.err)
    assert f"content/{SHOWN_PATH}.yaml:1:" in result.out + result.err


def test_a_hostile_post_id_is_shown_escaped_by_plan_and_status(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    """Content can't name a post like this any more, but a state file from before can."""
    state = {
        "version": 1,
        "lineage": "l",
        "serial": 1,
        "posts": {
            NAME: {
                "status": "published",
                "content_hash": "h",
                "parts": [{"media_id": "123"}],
            }
        },
    }
    make_project({"content/ok.yaml": "text: hello\n", ".threadsync/state.json": json.dumps(state)})
    for command in (("plan",), ("status",)):
        result = cli(*command)
        assert result.rc == 0, result.err
        assert _clean(result.out + result.err), command
        assert SHOWN in result.out, command
