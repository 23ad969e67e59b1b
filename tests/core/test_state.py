from __future__ import annotations

import datetime as dt
import json
import tracemalloc
from pathlib import Path

import pytest
from pydantic import ValidationError

from threadsync.state import (
    Attempt,
    PartState,
    PostState,
    State,
    StateError,
    StateStore,
    dump_entry,
    dump_state,
    load_entry,
    load_state,
)

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.timezone.utc)


def _published(media_id: str = "111") -> PostState:
    return PostState(
        status="published",
        content_hash="h1",
        path="content/a.yaml",
        parts=[
            PartState(
                media_id=media_id, permalink="https://www.threads.net/@u/post/x", published_at=NOW
            )
        ],
    )


def test_missing_state_is_empty_and_gets_its_lineage_when_first_written(tmp_path: Path) -> None:
    a = load_state(tmp_path / "state.json")
    assert a.posts == {} and a.serial == 0 and a.version == 1
    assert a.lineage == load_state(tmp_path / "state.json").lineage == ""
    first = StateStore(tmp_path / "state.json")
    first.save()
    second = StateStore(tmp_path / "other.json")
    second.save()
    assert len(first.state.lineage) == 36
    assert first.state.lineage != second.state.lineage
    assert load_state(tmp_path / "state.json").lineage == first.state.lineage


def test_save_bumps_serial_keeps_backup_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / ".threadsync" / "state.json"
    store = StateStore(path)
    store.state.user_id = "42"
    store.state.posts["a"] = _published()
    store.save()
    first = path.read_bytes()
    assert json.loads(first)["serial"] == 1
    assert not store.backup_path.exists()

    store.state.posts["b"] = _published("222")
    store.save()
    assert store.backup_path.read_bytes() == first
    again = load_state(path)
    assert again.serial == 2
    assert again.lineage == store.state.lineage
    assert again.posts["b"].media_id == "222"
    assert again.posts["a"].permalink == "https://www.threads.net/@u/post/x"
    # no temp files are left behind
    assert sorted(p.name for p in path.parent.iterdir()) == ["state.json", "state.json.bak"]


@pytest.mark.parametrize("links", [True, False], ids=["hard-link", "no-hard-links"])
def test_each_save_keeps_exactly_the_version_before_as_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, links: bool
) -> None:
    if not links:

        def no_link(src: object, dst: object, **kwargs: object) -> None:
            raise OSError(1, "Operation not permitted")

        monkeypatch.setattr("threadsync.safewrite.os.link", no_link)
    path = tmp_path / "state.json"
    store = StateStore(path)
    versions = []
    for media_id in ("1", "2", "3"):
        store.state.posts[media_id] = _published(media_id)
        store.save()
        versions.append(path.read_bytes())
        if len(versions) > 1:
            assert store.backup_path.read_bytes() == versions[-2]
    # The backup is its own file: the last save did not change it.
    assert store.backup_path.read_bytes() == versions[1]
    assert json.loads(versions[2])["serial"] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json", "state.json.bak"]


def test_journal_defers_only_what_no_request_depends_on(tmp_path: Path) -> None:
    """A pending entry and links wait for the next save; a container id never waits."""
    from threadsync.journal import Journal

    path = tmp_path / "state.json"
    journal = Journal(StateStore(path))
    journal.begin("a", "h", "content/a.yaml", 1)
    assert not path.exists()
    attempt = journal.open_attempt("a", 0, container_id="c1", text="Hi", created_at=NOW)
    assert load_state(path).posts["a"].parts[0].attempts[0].container_id == "c1"
    journal.part_published("a", 0, "m1", NOW, attempt)
    assert load_state(path).posts["a"].media_id == "m1"
    journal.set_links("a", 0, "https://www.threads.net/@u/post/x", [])
    assert load_state(path).posts["a"].permalink is None
    journal.flush()
    assert load_state(path).posts["a"].permalink == "https://www.threads.net/@u/post/x"
    serial = load_state(path).serial
    journal.flush()  # nothing deferred: no write
    assert load_state(path).serial == serial


