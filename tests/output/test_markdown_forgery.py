"""A hostile value anywhere in a plan or a report can't change the Markdown's structure.

The PR comment and the job summary show values a stranger chose: post text,
ids, paths, alt text, poll options, reasons, warnings, permalinks, error
messages.  Each test renders them all and checks what the Markdown means: one
summary line (the real one), the same headings, table rows and cells, every
value inside its own code span or as plain text, no HTML, no mention.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from threadsync.apply import ApplyReport, PostResult
from threadsync.commands import github_comment_cmd as comment
from threadsync.output.apply_report import render_report_markdown
from threadsync.output.escape import terminal_text
from threadsync.output.plan_markdown import MARKER, render_plan_markdown
from threadsync.plan import Action, Change, Notice, Plan

from .markdown import cells, code_spans, prose, raw_html, split_fences
from .test_escape import HOSTILE, UNSAFE_CHARS

FAKE_SUMMARY = "**Plan: 0 to publish, 0 scheduled, 0 to delete.**"
OURS = {MARKER, "<sub>", "</sub>"}


def _part(value: str) -> SimpleNamespace:
    return SimpleNamespace(
        text=f"{value}\n```\n{FAKE_SUMMARY}\n<!--",
        media=[SimpleNamespace(kind="image", url=f"https://x.example/{value}", alt=value)],
        poll=[value, f"no {value}"],
        link=value,
        gif=None,
        topic=value,
        reply_control=None,
        location=value,
        attachment=None,
    )


def _post(value: str) -> SimpleNamespace:
    parts = [_part(value), _part(value)]
    return SimpleNamespace(parts=parts, path=value, quote=value, reply_to=None)


def hostile_plan() -> Plan:
    at = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.timezone.utc)
    changes = []
    for value in HOSTILE:
        post = _post(value)
        changes.append(Change(value or "x", Action.CREATE, value, post=post))  # type: ignore[arg-type]
        changes.append(Change(value or "y", Action.MOVE, value, previous_id=value or "z"))
        changes.append(Change(value or "w", Action.WAIT, value, publish_at=at, post=post))  # type: ignore[arg-type]
    notices = tuple(Notice(value or None, value) for value in HOSTILE)
    return Plan(tuple(changes), notices)


def _assert_no_markup_leaks(markdown: str, lines: list[str]) -> None:
    assert not any(c in markdown for c in UNSAFE_CHARS)
    for line in lines:
        outside = prose(line)
        assert set(raw_html(outside)) <= OURS, line
        text = re.sub(r"\]\([^)]*\)", "]", outside)  # an address in a link is no mention
        assert not re.search("@(?!\u200b)", text), line  # no mention outside code


def test_a_hostile_plan_keeps_the_structure_of_the_comment() -> None:
    plan = hostile_plan()
    markdown = render_plan_markdown(plan)
    doc = split_fences(markdown)
    lines = doc.lines

    # The post text shows in full, each part in its own block, escapes visible.
    texts = [
        terminal_text(part.text, newlines=True)
        for change in plan.changes
        if change.action is Action.CREATE
        for part in change.post.parts  # type: ignore[union-attr]
    ]
    assert doc.blocks == texts

    # One summary line, the real one; the marker first.
    assert [ln for ln in lines if ln.startswith("**Plan")] == [
        f"**Plan: {len(HOSTILE)} to publish, {len(HOSTILE)} scheduled, 0 to delete.**"
    ]
    bold = [ln for ln in lines if ln.startswith("**") and not ln.startswith("**Plan")]
    assert bold == ["**Part 1 of 2**", "**Part 2 of 2** (reply to the part above)"] * len(HOSTILE)
    assert lines[0] == MARKER  # elsewhere only inside code, checked below

    # The headings are ours: one per change, holding its symbol and its id as code.
    headings = [ln for ln in lines if ln.startswith("#")]
    assert headings[:2] == ["## threadsync plan", "#### Warnings"]
    assert len(headings) == 2 + len(plan.changes)
    for heading, change in zip(headings[2:], plan.changes, strict=True):
        assert code_spans(heading)[0][1] == terminal_text(change.id)

    # One table row per change, four cells each, the id in the second.
    rows = [ln for ln in lines if ln.startswith("|")]
    assert len(rows) == 2 + len(plan.changes)
    for row, change in zip(rows[2:], plan.changes, strict=True):
        row_cells = cells(row)
        assert len(row_cells) == 4
        assert code_spans(row_cells[1])[0] == [terminal_text(change.id) or " "]

    # Every list item is ours: the warnings, then each part's media, poll, link, topic, place.
    items = [ln for ln in lines if ln.startswith("- ")]
    extras = sum(2 + 3 * bool(value) for value in HOSTILE) * 2  # link, topic, place when set
    assert len(items) == len(plan.notices) + extras
    _assert_no_markup_leaks(markdown, lines)


def test_a_hostile_apply_report_keeps_the_structure_of_the_job_summary() -> None:
    results = [
        PostResult(
            value or "x",
            Action.CREATE,
            status,
            permalinks=[f"https://www.threads.net/@you/post/{value}", value],
            detail=value,
        )
        for value in HOSTILE
        for status in ("published", "failed")
    ]
    report = ApplyReport(results, aborted=HOSTILE[10])
    markdown = render_report_markdown(report)
    lines = split_fences(markdown).lines
    assert [ln for ln in lines if ln.startswith("**")] == [
        f"**Apply: {len(HOSTILE)} published, {len(HOSTILE)} failed.**"
    ]
    assert [ln for ln in lines if ln.startswith("#")] == ["## threadsync apply"]
    assert len([ln for ln in lines if ln.startswith(">")]) == 1
    rows = [ln for ln in lines if ln.startswith("|")]
    assert len(rows) == 2 + len(results)
    for row, result in zip(rows[2:], results, strict=True):
        row_cells = cells(row)
        assert len(row_cells) == 4
        assert code_spans(row_cells[0])[0] == [terminal_text(result.id) or " "]
        assert row_cells[1] == result.status
    _assert_no_markup_leaks(markdown, lines)


@pytest.mark.parametrize("value", HOSTILE[:12])
def test_the_saved_plan_and_its_summary_keep_their_structure(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``github-comment save`` of a failed plan: the logs and the account are a stranger's."""
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.delenv("GITHUB_EVENT_PATH", raising=False)
    log = tmp_path / "validate.log"
    log.write_text(f"content/a.yaml:1:1: {value}\n```\n{FAKE_SUMMARY}\n", encoding="utf-8")
    request = comment.SaveRequest(
        tmp_path / "out", plan=None, logs=(log,), failed=True, account=value, pr=1
    )
    assert comment.save(request) == 0
    doc = split_fences(summary.read_text(encoding="utf-8"))
    headings = [ln for ln in doc.lines if ln.startswith("#")]
    assert len(headings) == 2 and headings[1].startswith("### ❌")
    assert code_spans(headings[0])[0] == [terminal_text(value) or " "]
    assert doc.blocks == [terminal_text(log.read_text(encoding="utf-8").rstrip(), newlines=True)]
    assert not any(ln.startswith("**") for ln in doc.lines)
    _assert_no_markup_leaks(summary.read_text(encoding="utf-8"), doc.lines)
