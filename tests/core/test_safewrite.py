"""Nothing under .threadsync/ is read or written through a symlink; real links, real files.

Each case plants a link the way a pull request could commit one, runs the
write (or read), and checks the message and that the file the link points to
is byte for byte what it was.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from threadsync.lock import force_unlock, lock_path_for, state_lock
from threadsync.preview import Site, take_snapshot
from threadsync.safewrite import (
    SymlinkRefused,
    UnsafePath,
    check_no_links,
    list_files,
    make_dirs,
    read_bytes,
    write_atomic,
)
from threadsync.state import PostState, StateStore, load_state
from threadsync.stats.cache import InsightsCache, load_cache, save_cache

SECRET = b"-----BEGIN OPENSSH PRIVATE KEY-----\nvictim bytes\n"
STATE_MESSAGE = (
    ".threadsync/state.json is a symlink; threadsync never reads or writes state through a "
    "link: remove it (git rm) and restore the file"
)


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file outside the project that a link may point to."""
    home = tmp_path / "home"
    home.mkdir()
    path = home / "id_ed25519"
    path.write_bytes(SECRET)
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    project = tmp_path / "repo"
    (project / ".threadsync").mkdir(parents=True)
    return project


def _untouched(victim: Path) -> None:
    assert victim.read_bytes() == SECRET
    assert sorted(p.name for p in victim.parent.iterdir()) == [victim.name]


def _saved(root: Path) -> StateStore:
    store = StateStore(root / ".threadsync/state.json", root)
    store.state.posts["a"] = PostState(status="pending", content_hash="h")
    store.save()
    return store


def test_a_linked_state_file_is_neither_read_nor_written(root: Path, victim: Path) -> None:
    state = root / ".threadsync/state.json"
    state.symlink_to(os.path.relpath(victim, state.parent))
    for read in (lambda: StateStore(state, root), lambda: load_state(state, root)):
        with pytest.raises(SymlinkRefused) as info:
            read()
        assert str(info.value) == STATE_MESSAGE
    with pytest.raises(SymlinkRefused, match=r"^\.threadsync/state\.json is a symlink"):
        write_atomic(state, b"{}", root=root)
    assert state.is_symlink()
    _untouched(victim)


def test_without_a_root_the_folder_holding_threadsync_is_the_anchor(
    root: Path, victim: Path
) -> None:
    state = root / ".threadsync/state.json"
    state.symlink_to(victim)
    with pytest.raises(SymlinkRefused) as info:
        load_state(state)
    assert str(info.value) == STATE_MESSAGE
    _untouched(victim)


@pytest.mark.parametrize("dangling", [False, True], ids=["to-a-dir", "dangling"])
def test_a_linked_threadsync_dir_is_refused(tmp_path: Path, victim: Path, dangling: bool) -> None:
    project = tmp_path / "repo"
    project.mkdir()
    target = tmp_path / "nowhere" if dangling else victim.parent
    (project / ".threadsync").symlink_to(target)
    state = project / ".threadsync/state.json"
    message = (
        ".threadsync is a symlink; threadsync never reads or writes state through a link: "
        "remove it (git rm) and restore the file"
    )
    for read in (lambda: StateStore(state, project), lambda: load_state(state, project)):
        with pytest.raises(SymlinkRefused) as info:
            read()
        assert str(info.value) == message
    with pytest.raises(SymlinkRefused, match=r"^\.threadsync is a symlink"):
        write_atomic(state, b"{}", root=project)
    with (
        pytest.raises(SymlinkRefused, match=r"^\.threadsync is a symlink; .* the state lock"),
        state_lock(state, "apply", root=project),
    ):
        pass
    _untouched(victim)
    assert not (tmp_path / "nowhere").exists()


def test_a_link_deeper_down_is_refused_from_the_root(tmp_path: Path, victim: Path) -> None:
    project = tmp_path / "repo"
    (project / "data").mkdir(parents=True)
    (project / "data/accounts").symlink_to(victim.parent)
    state = project / "data/accounts/brand/state.json"
    with pytest.raises(SymlinkRefused, match=r"^data/accounts is a symlink"):
        write_atomic(state, b"{}", root=project)
    with pytest.raises(SymlinkRefused, match=r"^data/accounts is a symlink"):
        make_dirs(state.parent, root=project)
    _untouched(victim)


