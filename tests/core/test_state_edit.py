"""The state's entries changed by ``state rm`` and ``state mv``: checked before anything moves."""

from __future__ import annotations

import datetime as dt

import pytest

from threadsync.state import PartState, PostState, State, StateError
from threadsync.state_edit import entry_data, forget, rename, rows

OLD = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def _state(*ids: str) -> State:
    state = State(lineage="L", serial=3)
    for n, post_id in enumerate(ids):
        state.posts[post_id] = PostState(
            status="published",
            content_hash="h",
            path=f"content/{post_id}.yaml",
            parts=[PartState(media_id=str(100 + n), permalink=f"https://t/{n}")],
            updated_at=OLD,
        )
    return state


def test_rows_are_sorted_and_carry_what_list_shows() -> None:
    state = _state("b", "a")
    state.posts["c"] = PostState(status="pending", content_hash="h")
    assert rows(state) == [
        {"id": "a", "status": "published", "media_id": "101", "permalink": "https://t/1",
         "path": "content/a.yaml"},
        {"id": "b", "status": "published", "media_id": "100", "permalink": "https://t/0",
         "path": "content/b.yaml"},
        {"id": "c", "status": "pending", "media_id": None, "permalink": None, "path": None},
    ]  # fmt: skip


def test_entry_data_is_the_id_then_the_entry_as_in_the_file() -> None:
    data = entry_data("a", _state("a").posts["a"])
    assert list(data)[:3] == ["id", "status", "content_hash"]
    assert data["parts"] == [{"attempts": [], "media_id": "100", "child_media_ids": [],
                              "permalink": "https://t/0"}]  # fmt: skip


def test_forget_removes_one_entry_and_returns_it() -> None:
    state = _state("a", "b")
    entry = state.posts["a"]
    assert forget(state, "a", "state.json") is entry
    assert list(state.posts) == ["b"] and state.serial == 3  # saving bumps the serial


@pytest.mark.parametrize(
    ("ids", "asked", "message"),
    [
        ((), "a", "state.json records no posts, so none named 'a'"),
        (
            ("launch-day", "launch-night", "intro"),
            "launch",
            "no post 'launch' in state.json; did you mean launch-day, launch-night? "
            "('threadsync state list' shows every id)",
        ),
        (
            ("intro", "outro"),
            "zzz",
            "no post 'zzz' in state.json; it records 2 post(s) "
            "('threadsync state list' shows every id)",
        ),
    ],
)
def test_an_unknown_id_is_refused_and_nothing_changes(
    ids: tuple[str, ...], asked: str, message: str
) -> None:
    state = _state(*ids)
    before = state.model_copy(deep=True)
    with pytest.raises(StateError) as refused:
        forget(state, asked, "state.json")
    assert str(refused.value) == message
    with pytest.raises(StateError):
        rename(state, asked, "new-id", "state.json")
    assert state == before


def test_rename_moves_the_entry_and_stamps_it() -> None:
    state = _state("old", "other")
    entry = state.posts["old"]
    assert rename(state, "old", "2026/new.post", "state.json") is entry
    assert sorted(state.posts) == ["2026/new.post", "other"]
    assert entry.updated_at > OLD and entry.parts[0].media_id == "100"


@pytest.mark.parametrize(
    ("new", "why"),
    [
        ("other", "state.json already has a post 'other'"),
        ("old", "state.json already has a post 'old'"),
        ("/abs", "'/abs' can't be a post id: it starts with '/'"),
        ("a//b", "'a//b' can't be a post id: it has an empty segment"),
        ("a\nb", "'a\\nb' can't be a post id: it has a newline"),
        ("x`y", "'x`y' can't be a post id: it has a backtick"),
    ],
)
def test_rename_refuses_a_taken_or_invalid_id(new: str, why: str) -> None:
    state = _state("old", "other")
    before = state.model_copy(deep=True)
    with pytest.raises(StateError) as refused:
        rename(state, "old", new, "state.json")
    assert str(refused.value).startswith(why)
    assert state == before