def test_attempts_are_journalled(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    store = StateStore(path)
    part = PartState(attempts=[Attempt(container_id="c1", children=["k1", "k2"], created_at=NOW)])
    store.state.posts["a"] = PostState(status="pending", content_hash="h", parts=[part])
    store.save()
    loaded = load_state(path)
    assert loaded.posts["a"].parts[0].open_attempts()[0].children == ["k1", "k2"]
    assert loaded.posts["a"].media_id is None


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"{not json", "is corrupt (line 1, column 2"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"version": 99, "posts": {}}', "has version 99"),
        (b'{"posts": {}}', "has version None"),
        (
            b'{"version": 1, "posts": {"a": {"status": "weird", "content_hash": "h"}}}',
            "malformed at posts.a.status",
        ),
        (
            b'{"version": 1, "posts": {"a": {"status": "published", "content_hash": "h", '
            b'"parts": [{"media_id": "1", "views": 3}]}}}',
            "malformed at posts.a.parts.0.views: a field this threadsync does not know",
        ),
        (
            b'{"version": 1, "surprise": 1, "posts": {}}',
            "malformed at surprise: a field this threadsync does not know",
        ),
    ],
)
def test_bad_state_is_reported_and_never_overwritten(
    tmp_path: Path, content: bytes, needle: str
) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content)
    with pytest.raises(StateError) as info:
        StateStore(path)
    assert needle in str(info.value)
    assert "restore it from git" in str(info.value) or "upgrade threadsync" in str(info.value)
    assert path.read_bytes() == content


def test_state_of_another_account_is_refused() -> None:
    state = State(user_id="1")
    state.check_account("1")
    with pytest.raises(StateError, match=r"belongs to Threads user 1.*user 2"):
        state.check_account("2")
    State().check_account("anything")  # a new state adopts whoever applies first


def test_the_file_lists_posts_by_id_and_keeps_text_readable(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.json")
    for post_id in ("b", "c", "a"):
        store.state.posts[post_id] = _published(post_id * 3)
    store.state.posts["b"].error = "Ünïcode stays readable ✓"
    store.save()
    text = (tmp_path / "state.json").read_text(encoding="utf-8")
    assert text.endswith("}\n") and "\n  " in text  # indented, one trailing newline
    assert list(json.loads(text)["posts"]) == ["a", "b", "c"]
    assert "Ünïcode stays readable ✓" in text
    assert list(store.state.posts) == ["b", "c", "a"]  # the state in memory is untouched
    again = load_state(tmp_path / "state.json")
    assert again.model_dump() == store.state.model_dump()


DATA = Path(__file__).parent / "data"


def _every_field() -> State:
    """A state that sets every field of every entry type, at least once."""
    urls = ["https://cdn/a.jpg", "https://cdn/b.jpg"]
    return State(
        lineage="l-1",
        serial=3,
        user_id="42",
        posts={
            "b/thread": PostState(
                status="pending",
                content_hash="h2",
                path="content/b/thread.md",
                updated_at=NOW,
                parts=[
                    PartState(
                        media_id="1",
                        child_media_ids=["11", "12"],
                        permalink="https://www.threads.net/@u/post/A",
                        published_at=NOW,
                        media_urls=urls,
                    ),
                    PartState(
                        attempts=[
                            Attempt(
                                container_id="c9",
                                children=["k1"],
                                created_at=NOW,
                                text="second",
                                media_urls=["https://cdn/c.jpg"],
                            ),
                            Attempt(container_id=None, created_at=NOW, closed="expired"),
                        ]
                    ),
                ],
            ),
            "a": PostState(
                status="failed",
                content_hash="h1",
                error="Threads said no",
                source="import",
                updated_at=NOW,
            ),
        },
    )


def test_the_file_format_is_kept_byte_for_byte(tmp_path: Path) -> None:
    # The file was written by threadsync 0.x when entries were pydantic models; the
    # entries are slotted dataclasses now, and must read and write the same bytes.
    golden = (DATA / "state_v1_all_fields.json").read_bytes()
    assert dump_state(_every_field()) == golden
    path = tmp_path / "state.json"
    path.write_bytes(golden)
    assert dump_state(load_state(path)) == golden


def test_an_entry_round_trips_through_the_log_records() -> None:
    for entry in _every_field().posts.values():
        data = dump_entry(entry)
        assert load_entry(json.loads(json.dumps(data))) == entry
    with pytest.raises(ValidationError):
        load_entry({"status": "published", "content_hash": "h", "surprise": 1})


def test_a_big_state_takes_little_memory(tmp_path: Path) -> None:
    # 10,000 entries as pydantic models took 37 MB (3.7 KB each); slotted, 11 MB.
    path = tmp_path / "state.json"
    state = State(posts={f"post/{i:05d}": _published(str(10**17 + i)) for i in range(2000)})
    path.write_bytes(dump_state(state))
    tracemalloc.start()
    try:
        loaded = load_state(path)
        size, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(loaded.posts) == 2000
    assert size / 2000 < 2000, f"{size / 2000:.0f} bytes per entry"