def test_a_linked_backup_is_refused_and_the_state_kept(root: Path, victim: Path) -> None:
    store = _saved(root)
    before = store.path.read_bytes()
    store.backup_path.symlink_to(victim)
    store.state.posts["b"] = PostState(status="pending", content_hash="h")
    with pytest.raises(SymlinkRefused, match=r"^\.threadsync/state\.json\.bak is a symlink"):
        store.save()
    assert store.path.read_bytes() == before
    assert sorted(p.name for p in store.path.parent.iterdir()) == ["state.json", "state.json.bak"]
    _untouched(victim)


def test_a_linked_temp_file_is_replaced_never_written_through(root: Path, victim: Path) -> None:
    store = _saved(root)
    (root / f".threadsync/.state.json.{os.getpid()}.tmp").symlink_to(victim)
    (root / f".threadsync/.state.json.bak.{os.getpid()}.tmp").symlink_to(victim)
    store.state.posts["b"] = PostState(status="pending", content_hash="h")
    store.save()
    assert set(load_state(store.path, root).posts) == {"a", "b"}
    assert sorted(p.name for p in store.path.parent.iterdir()) == ["state.json", "state.json.bak"]
    _untouched(victim)


def test_a_linked_lock_file_is_never_opened(root: Path, victim: Path) -> None:
    state = root / ".threadsync/state.json"
    lock_path_for(state).symlink_to(victim)
    message = (
        ".threadsync/state.lock is a symlink; threadsync never reads or writes the state lock "
        "through a link: remove it (git rm) and run again"
    )
    with pytest.raises(SymlinkRefused) as info, state_lock(state, "apply", root=root):
        pass
    assert str(info.value) == message
    with pytest.raises(SymlinkRefused) as info:
        force_unlock(state, root=root, max_age=dt.timedelta(0))
    assert str(info.value) == message
    _untouched(victim)


def test_a_linked_account_state_dir_is_refused(root: Path, victim: Path) -> None:
    (root / ".threadsync/brand").symlink_to(victim.parent)
    state = root / ".threadsync/brand/state.json"
    with pytest.raises(SymlinkRefused, match=r"^\.threadsync/brand is a symlink"):
        StateStore(state, root)
    with (
        pytest.raises(SymlinkRefused, match=r"^\.threadsync/brand is a symlink"),
        state_lock(state, "apply", root=root),
    ):
        pass
    _untouched(victim)


def test_a_linked_insights_cache_is_refused(root: Path, victim: Path) -> None:
    cache = root / ".threadsync/insights.json"
    cache.symlink_to(victim)
    with pytest.raises(SymlinkRefused, match=r"insights.json is a symlink.*the insights cache"):
        load_cache(cache, "1", root)
    with pytest.raises(SymlinkRefused, match=r"insights.json is a symlink"):
        save_cache(cache, InsightsCache(user_id="1"), root)
    _untouched(victim)


def test_reading_a_missing_file_or_dir_is_none(root: Path) -> None:
    assert read_bytes(root / ".threadsync/state.json", root=root) is None
    assert read_bytes(root / ".threadsync/brand/state.json", root=root) is None
    check_no_links(root / ".threadsync/brand/state.json", root=root)  # nothing there: fine
    assert not (root / ".threadsync/brand").exists()


def test_paths_outside_the_project_are_checked_at_the_file_only(
    tmp_path: Path, victim: Path
) -> None:
    linked_dir = tmp_path / "linked"
    linked_dir.symlink_to(victim.parent)
    write_atomic(linked_dir / "plan.json", b"{}", root=tmp_path / "repo")  # chosen by the user
    assert (victim.parent / "plan.json").read_bytes() == b"{}"
    key = tmp_path / "key"
    key.symlink_to(victim)
    with pytest.raises(SymlinkRefused, match=rf"^{key} is a symlink"):
        write_atomic(key, b"x", root=tmp_path / "repo")
    assert victim.read_bytes() == SECRET


# -- the preview ------------------------------------------------------------------------------


