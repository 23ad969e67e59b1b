"""``threadsync status`` end to end: offline, with the emulator's token, and across accounts."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from threadsync.emulator import Emulator

from .support import Project, Run


def test_status_after_an_apply_shows_every_group_the_token_and_the_quota(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project(
        {
            "content/a.yaml": "text: Hello there\n",
            "content/later.yaml": "text: Next year\npublish_at: 2099-01-01T09:00:00Z\n",
            "content/draft.yaml": "text: Not yet\ndraft: true\n",
        }
    )
    assert cli("apply", "--yes").rc == 0
    project.post("b", "text: Written after the apply\n")

    data = cli("status", "--json").json()
    assert data["summary"] == {
        "published": 1,
        "due": 1,
        "scheduled": 1,
        "pending": 0,
        "failed": 0,
        "removed": 0,
        "drafts": 1,
    }
    assert data["published"][0]["id"] == "a"
    assert data["published"][0]["permalink"].startswith("https://www.threads.net/")
    assert data["due"] == [{"id": "b", "text": "Written after the apply"}]
    assert data["scheduled"][0]["when"] == "2099-01-01T09:00:00+00:00"
    account = data["account"]
    assert account["user_id"] == emu.user_id
    assert account["token_days_left"] > 50
    assert account["quota"] == {
        "posts_remaining": 249,
        "posts_total": 250,
        "replies_remaining": 1000,
        "replies_total": 1000,
    }

    text = cli("status")
    assert text.rc == 0
    lines = text.out.splitlines()
    assert lines[0].startswith("State: .threadsync/state.json (serial ")
    assert "Published: 1" in lines
    assert "Due (the next apply publishes them): 1" in lines
    assert "Quota (24 h): 249 of 250 posts, 1000 of 1000 replies left" in lines
    assert any(line.startswith("Token: expires ") for line in lines)
    assert emu.token not in text.out + text.err


def test_status_without_a_token_is_offline_and_survives_broken_content(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_project({"content/a.yaml": "text: Fine\n", "content/bad.yaml": "text: [unclosed\n"})
    monkeypatch.delenv("THREADS_ACCESS_TOKEN")
    emu.clear_requests()
    result = cli("status")
    assert result.rc == 0
    assert emu.requests() == []
    assert "! the content has 1 error(s); 'threadsync validate' lists them" in result.out
    assert "Due (the next apply publishes them): 1" in result.out
    assert "Token and quota: no access token" in result.out


def test_status_refuses_another_accounts_state(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project({"content/a.yaml": "text: Mine\n"})
    assert cli("apply", "--yes").rc == 0
    state = project.state_path.read_text(encoding="utf-8")
    project.state_path.write_text(state.replace(emu.user_id, "999"), encoding="utf-8")
    result = cli("status")
    assert result.rc == 1
    assert "the state file belongs to Threads user 999" in result.err


def test_status_lists_ten_per_group_unless_all(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_project({f"content/p{i:02d}.yaml": f"text: Post {i}\n" for i in range(12)})
    monkeypatch.delenv("THREADS_ACCESS_TOKEN")
    short = cli("status").out
    assert "  ... and 2 more (--all lists them)" in short
    assert "p11" not in short
    assert "p11" in cli("status", "--all").out


CANARY = "THcanaryTOKENstatus0123456789"


def test_status_fails_when_it_cannot_read_the_account(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_project({"content/a.yaml": "text: Fine\n"})
    monkeypatch.setenv("THREADS_ACCESS_TOKEN", CANARY)  # not a token the emulator knows
    result = cli("status")
    assert result.rc == 1
    assert "Due (the next apply publishes them): 1" in result.out  # the rest is still shown
    shown = "Account: could not be read (token from $THREADS_ACCESS_TOKEN): "
    assert shown in result.out
    why = result.out.split(shown, 1)[1].splitlines()[0]
    assert why.startswith("Invalid OAuth access token")
    assert result.error_lines == [
        "error: could not read the Threads account with the token from $THREADS_ACCESS_TOKEN: "
        f"{why}; check the token ('threadsync auth status') and the API URL"
    ]
    as_json = cli("status", "--json")
    assert as_json.rc == 1
    assert "Invalid OAuth access token" in as_json.json()["account"]["error"]
    assert len(as_json.error_lines) == 1
    assert CANARY not in result.out + result.err + as_json.out + as_json.err


def test_status_with_a_token_that_works_exits_0(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    make_project({"content/a.yaml": "text: Fine\n"})
    result = cli("status")
    assert result.rc == 0 and result.err == ""


def test_with_several_accounts_the_one_that_cannot_be_read_fails_the_run(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_project(
        {"content/brand/a.yaml": "text: Brand\n", "content/blog/b.yaml": "text: Blog\n"},
        config="accounts:\n  brand: {}\n  blog: {}\n",
    )
    monkeypatch.setenv("THREADS_ACCESS_TOKEN_BRAND", emu.token)
    monkeypatch.setenv("THREADS_ACCESS_TOKEN_BLOG", CANARY)
    result = cli("status")
    assert result.rc == 1
    assert "== account brand" in result.out and "Account: @" in result.out
    assert [line.split(":")[0:2] for line in result.error_lines] == [["error", " account blog"]]
    assert "could not read the Threads account" in result.error_lines[0]
    documents = cli("status", "--json").json()["accounts"]
    assert "error" not in documents["brand"]
    assert "could not read the Threads account" in documents["blog"]["error"]
    assert documents["blog"]["output"]["account"]["error"]
    assert CANARY not in result.out + result.err
