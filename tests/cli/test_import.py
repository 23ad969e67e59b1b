"""``threadsync import``: adopt what is already on the account, so it is never posted again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from threadsync.emulator import Emulator

from .support import Outside, Project, Run, live_texts

CONTENT = {
    "content/a.yaml": "text: Alpha   POST\n",  # matches "alpha post": whitespace and case fold
    "content/b.md": "Thread root\n\n---\nThread reply\n",
    "content/c.yaml": "text: With a picture\nmedia:\n  - image: https://example.com/c.png\n",
    "content/d.yaml": "text: Never posted\n",
    "content/e.yaml": "text: Words only there\nmedia:\n  - image: https://example.com/e.png\n",
    "content/wip.yaml": "text: Draft words\ndraft: true\n",
}


@pytest.fixture
def account(
    make_project: Callable[..., Project], emu: Emulator, outside: Outside
) -> tuple[Project, dict[str, str]]:
    """A content repo, and an account that already has some of its posts."""
    project = make_project(CONTENT)
    ids = {"a": outside.publish("alpha post")}
    ids["b"] = outside.publish("Thread root")
    ids["b2"] = outside.publish("Thread reply", reply_to=ids["b"])
    ids["c"] = outside.publish("With a picture", image="https://example.com/c.png")
    ids["e"] = outside.publish("Words only there")  # no image: not the same post
    ids["wip"] = outside.publish("Draft words")
    ids["x"] = outside.publish("Not in the content at all")
    return project, ids


def test_dry_run_prints_matches_and_writes_nothing(
    account: tuple[Project, dict[str, str]], cli: Run
) -> None:
    project, ids = account
    result = cli("import", "--dry-run")
    assert result.rc == 0, result.err
    assert result.out.splitlines() == [
        f"  matched a -> {ids['a']}",
        f"  matched b -> {ids['b']}, {ids['b2']}",
        f"  matched c -> {ids['c']}",
        "  not on the account: d (apply publishes it when it is due)",
        "  not on the account: e (apply publishes it when it is due)",
        "Import: 3 matched, 2 content post(s) not found, 3 account post(s) not in content. "
        "Dry run: nothing written.",
    ]
    assert not project.state_path.exists()
    assert not project.backup_path.exists()


def test_dry_run_leaves_an_existing_state_untouched(
    account: tuple[Project, dict[str, str]], cli: Run
) -> None:
    project, _ = account
    assert cli("apply", "--yes", "--target", "d").rc == 0
    before = project.state_path.read_bytes()
    assert cli("import", "--dry-run").rc == 0
    assert project.state_path.read_bytes() == before


def test_import_records_matches_and_plan_then_publishes_only_the_rest(
    account: tuple[Project, dict[str, str]], cli: Run, emu: Emulator
) -> None:
    project, ids = account
    result = cli("import")
    assert result.rc == 0, result.err
    assert result.out.endswith(
        "Import: 3 matched, 2 content post(s) not found, 3 account post(s) not in content.\n"
    )
    state = project.state()
    assert state["user_id"] == emu.user_id
    assert set(state["posts"]) == {"a", "b", "c"}
    for post_id, media in {"a": [ids["a"]], "b": [ids["b"], ids["b2"]], "c": [ids["c"]]}.items():
        entry = state["posts"][post_id]
        assert entry["status"] == "published"
        assert entry["source"] == "import"
        assert [p["media_id"] for p in entry["parts"]] == media
        assert all(p["permalink"] for p in entry["parts"])

    data = cli("plan", "--json").json()
    assert [(c["id"], c["action"]) for c in data["changes"]] == [("d", "create"), ("e", "create")]
    before = len(emu.posts())
    assert cli("apply", "--yes").rc == 0
    assert len(emu.posts()) == before + 2
    assert cli("plan", "--detailed-exitcode").rc == 0
    # a second import finds nothing new to adopt
    assert "Import: 0 matched" in cli("import").out


def test_import_json(account: tuple[Project, dict[str, str]], cli: Run) -> None:
    project, ids = account
    data = cli("import", "--dry-run", "--json").json()
    assert data == {
        "matched": [
            {"id": "a", "media_ids": [ids["a"]], "complete": True},
            {"id": "b", "media_ids": [ids["b"], ids["b2"]], "complete": True},
            {"id": "c", "media_ids": [ids["c"]], "complete": True},
        ],
        "unmatched_posts": ["d", "e"],
        "unmatched_account_posts": 3,
        "dry_run": True,
    }
    assert not project.state_path.exists()


def test_since_only_considers_newer_account_posts(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, outside: Outside
) -> None:
    project = make_project({"content/old.yaml": "text: Old\n", "content/new.yaml": "text: New\n"})
    outside.publish("Old")
    emu.advance(3 * 86400)
    outside.publish("New")
    yesterday = dt.datetime.fromtimestamp(emu.now() - 86400, dt.timezone.utc).date()

    result = cli("import", "--since", yesterday.isoformat())
    assert result.rc == 0, result.err
    assert "  matched new -> " in result.out
    assert "  not on the account: old" in result.out
    assert set(project.state()["posts"]) == {"new"}


def test_a_thread_found_in_part_is_finished_by_apply(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, outside: Outside
) -> None:
    project = make_project({"content/t.md": "One\n\n---\nTwo\n\n---\nThree\n"})
    one = outside.publish("One")
    two = outside.publish("Two", reply_to=one)

    result = cli("import")
    assert f"  matched t -> {one}, {two}, ?  (some thread parts not found" in result.out
    entry = project.state()["posts"]["t"]
    assert entry["status"] == "pending"
    assert [p.get("media_id") for p in entry["parts"]] == [one, two, None]

    data = cli("plan", "--json").json()
    assert [(c["id"], c["action"]) for c in data["changes"]] == [("t", "create")]
    assert cli("apply", "--yes").rc == 0
    assert live_texts(emu) == ["One", "Two", "Three"]
    three = next(p for p in emu.posts() if p["params"].get("text") == "Three")
    assert three["reply_to"] == two
    assert project.state()["posts"]["t"]["status"] == "published"


def test_bad_since_is_one_error_line(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project({"content/a.yaml": "text: A\n"})
    result = cli("import", "--since", "last week")
    assert result.rc == 1
    assert result.error_lines == ["error: --since 'last week' is not a date like 2026-01-31"]
    assert not project.state_path.exists()


def test_import_needs_a_token(make_project: Callable[..., Project], cli: Run) -> None:
    project = make_project({"content/a.yaml": "text: A\n"})
    result = cli("import")
    assert result.rc == 1
    assert result.error_lines[0].startswith("error: no access token: set THREADS_ACCESS_TOKEN")
    assert not project.state_path.exists()
