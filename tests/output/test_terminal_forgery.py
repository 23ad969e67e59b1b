"""Terminal output: a hostile value stays on its own line and can't drive the terminal.

Ids from an old state file, reasons, warnings, permalinks and error messages
reach the terminal (and CI logs, where a line starting ``::`` is a workflow
command).  Each renderer must show control and bidi characters as escapes and
never let a value start a line of its own.
"""

from __future__ import annotations

import datetime as dt
import io

from threadsync.apply import ApplyReport, PostResult
from threadsync.output.apply_report import render_report_text
from threadsync.output.plan_text import render_plan_text
from threadsync.output.progress import PlainProgress
from threadsync.output.status_text import render_text as render_status
from threadsync.plan import Action
from threadsync.stats.formats import render_text as render_stats
from threadsync.stats.report import PostRow, Report

from .test_escape import HOSTILE, UNSAFE_CHARS
from .test_markdown_forgery import hostile_plan


def _assert_clean(text: str) -> None:
    assert not any(c in text for c in (*UNSAFE_CHARS, "\r"))
    for line in text.splitlines():
        assert not line.startswith(("**Plan", "## ", "::")), line


def test_plan_text_has_one_line_per_fact() -> None:
    plan = hostile_plan()
    text = render_plan_text(plan, color=False)
    _assert_clean(text)
    lines = text.splitlines()
    summary = f"Plan: {len(HOSTILE)} to publish, {len(HOSTILE)} scheduled, 0 to delete."
    assert [ln for ln in lines if ln.startswith("Plan:")] == [summary]
    per_change = {
        Action.CREATE: 3,
        Action.MOVE: 2,
        Action.WAIT: 3,
    }  # head, first line of text, reason
    expected = 2 + sum(per_change[c.action] for c in plan.changes)
    expected += 2  # a blank line and the legend of symbols
    expected += 2 + len(plan.notices) + 1 + 2  # warnings; the summary and State: lines
    assert len(lines) == expected


def test_apply_report_text_has_one_line_per_post() -> None:
    results = [
        PostResult(v or "x", Action.CREATE, "failed", permalinks=[v], detail=v) for v in HOSTILE
    ]
    text = render_report_text(ApplyReport(results, aborted=HOSTILE[10]), color=False)
    _assert_clean(text)
    assert len(text.splitlines()) == len(results) + 3  # a blank, the summary, Stopped:


def test_progress_lines_are_one_per_step() -> None:
    stream = io.StringIO()
    progress = PlainProgress(stream)
    for value in HOSTILE:
        progress(value, f"failed: {value}")
    _assert_clean(stream.getvalue())
    assert len(stream.getvalue().splitlines()) == len(HOSTILE)


def test_status_text_has_one_line_per_post() -> None:
    items = [
        {"id": v, "text": v, "detail": v, "permalink": v, "when": "2026-05-01T09:00:00+00:00"}
        for v in HOSTILE
    ]
    data = {
        "state": {"path": HOSTILE[10], "serial": 3, "user_id": HOSTILE[12]},
        "content_errors": 0,
        "published": items,
        "due": [],
        "failed": items,
        "summary": {"drafts": 0},
        "account": {"username": HOSTILE[13], "token_error": HOSTILE[10], "quota_error": "x"},
    }
    for key in ("scheduled", "pending", "removed"):
        data[key] = []
    text = render_status(data, limit=None)
    _assert_clean(text)
    # State; Published, Due and Failed; a line per item; Drafts, Account, Token, Quota
    assert len(text.splitlines()) == 1 + 3 + 2 * len(HOSTILE) + 4
    data["account"] = {"error": HOSTILE[10]}
    _assert_clean(render_status(data, limit=None))


def test_stats_text_has_one_line_per_post() -> None:
    now = dt.datetime(2026, 5, 1, tzinfo=dt.timezone.utc)
    rows = [PostRow(v or "x", "text", "1", now, v, v, {"views": 1}, now, error=v) for v in HOSTILE]
    text = render_stats(Report(now, None, 6, rows, None, 1, 0, warnings=list(HOSTILE)))
    _assert_clean(text)
    warnings = [ln for ln in text.splitlines() if ln.startswith("warning: ")]
    assert len(warnings) == 2 * len(HOSTILE) - 1  # the empty error is no warning