def _preview_project(root: Path) -> Callable[[], None]:
    from threadsync.config import load_config

    (root / "content").mkdir()
    (root / "content/a.yaml").write_text("text: Hello\n", encoding="utf-8")
    config = load_config(None, root)

    def build() -> None:
        snap = take_snapshot(root, config, root / ".threadsync/state.json", dt.datetime.now(dt.UTC))
        Site(root / ".threadsync/preview", account="acme").build(snap)

    return build


def test_a_linked_preview_dir_is_refused(root: Path, victim: Path) -> None:
    build = _preview_project(root)
    (root / ".threadsync/preview").symlink_to(victim.parent)
    with pytest.raises(SymlinkRefused, match=r"^\.threadsync/preview is a symlink.*the preview"):
        build()
    _untouched(victim)


def test_a_linked_preview_page_is_refused(root: Path, victim: Path) -> None:
    build = _preview_project(root)
    build()
    page = root / ".threadsync/preview/index.html"
    page.unlink()
    page.symlink_to(victim)
    with pytest.raises(SymlinkRefused, match=r"^\.threadsync/preview/index\.html is a symlink"):
        build()
    _untouched(victim)


def test_listing_a_folder_shows_its_files_and_never_follows_a_link(
    root: Path, victim: Path
) -> None:
    folder = root / ".threadsync/preview"
    assert list_files(folder, root=root) == []  # missing
    folder.mkdir()
    (folder / "b.html").write_text("b", encoding="utf-8")
    (folder / "a.html").write_text("a", encoding="utf-8")
    (folder / "media").mkdir()
    (folder / "link.html").symlink_to(victim)
    assert list_files(folder, root=root, what="the preview") == ["a.html", "b.html"]
    (root / ".threadsync/elsewhere").symlink_to(victim.parent)
    with pytest.raises(SymlinkRefused, match=r"^\.threadsync/elsewhere is a symlink"):
        list_files(root / ".threadsync/elsewhere", root=root, what="the preview")
    _untouched(victim)


def test_a_linked_state_in_the_preview_is_a_banner_not_a_read(root: Path, victim: Path) -> None:
    from threadsync.config import load_config

    (root / "content").mkdir()
    (root / ".threadsync/state.json").symlink_to(victim)
    snap = take_snapshot(
        root, load_config(None, root), root / ".threadsync/state.json", dt.datetime.now(dt.UTC)
    )
    assert any(STATE_MESSAGE in line for line in snap.banner)
    _untouched(victim)


def test_force_unlock_creates_no_lock_file(root: Path) -> None:
    assert force_unlock(root / ".threadsync/state.json", root=root) is None
    assert not lock_path_for(root / ".threadsync/state.json").exists()


# -- a folder where a file belongs, or a file where a folder belongs ---------------------------


def test_a_lock_that_is_a_folder_is_one_message(root: Path) -> None:
    state = root / ".threadsync/state.json"
    (root / ".threadsync/state.lock").mkdir()
    (root / ".threadsync/state.lock/keep").write_text("committed")
    message = (
        ".threadsync/state.lock is not a regular file; threadsync keeps the state lock there: "
        "remove it (git rm) and run again"
    )
    with pytest.raises(UnsafePath) as info, state_lock(state, "apply", root=root):
        pass
    assert str(info.value) == message
    with pytest.raises(UnsafePath, match="is not a regular file"):
        force_unlock(state, root=root)


def test_a_state_file_that_is_a_folder_is_one_message(root: Path) -> None:
    state = root / ".threadsync/state.json"
    state.mkdir()
    for act in (lambda: load_state(state, root), lambda: write_atomic(state, b"{}", root=root)):
        with pytest.raises(UnsafePath, match=r"^\.threadsync/state\.json is not a regular file"):
            act()


def test_a_threadsync_file_where_the_folder_belongs_is_one_message(tmp_path: Path) -> None:
    project = tmp_path / "repo"
    project.mkdir()
    (project / ".threadsync").write_text("not a folder")
    state = project / ".threadsync/state.json"
    message = (
        ".threadsync is not a folder; threadsync keeps state in it: remove it (git rm) and run "
        "again"
    )
    for act in (
        lambda: load_state(state, project),
        lambda: _saved(project),
        lambda: make_dirs(project / ".threadsync/preview", root=project),
    ):
        with pytest.raises(UnsafePath) as info:
            act()
        assert str(info.value) == message
    assert (project / ".threadsync").read_text() == "not a folder"
