"""``apply --json``: one report shape, whether the run did something or nothing."""

from __future__ import annotations

from collections.abc import Callable

from threadsync.emulator import Emulator

from .support import Project, Run

STATUSES = {
    "published",
    "adopted",
    "moved",
    "forgotten",
    "deleted",
    "failed",
    "interrupted",
    "skipped",
    "deferred",
}


def test_the_summary_counts_every_status_even_with_nothing_to_do(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    make_project({"content/a.yaml": "text: A\n"})
    first = cli("apply", "--yes", "--json")
    assert first.rc == 0, first.err
    report = first.json()
    assert report["summary"] == {s: int(s == "published") for s in STATUSES}

    again = cli("apply", "--yes", "--json")
    assert again.rc == 0, again.err
    assert again.json() == {
        "format_version": 1,
        "ok": True,
        "aborted": None,
        "interrupted": False,
        "summary": dict.fromkeys(STATUSES, 0),
        "posts": [],
    }
    assert list(again.json()["summary"]) == list(report["summary"])  # same keys, same order
