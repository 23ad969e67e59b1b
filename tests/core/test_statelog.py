"""The state's log: appends at a constant cost, folds in once, and never replays twice."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from threadsync.journal import Journal
from threadsync.state import PartState, PostState, StateStore, load_state
from threadsync.statelog import StateLogError, fold, log_path_for

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.timezone.utc)


def _published(media_id: str) -> PostState:
    return PostState(status="published", content_hash="h", parts=[PartState(media_id=media_id)])


def _store_with(path: Path, posts: int) -> StateStore:
    store = StateStore(path)
    for i in range(posts):
        store.state.posts[f"p{i:05}"] = _published(str(10_000 + i))
    store.save()
    return StateStore(path)


@pytest.mark.parametrize("history", [1, 2_000])
def test_a_step_appends_the_same_bytes_at_any_history_size(tmp_path: Path, history: int) -> None:
    path = tmp_path / "state.json"
    store = _store_with(path, history)
    before = path.read_bytes()
    journal = Journal(store)
    journal.begin("new", "h", "content/new.yaml", 1)
    journal.open_attempt("new", 0, container_id="17", text="Hi", created_at=NOW)
    size = log_path_for(path).stat().st_size
    journal.close_attempt("new", 0, store.state.posts["new"].parts[0].attempts[0], "expired")
    grown = log_path_for(path).stat().st_size - size
    assert path.read_bytes() == before  # the state file is not rewritten per step
    assert grown < 400  # one line: the entry of the post that changed, not the history
    journal.close()
    assert not log_path_for(path).exists()
    assert load_state(path).posts["new"].parts[0].attempts[0].closed == "expired"
    assert len(load_state(path).posts) == history + 1


def test_readers_see_an_unfolded_log_and_leave_it(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    journal = Journal(_store_with(path, 1))
    journal.begin("a", "h", None, 1)
    attempt = journal.open_attempt("a", 0, container_id="17", text="Hi", created_at=NOW)
    journal.part_published("a", 0, "99", NOW, attempt)  # then the run is killed
    assert load_state(path).posts["a"].media_id == "99"
    assert "a" not in json.loads(path.read_text())["posts"]
    assert log_path_for(path).exists()


def test_a_line_cut_short_by_a_crash_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    journal = Journal(_store_with(path, 1))
    journal.begin("a", "h", None, 1)
    journal.open_attempt("a", 0, container_id="17", text="Hi", created_at=NOW)
    log = log_path_for(path)
    log.write_bytes(log.read_bytes() + b'{"put": "b", "entry": {"sta')
    state = load_state(path)
    assert set(state.posts) == {"p00000", "a"}


def test_a_corrupt_line_in_the_middle_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    journal = Journal(_store_with(path, 1))
    journal.forget("p00000")
    log = log_path_for(path)
    lines = log.read_bytes().split(b"\n")
    log.write_bytes(b"\n".join([lines[0], b"not json", *lines[1:]]))
    with pytest.raises(StateLogError, match="corrupt at line 2"):
        load_state(path)


def test_a_log_of_another_state_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    journal = Journal(_store_with(path, 1))
    journal.forget("p00000")
    other = tmp_path / "other.json"
    _store_with(other, 1)
    log_path_for(other).write_bytes(log_path_for(path).read_bytes())
    with pytest.raises(StateLogError, match="belongs to another state file"):
        load_state(other)


def test_a_log_already_folded_is_not_replayed(tmp_path: Path) -> None:
    """A kill between writing the state file and removing the log: the log is old news."""
    path = tmp_path / "state.json"
    store = _store_with(path, 2)
    journal = Journal(store)
    journal.begin("a", "h", None, 1)
    journal.open_attempt("a", 0, container_id="17", text="Hi", created_at=NOW)
    stale = log_path_for(path).read_bytes()
    journal.close()  # folded: serial + 1, log removed
    store = StateStore(path)
    store.state.posts.pop("a")  # a later run forgot it
    store.save()
    log_path_for(path).write_bytes(stale)  # the log of the earlier run, left behind
    assert "a" not in load_state(path).posts
    assert StateStore(path).unfolded  # and a writer removes it
    StateStore(path).compact()
    assert not log_path_for(path).exists()


def test_a_log_without_a_state_file_is_folded(tmp_path: Path) -> None:
    """The first apply of a new project killed before its fold: the log is all there is."""
    path = tmp_path / "state.json"
    journal = Journal(StateStore(path))
    journal.claim_account("42")
    journal.begin("a", "h", None, 1)
    journal.open_attempt("a", 0, container_id="17", text="Hi", created_at=NOW)
    assert not path.exists()
    state = load_state(path)
    assert state.user_id == "42" and state.lineage
    assert state.posts["a"].parts[0].attempts[0].container_id == "17"


def test_moves_and_deletes_are_replayed(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    journal = Journal(_store_with(path, 3))
    journal.move("p00000", "renamed", "content/renamed.yaml")
    journal.deleted("p00001", "10001")
    state = load_state(path)
    assert sorted(state.posts) == ["p00002", "renamed"]
    assert state.posts["renamed"].path == "content/renamed.yaml"


def test_fold_says_how_many_changes_it_replayed(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    journal = Journal(_store_with(path, 1))
    journal.forget("p00000")
    store = StateStore(path)
    assert store.unfolded_lines == 1
    state = load_state(path)
    assert fold(state, tmp_path / "missing.log") is None
