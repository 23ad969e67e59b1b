"""summarize: every post of the content and the state in the group a person asks about."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from threadsync.config import load_config
from threadsync.content import load_project
from threadsync.content.models import Post
from threadsync.state import Attempt, PartState, PostState, State
from threadsync.status import first_line, summarize

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.timezone.utc)


def _project(root: Path, files: dict[str, str]) -> list[Post]:
    for rel, text in files.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    project = load_project(root, load_config(None, root), now=NOW)
    assert project.errors == []
    return project.posts


def _published(content_hash: str, when: dt.datetime, media_id: str) -> PostState:
    return PostState(
        status="published",
        content_hash=content_hash,
        parts=[
            PartState(
                media_id=media_id,
                permalink=f"https://www.threads.net/@u/post/{media_id}",
                published_at=when,
            )
        ],
    )


def test_every_post_lands_in_one_group(tmp_path: Path) -> None:
    posts = _project(
        tmp_path,
        {
            "old.yaml": "text: The first post\n",
            "new.yaml": "text: A later post\n",
            "edited.yaml": "text: Changed since\n",
            "due.yaml": "text: |\n  Ready now\n  second line\n",
            "later.yaml": "text: Next year\npublish_at: 2027-01-01T09:00:00+01:00\n",
            "soon.yaml": "text: Next week\npublish_at: 2026-12-01T09:00:00Z\n",
            "draft.yaml": "text: Not yet\ndraft: true\n",
            "broken.yaml": "text: Failed once\n",
            "half.yaml": "text: Root\nthread:\n  - text: Reply\n",
        },
    )
    by_id = {p.id: p for p in posts}
    state = State(serial=7, lineage="L", user_id="42")
    state.posts["old"] = _published(by_id["old"].content_hash, NOW - dt.timedelta(days=2), "1")
    state.posts["new"] = _published(by_id["new"].content_hash, NOW - dt.timedelta(days=1), "2")
    state.posts["edited"] = _published("0" * 64, NOW - dt.timedelta(days=3), "3")
    state.posts["gone"] = _published("f" * 64, NOW - dt.timedelta(days=4), "4")
    state.posts["broken"] = PostState(
        status="failed", content_hash="h", error="Threads could not process the media: ERROR"
    )
    state.posts["half"] = PostState(
        status="pending",
        content_hash=by_id["half"].content_hash,
        parts=[
            PartState(media_id="5"),
            PartState(attempts=[Attempt(container_id="c9", created_at=NOW)]),
        ],
    )

    status = summarize(posts, state, NOW)

    assert [line.id for line in status.published] == ["new", "old", "edited"]
    assert [line.detail for line in status.published] == ["", "", "edited since it was published"]
    assert status.published[0].permalink == "https://www.threads.net/@u/post/2"
    assert [(line.id, line.text) for line in status.due] == [("due", "Ready now")]
    assert [line.id for line in status.scheduled] == ["soon", "later"]
    assert [(line.id, line.detail) for line in status.failed] == [
        ("broken", "Threads could not process the media: ERROR")
    ]
    assert [(line.id, line.detail) for line in status.pending] == [
        ("half", "1 of 2 part(s) published, 1 open container(s)")
    ]
    assert [line.id for line in status.removed] == ["gone"]
    assert status.drafts == 1
    data = status.data()
    assert data["summary"] == {
        "published": 3,
        "due": 1,
        "scheduled": 2,
        "pending": 1,
        "failed": 1,
        "removed": 1,
        "drafts": 1,
    }
    assert data["state"] == {"lineage": "L", "serial": 7, "user_id": "42"}
    assert data["scheduled"][1] == {
        "id": "later",
        "when": "2027-01-01T09:00:00+01:00",
        "text": "Next year",
    }


def test_an_empty_project_and_state() -> None:
    status = summarize([], State(), NOW)
    assert status.data()["summary"] == dict.fromkeys(
        ("published", "due", "scheduled", "pending", "failed", "removed", "drafts"), 0
    )


def test_first_line_is_trimmed_to_a_width() -> None:
    assert first_line("  Hello\nworld") == "Hello"
    assert first_line("x" * 70, width=10) == "xxxxxxxxx…"
