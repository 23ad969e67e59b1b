"""An id the API answers with is checked before it is journalled: end to end, with the emulator.

The emulator's fault plan answers 200 with a made-up body after doing the
work (``phase="after"``), as a broken or hostile server would.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from threadsync.emulator import Emulator

from .support import Project, Run, live_texts

GARBAGE = ["../../x", "12\n34", "1" * 33]


def _answer(emu: Emulator, method: str, path: str, body: object) -> None:
    emu.add_fault(
        action="http_error", method=method, path=path, status=200, body=body, phase="after"
    )


def _no_garbage(project: Project) -> None:
    raw = project.state_path.read_text(encoding="utf-8")
    for bad in (*GARBAGE, "12\\n34"):
        assert bad not in raw
    ids = re.findall(r'"(?:container_id|media_id)": "([^"]*)"', raw)
    assert ids and all(i.isascii() and i.isdigit() for i in ids)


@pytest.mark.parametrize("bad", GARBAGE, ids=repr)
def test_a_container_id_that_is_not_digits_stops_apply_and_is_never_journalled(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, bad: str
) -> None:
    project = make_project({"content/a.yaml": "text: A\n"})
    _answer(emu, "POST", r"/threads$", {"id": bad})

    result = cli("apply", "--yes")
    assert result.rc == 1
    assert len(result.error_lines) == 1
    assert "create_container: id: " in result.error_lines[0]
    assert "is not a Threads id (a string of 1 to 32 digits)" in result.error_lines[0]
    assert result.error_lines[0].endswith("the next apply resumes from there")
    assert bad not in project.state_path.read_text(encoding="utf-8")
    assert emu.posts() == []

    emu.clear_faults()
    assert cli("apply", "--yes").rc == 0
    assert live_texts(emu) == ["A"]
    _no_garbage(project)


@pytest.mark.parametrize("bad", GARBAGE, ids=repr)
def test_a_publish_answered_with_a_bad_id_is_found_on_the_account_not_recorded(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, bad: str
) -> None:
    """The post went out: apply reads the container, finds the post, records its real id."""
    project = make_project({"content/a.yaml": "text: A\n"})
    _answer(emu, "POST", r"/threads_publish$", {"id": bad})

    result = cli("apply", "--yes")
    assert result.rc == 0, result.err
    assert live_texts(emu) == ["A"]
    (post,) = emu.posts()
    assert project.state()["posts"]["a"]["parts"][0]["media_id"] == post["id"]
    _no_garbage(project)


def test_a_listing_with_bad_ids_stops_apply_and_the_rerun_posts_once(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project({"content/a.yaml": "text: A\n"})
    _answer(emu, "POST", r"/threads_publish$", {"id": "../../x"})
    listing = {"data": [{"id": "../../x", "text": "A", "timestamp": "2030-01-01T00:00:00+0000"}]}
    emu.add_fault(
        action="http_error", method="GET", path=r"/threads$", status=200, body=listing, every=True
    )

    result = cli("apply", "--yes")
    assert result.rc == 1
    assert len(result.error_lines) == 1
    assert "unexpected ThreadsMedia response: id: '../../x' is not a Threads id" in result.err
    assert "../../x" not in project.state_path.read_text(encoding="utf-8")

    emu.clear_faults()
    assert cli("apply", "--yes").rc == 0
    assert live_texts(emu) == ["A"]
    _no_garbage(project)
