"""What ``plan`` learns from the API when a token is set: account, quota, token expiry, drift."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from threadsync.emulator import Emulator

from .support import Outside, Project, Run, live_texts

DAY = 86400.0
LONG_LIVED_DAYS = 60


def test_plan_without_a_token_never_calls_the_api(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_project({"content/a.yaml": "text: Offline\n"})
    monkeypatch.delenv("THREADS_ACCESS_TOKEN")
    emu.clear_requests()
    assert cli("plan").rc == 0
    assert emu.requests() == []


def test_plan_warns_when_the_24h_quota_cannot_hold_the_plan(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    make_project({"content/a.yaml": "text: One\n", "content/b.yaml": "text: Two\n"})
    assert "quota" not in cli("plan").out
    for _ in range(249):  # 250 posts per rolling 24 h; one left
        emu.core.store.count_quota(emu.user_id, "post")
    result = cli("plan", "--detailed-exitcode")
    assert result.rc == 2
    assert (
        "! the plan publishes 2 posts but only 1 remain in the 24 h quota; apply publishes "
        "what fits and defers the rest"
    ) in result.out
    warnings = cli("plan", "--json").json()["warnings"]
    assert any("24 h quota" in w["message"] for w in warnings)


def test_plan_warns_when_the_reply_quota_cannot_hold_a_thread(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    make_project({"content/t.md": "Root\n\n---\nTwo\n\n---\nThree\n"})
    for _ in range(999):  # 1000 replies per rolling 24 h; one left, the thread needs two
        emu.core.store.count_quota(emu.user_id, "reply")
    result = cli("plan")
    assert result.rc == 0, result.err
    assert "the plan publishes 2 replies but only 1 remain in the 24 h reply quota" in result.out
    assert "remain in the 24 h quota;" not in result.out  # the one post fits


@pytest.mark.parametrize(("days_left", "warned"), [(3, True), (30, False)])
def test_plan_warns_when_the_token_expires_within_7_days(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    days_left: int,
    warned: bool,
) -> None:
    make_project({"content/a.yaml": "text: One\n"})
    token = emu.mint_token("long", age=(LONG_LIVED_DAYS - days_left) * DAY + 3600)
    monkeypatch.setenv("THREADS_ACCESS_TOKEN", token["access_token"])
    result = cli("plan")
    assert result.rc == 0, result.err
    assert ("the access token expires in" in result.out) is warned
    if warned:
        assert f"expires in {days_left - 1} day(s)" in result.out
        assert "threadsync auth refresh" in result.out


@pytest.mark.parametrize("command", [["plan"], ["apply", "--yes"], ["import"]])
def test_state_of_another_account_is_refused(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:
    project = make_project({"content/a.yaml": "text: Mine\n"})
    assert cli("apply", "--yes").rc == 0
    assert project.state()["user_id"] == emu.user_id
    project.post("b", "text: Not yet published\n")
    before = project.state_path.read_bytes()
    other = emu.mint_token("long", username="someone_else")
    monkeypatch.setenv("THREADS_ACCESS_TOKEN", other["access_token"])

    result = cli(*command)
    assert result.rc == 1
    assert result.error_lines == [
        f"error: the state file belongs to Threads user {emu.user_id}, but the token is for "
        f"user {other['user_id']}; use that account's token, or a separate state file "
        "(accounts: in threadsync.yaml)"
    ]
    assert "Traceback" not in result.err
    assert project.state_path.read_bytes() == before
    assert live_texts(emu) == ["Mine"]


def test_refresh_reports_posts_deleted_outside_threadsync(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, outside: Outside
) -> None:
    project = make_project({"content/a.yaml": "text: Stays\n", "content/b.yaml": "text: Goes\n"})
    assert cli("apply", "--yes").rc == 0
    outside.delete(project.state()["posts"]["b"]["parts"][0]["media_id"])

    assert "drift" not in cli("plan").out  # only --refresh asks
    result = cli("plan", "--refresh")
    assert result.rc == 0, result.err
    assert "! b: was deleted on Threads outside threadsync (drift)" in result.out
    assert "a: was deleted" not in result.out
    warnings = cli("plan", "--refresh", "--json").json()["warnings"]
    assert [w["id"] for w in warnings if "drift" in w["message"]] == ["b"]


def test_refresh_needs_a_token(
    make_project: Callable[..., Project], cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_project({"content/a.yaml": "text: A\n"})
    result = cli("plan", "--refresh")
    assert result.rc == 1
    assert result.error_lines[0].startswith("error: no access token: set THREADS_ACCESS_TOKEN")


def test_refresh_plans_to_adopt_a_post_already_on_the_account(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, outside: Outside
) -> None:
    make_project({"content/a.yaml": "text: Posted   by HAND\n", "content/b.yaml": "text: New\n"})
    outside.publish("posted by hand")
    data = cli("plan", "--refresh", "--json").json()
    assert [(c["id"], c["action"]) for c in data["changes"]] == [("a", "adopt"), ("b", "create")]
    result = cli("plan", "--refresh")
    assert "<= a" in result.out
    assert "Plan: 1 to publish, 0 scheduled, 0 to delete.\nState: 1 to adopt." in result.out


@pytest.mark.parametrize("how", ["apply --refresh", "saved plan"])
def test_apply_adopts_instead_of_posting_again(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    outside: Outside,
    how: str,
) -> None:
    project = make_project(
        {"content/a.yaml": "text: Posted by hand\n", "content/b.yaml": "text: Mine\n"}
    )
    media_id = outside.publish("posted by hand")
    if how == "saved plan":
        assert cli("plan", "--refresh", "--out", "plan.json").rc == 0
        result = cli("apply", "plan.json")
    else:
        result = cli("apply", "--yes", "--refresh")
    assert result.rc == 0, result.err
    assert live_texts(emu) == ["posted by hand", "Mine"]
    entry = project.state()["posts"]["a"]
    assert entry["status"] == "published"
    assert entry["source"] == "adopt"
    assert entry["parts"][0]["media_id"] == media_id
    assert cli("plan", "--detailed-exitcode").rc == 0
    assert cli("apply", "--yes").rc == 0
    assert live_texts(emu) == ["posted by hand", "Mine"]


def test_refresh_does_not_adopt_a_post_whose_media_differ(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, outside: Outside
) -> None:
    make_project(
        {
            "content/pic.yaml": (
                "text: Look at this\nmedia:\n  - image: https://example.com/p.png\n    alt: P\n"
            )
        }
    )
    outside.publish("Look at this")  # text only
    data = cli("plan", "--refresh", "--json").json()
    assert [(c["id"], c["action"]) for c in data["changes"]] == [("pic", "create")]
