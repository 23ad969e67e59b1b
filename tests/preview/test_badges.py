"""Plan actions in words: the less common cases of a card's badge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from threadsync.config import load_config
from threadsync.preview import take_snapshot
from threadsync.preview.badges import statuses
from threadsync.state import PostState

from .support import hashes, published_entry, write_state

Project = Callable[..., Path]
NOW = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)


def words(root: Path) -> dict[str, tuple[str, str, str | None]]:
    config = load_config(None, root)
    snap = take_snapshot(root, config, root / config.state, NOW)
    return {
        k: (s.kind, s.label, s.detail)
        for k, s in statuses(snap.posts, snap.plan, snap.state, dt.timezone.utc).items()
    }


def test_resumed_retried_waiting_and_unpublished_drafts(project: Project) -> None:
    root = project(
        {
            "content/pending.yaml": "text: half-way\n",
            "content/failed.yaml": "text: failed, then edited\n",
            "content/stuck.yaml": "text: failed, not edited\n",
            "content/quoting.yaml": "text: quotes the stuck one\nquote: stuck\n",
            "content/drafted.yaml": "text: published, then made a draft\ndraft: true\n",
        }
    )
    h = hashes(root)
    write_state(
        root,
        {
            "pending": PostState(status="pending", content_hash=h["pending"]),
            "failed": PostState(status="failed", content_hash="old", error="media <timeout>"),
            "stuck": PostState(status="failed", content_hash=h["stuck"], error="boom"),
            "drafted": published_entry(h["drafted"], "1901", "https://www.threads.net/@a/post/X"),
        },
    )
    got = words(root)
    assert got["pending"][:2] == ("publish", "Will resume at the next apply")
    assert got["failed"][:2] == ("publish", "Will retry at the next apply")
    assert "Failed before: media <timeout>." in (got["failed"][2] or "")
    assert got["stuck"] == ("failed", "Failed", "boom")
    assert got["quoting"][:2] == ("blocked", "Waiting")
    assert "waits for stuck" in (got["quoting"][2] or "")
    assert got["drafted"][:2] == ("published", "Published")
    assert "draft: true does not unpublish it" in (got["drafted"][2] or "")
