"""``threadsync state list|show|rm|mv`` end to end: what a user does instead of editing the file."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from threadsync.emulator import Emulator
from threadsync.journal import Journal
from threadsync.state import StateStore

from .support import Outside, Project, Run, live_texts, lock_held

CANARY = "THcanaryTOKENstate0123456789"


@pytest.fixture
def published(make_project: Callable[..., Project], cli: Run, emu: Emulator) -> Project:
    project = make_project(
        {
            "content/hello.yaml": "text: Hello\n",
            "content/help.yaml": "text: Help\n",
            "content/launch.yaml": "text: Launch\n",
        }
    )
    assert cli("apply", "--yes").rc == 0
    return project


def test_list_shows_each_post_with_its_status_media_id_and_permalink(
    published: Project, cli: Run
) -> None:
    state = published.state()
    result = cli("state", "list")
    assert result.rc == 0 and result.err == ""
    lines = result.out.splitlines()
    assert lines[0].split() == ["ID", "STATUS", "MEDIA", "ID", "PERMALINK"]
    for line, post_id in zip(lines[1:4], ["hello", "help", "launch"], strict=True):
        entry = state["posts"][post_id]
        part = entry["parts"][0]
        assert line.split() == [post_id, "published", part["media_id"], part["permalink"]]
    assert lines[4] == f"3 posts in .threadsync/state.json (serial {state['serial']})"

    data = cli("state", "list", "--json").json()
    assert data["state"] == {
        "path": ".threadsync/state.json",
        "lineage": state["lineage"],
        "serial": state["serial"],
        "user_id": state["user_id"],
    }
    assert [(p["id"], p["status"]) for p in data["posts"]] == [
        ("hello", "published"),
        ("help", "published"),
        ("launch", "published"),
    ]
    assert data["posts"][0]["path"] == "content/hello.yaml"


def test_list_of_a_project_without_state(make_project: Callable[..., Project], cli: Run) -> None:
    make_project({"content/a.yaml": "text: A\n"})
    result = cli("state", "list")
    assert (result.rc, result.out) == (0, "0 posts in .threadsync/state.json (serial 0)\n")


def test_show_prints_the_entry_as_json(published: Project, cli: Run) -> None:
    result = cli("state", "show", "hello")
    assert result.rc == 0
    assert result.json() == {"id": "hello", **published.state()["posts"]["hello"]}


@pytest.mark.parametrize("action", [["show", "helo"], ["rm", "helo"], ["mv", "helo", "greeting"]])
def test_an_unknown_id_is_refused_with_the_ids_it_may_mean(
    published: Project, cli: Run, action: list[str]
) -> None:
    before = published.state_path.read_bytes()
    result = cli("state", *action)
    assert result.rc == 1 and result.out == ""
    assert result.err == (
        "error: no post 'helo' in .threadsync/state.json; did you mean hello, help? "
        "('threadsync state list' shows every id)\n"
    )
    assert published.state_path.read_bytes() == before


def test_rm_forgets_the_post_and_leaves_it_on_threads(
    published: Project, cli: Run, emu: Emulator
) -> None:
    before = published.state_path.read_bytes()
    entry = published.state()["posts"]["hello"]
    serial = published.state()["serial"]
    result = cli("state", "rm", "hello")
    assert result.rc == 0, result.err
    assert result.out == (
        f"Removed hello from .threadsync/state.json (serial {serial + 1}).\n"
        f"It was published (media id {entry['parts'][0]['media_id']}); whatever is on Threads "
        "stays there, and threadsync no longer knows it.\n"
        "While a content file has the id hello, the next plan shows it as a post to create.\n"
    )
    after = published.state()
    assert sorted(after["posts"]) == ["help", "launch"]
    assert after["serial"] == serial + 1 and after["lineage"] == json.loads(before)["lineage"]
    assert published.backup_path.read_bytes() == before  # the version it replaced
    assert sorted(live_texts(emu)) == ["Hello", "Help", "Launch"]  # nothing deleted

    plan = cli("plan", "--json").json()
    assert [(c["id"], c["action"]) for c in plan["changes"]] == [("hello", "create")]


def test_rm_republishes_a_post_deleted_on_threads(
    published: Project, cli: Run, emu: Emulator, outside: Outside
) -> None:
    """The drift case: deleted outside threadsync, and wanted back."""
    media_id = published.state()["posts"]["launch"]["parts"][0]["media_id"]
    outside.delete(media_id)
    drift = cli("plan", "--refresh", "--json").json()["warnings"]
    assert [w["id"] for w in drift] == ["launch"]
    assert cli("state", "rm", "launch").rc == 0
    assert cli("apply", "--yes").rc == 0
    assert sorted(live_texts(emu)) == ["Hello", "Help", "Launch"]
    assert published.state()["posts"]["launch"]["parts"][0]["media_id"] != media_id


def test_mv_renames_an_entry_so_an_edited_and_renamed_file_is_not_posted_again(
    published: Project, cli: Run, emu: Emulator
) -> None:
    published.remove("content/launch.yaml")
    published.post("launch-day", "text: Launch, edited\n")
    plan = cli("plan", "--json").json()
    assert {(c["id"], c["action"]) for c in plan["changes"]} == {
        ("launch", "forget"),
        ("launch-day", "create"),
    }
    entry = published.state()["posts"]["launch"]
    serial = published.state()["serial"]

    result = cli("state", "mv", "launch", "launch-day")
    assert result.rc == 0, result.err
    assert result.out.splitlines()[0] == (
        f"Moved launch to launch-day in .threadsync/state.json (serial {serial + 1})."
    )
    moved = published.state()["posts"]
    assert "launch" not in moved
    assert moved["launch-day"]["parts"] == entry["parts"]
    plan = cli("plan", "--json").json()
    assert plan["changes"] == []  # nothing posted again; the edit is only noticed
    assert any(
        w["id"] == "launch-day" and "was edited after publishing" in w["message"]
        for w in plan["warnings"]
    )
    assert len(live_texts(emu)) == 3


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "hello",
            "help",
            ".threadsync/state.json already has a post 'help'; "
            "'threadsync state rm help' first if that entry is wrong",
        ),
        ("hello", "../hello", "'../hello' can't be a post id: it has a '..' segment"),
        ("hello", "a b", "'a b' can't be a post id: it has a space"),
        ("hello", "", "'' can't be a post id: it is empty"),
    ],
)
def test_mv_refuses_a_taken_or_invalid_new_id(
    published: Project, cli: Run, old: str, new: str, message: str
) -> None:
    before = published.state_path.read_bytes()
    result = cli("state", "mv", old, new)
    assert result.rc == 1
    assert result.error_lines == [f"error: {message}"]
    assert published.state_path.read_bytes() == before


def test_a_change_folds_in_the_log_of_a_stopped_apply(published: Project, cli: Run) -> None:
    journal = Journal(StateStore(published.state_path, published.root))
    journal.forget("help")  # logged, and the run stops before folding it in
    assert published.log_path.exists()
    serial = json.loads(published.state_path.read_bytes())["serial"]

    result = cli("state", "rm", "hello")
    assert result.rc == 0, result.err
    assert result.out.endswith("(It also folded in the 1 change a stopped apply had logged.)\n")
    assert not published.log_path.exists()
    on_disk = json.loads(published.state_path.read_bytes())
    assert sorted(on_disk["posts"]) == ["launch"] and on_disk["serial"] == serial + 1


def test_every_action_waits_for_the_lock_or_names_lock_timeout(
    published: Project, cli: Run
) -> None:
    before = published.state_path.read_bytes()
    with lock_held(published.state_path) as release_in:
        for action in (["list"], ["show", "hello"], ["rm", "hello"], ["mv", "hello", "hi"]):
            result = cli("state", *action)
            assert result.rc == 1, action
            assert result.error_lines[0].endswith(
                "or run with --lock-timeout SECONDS to wait for it"
            )
        assert published.state_path.read_bytes() == before
        release_in(0.3)
        result = cli("state", "rm", "hello", "--lock-timeout", "10")
        assert result.rc == 0, result.err
    assert "hello" not in published.state()["posts"]


ACCOUNTS = "accounts:\n  brand: {}\n  blog: {}\n"


def test_with_several_accounts_a_change_names_one(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(
        {"content/brand/a.yaml": "text: Brand\n", "content/blog/b.yaml": "text: Blog\n"},
        config=ACCOUNTS,
    )
    monkeypatch.setenv("THREADS_ACCESS_TOKEN_BRAND", emu.token)
    monkeypatch.setenv("THREADS_ACCESS_TOKEN_BLOG", emu.mint_token(username="blog")["access_token"])
    assert cli("apply", "--yes").rc == 0

    listed = cli("state", "list")
    assert listed.rc == 0
    assert "== account blog" in listed.out and "== account brand" in listed.out
    assert set(cli("state", "list", "--json").json()["accounts"]) == {"blog", "brand"}

    refused = cli("state", "rm", "a")
    assert refused.rc == 1
    assert refused.error_lines == [
        "error: state rm changes one account's state; add --account NAME"
    ]
    assert cli("state", "rm", "a", "--account", "brand").rc == 0
    brand = json.loads((project.root / ".threadsync/brand/state.json").read_text())
    assert brand["posts"] == {}


def test_hostile_values_in_a_committed_state_are_escaped(published: Project, cli: Run) -> None:
    data = json.loads(published.state_path.read_text(encoding="utf-8"))
    entry = data["posts"].pop("hello")
    entry["parts"][0]["permalink"] = "https://x/\x1b[2J\u202eevil\n::error::forged"
    data["posts"]["he\u202ello\x1b[31m"] = entry
    published.write_state(data)
    listed = cli("state", "list")
    shown = cli("state", "list", "--json")
    entry_json = cli("state", "show", "he\u202ello\x1b[31m")
    assert listed.rc == 0 and shown.rc == 0 and entry_json.rc == 0
    assert entry_json.json()["parts"][0]["permalink"].endswith("::error::forged")
    for text in (listed.out, shown.out, entry_json.out):
        assert "\x1b" not in text and "\u202e" not in text
        assert not any(line.startswith("::") for line in text.splitlines())
    ids = [p["id"] for p in json.loads(shown.out)["posts"]]
    assert "he\u202ello\x1b[31m" in ids  # exact, once the JSON is read


def test_help_describes_every_action(cli: Run, capsys: pytest.CaptureFixture[str]) -> None:
    for action in ("list", "show", "rm", "mv", "compact"):
        with pytest.raises(SystemExit) as done:
            cli("state", action, "--help")
        assert done.value.code == 0
        out = capsys.readouterr().out
        assert "--lock-timeout SECONDS" in out and "--account NAME" in out
    with pytest.raises(SystemExit):
        cli("state", "--help")
    out = capsys.readouterr().out
    assert all(action in out for action in ("list", "show", "rm", "mv", "compact"))


def test_no_token_needed_and_none_shown(
    published: Project, cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THREADS_ACCESS_TOKEN", CANARY)
    results = [cli("state", "list"), cli("state", "show", "help"), cli("state", "rm", "help")]
    assert [r.rc for r in results] == [0, 0, 0]
    assert all(CANARY not in r.out + r.err for r in results)
