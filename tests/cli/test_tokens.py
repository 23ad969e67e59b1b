"""One token, wherever it came from: the account's variable, else the credentials file.

Every test runs the CLI in-process against the emulator, with the credentials
file at its default place under a temporary HOME (``~/.config/threadsync``).
A token from the file that is due is refreshed before the command runs, once,
and never in CI.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from threadsync.api import Credentials
from threadsync.credentials_store import load_credentials, save_credentials
from threadsync.emulator import Emulator

from .support import Project, Run

DAY = 86_400.0
UTC = dt.timezone.utc
SHOWN = "~/.config/threadsync/credentials.json"
REDIRECT = "https://localhost/threadsync/callback"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emu: Emulator) -> Path:
    """The default credentials file (not yet written), and no token variable."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("THREADSYNC_CREDENTIALS", "XDG_CONFIG_HOME", "THREADS_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "home" / ".config" / "threadsync" / "credentials.json"


def save(path: Path, minted: dict[str, Any], **times: dt.datetime) -> Credentials:
    """Store a token the emulator minted, as 'auth login' would (``times`` overrides its dates)."""
    credentials = Credentials(
        user_id=str(minted["user_id"]),
        scopes=list(minted["scopes"]),
        short_lived=False,
        access_token=minted["access_token"],
        expiration=times.get("expiration", dt.datetime.fromtimestamp(minted["expires_at"], UTC)),
        issued_at=times.get("issued_at", dt.datetime.fromtimestamp(minted["issued_at"], UTC)),
    )
    save_credentials(path, credentials, extra={"username": "someone"})
    return credentials


def stored_token(path: Path) -> str:
    return str(load_credentials(path)[0].access_token)


def one_post(make_project: Callable[..., Project], config: str | None = None) -> Project:
    return make_project({"content/a.yaml": "text: Hello from the file\n"}, config)


def asked_the_api(emu: Emulator) -> bool:
    """Whether a plan went online: it does only with a token."""
    return any(r["path"].split("?")[0].endswith("/me") for r in emu.requests())


# -- the order of sources -------------------------------------------------------------------


def test_the_variable_wins_over_the_file(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one_post(make_project)
    save(home, emu.mint_token())
    other = emu.mint_token(username="env_user")
    monkeypatch.setenv("THREADS_ACCESS_TOKEN", other["access_token"])
    status = cli("status")
    assert status.rc == 0, status.err
    assert "Account: @env_user (token from $THREADS_ACCESS_TOKEN)" in status.out
    auth = cli("auth", "status")
    assert "Token of @env_user" in auth.out and "from $THREADS_ACCESS_TOKEN" in auth.out
    assert other["access_token"] not in status.out + status.err + auth.out + auth.err


def test_the_file_is_used_when_the_variable_is_unset_or_empty(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one_post(make_project)
    save(home, emu.mint_token())
    for value in (None, "  "):
        if value is not None:
            monkeypatch.setenv("THREADS_ACCESS_TOKEN", value)
        status = cli("status", "--json")
        assert status.rc == 0, status.err
        assert status.json()["account"]["token_source"] == SHOWN
        assert status.json()["account"]["user_id"] == emu.user_id
    auth = cli("auth", "status")
    assert f"(Threads user id {emu.user_id}), from {home}" in auth.out


def test_without_variable_or_file_the_error_names_both(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, home: Path
) -> None:
    one_post(make_project)
    result = cli("apply", "--yes")
    assert result.rc == 1
    assert result.error_lines == [
        "error: no access token: set THREADS_ACCESS_TOKEN, or log in with 'threadsync auth "
        "login'; or try the local emulator: 'threadsync emulator' prints the variables to export"
    ]
    assert cli("plan").rc == 0  # an offline plan needs no token


def test_the_file_never_stands_in_for_another_users_state(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, home: Path
) -> None:
    project = one_post(make_project)
    project.write(".threadsync/state.json", json.dumps({"version": 1, "user_id": "999"}))
    save(home, emu.mint_token())
    result = cli("apply", "--yes")
    assert result.rc == 1
    assert (
        f"(the credentials file {SHOWN} holds the token of Threads user {emu.user_id}, "
        "and this state belongs to user 999)" in result.err
    )
    assert emu.posts() == []


ACCOUNTS = """\
accounts:
  brand: {}
  news: {}
"""


def test_with_several_accounts_the_file_serves_only_its_users_state(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = make_project(
        {"content/brand/a.yaml": "text: Brand\n", "content/news/b.yaml": "text: News\n"}, ACCOUNTS
    )
    save(home, emu.mint_token())
    # New states record no user: the file is one user's token, and not guessed for either.
    refused = cli("apply", "--yes")
    assert refused.rc == 1 and emu.posts() == []
    assert "error: account brand: no access token: set THREADS_ACCESS_TOKEN_BRAND" in refused.err
    assert "with several accounts it is used only for the account whose state" in refused.err
    # brand's state records the file's user; news has a variable of its own.
    project.write(
        ".threadsync/brand/state.json", json.dumps({"version": 1, "user_id": emu.user_id})
    )
    news = emu.mint_token(username="news_desk")
    monkeypatch.setenv("THREADS_ACCESS_TOKEN_NEWS", news["access_token"])
    done = cli("apply", "--yes")
    assert done.rc == 0, done.err
    by_user = {p["params"]["text"]: p["owner"] for p in emu.posts()}
    assert by_user == {"Brand": emu.user_id, "News": str(news["user_id"])}


def test_login_then_plan_and_apply_with_no_variable_set(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one_post(make_project)
    monkeypatch.delenv("THREADS_API_URL")
    login_env = {
        "THREADS_APP_ID": emu.app_id,
        "THREADS_APP_SECRET": emu.app_secret,
        "THREADS_REDIRECT_URI": REDIRECT,
    }
    for name, value in login_env.items():
        monkeypatch.setenv(name, value)
    started = cli("auth", "login", "--no-wait", "--api-url", emu.url)
    assert started.rc == 0, started.err
    consent = requests.get(started.out.strip(), allow_redirects=False, timeout=5)
    location = consent.headers["Location"]
    finished = cli("auth", "login", "--callback-url", location, "--api-url", emu.url)
    assert finished.rc == 0, finished.err
    assert stat.S_IMODE(home.stat().st_mode) == 0o600
    for name in login_env:
        monkeypatch.delenv(name)
    assert not [name for name in os.environ if name.startswith("THREADS_")]

    plan = cli("plan", "--api-url", emu.url)
    assert plan.rc == 0, plan.err
    assert "+ a" in plan.out
    applied = cli("apply", "--yes", "--api-url", emu.url)
    assert applied.rc == 0, applied.err
    assert [p["params"]["text"] for p in emu.posts()] == ["Hello from the file"]
    assert emu.posts()[0]["owner"] == emu.user_id
    token = stored_token(home)
    for result in (started, finished, plan, applied):
        assert token not in result.out + result.err


# -- the local refresh ----------------------------------------------------------------------


def test_a_due_token_from_the_file_is_refreshed_and_saved_before_the_command(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, home: Path
) -> None:
    one_post(make_project)
    old = save(home, emu.mint_token(age=55 * DAY))  # 5 days left, within the default 7
    result = cli("plan")
    assert result.rc == 0, result.err
    new = load_credentials(home)[0]
    assert new.access_token != old.access_token
    assert emu.core.store.tokens[new.access_token].kind == "long"
    assert new.expiration is not None and new.expiration > old.expiration + dt.timedelta(days=50)
    line = f"Refreshed the access token in {SHOWN}: it is valid until {new.expiration.date()}."
    assert result.err.splitlines().count(line) == 1
    assert stat.S_IMODE(home.stat().st_mode) == 0o600
    assert load_credentials(home)[1]["username"] == "someone"  # the rest of the file is kept
    # The run used the new token: the next one has nothing to refresh.
    again = cli("plan")
    assert again.rc == 0 and "Refreshed" not in again.err
    assert new.access_token not in result.out + result.err + again.out + again.err


@pytest.mark.parametrize(
    ("config", "issued_days_ago", "left_days"),
    [
        (None, 2, 58),  # young and far from expiry
        (None, 0.1, 3),  # within the window, but Threads refreshes only after 24 h
        ("auth:\n  refresh_days: 3\n", 55, 5),  # outside a narrower window
        ("auth:\n  refresh_days: 0\n", 59, 1),  # 0: never
    ],
)
def test_a_token_not_due_is_left_alone(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    home: Path,
    config: str | None,
    issued_days_ago: float,
    left_days: float,
) -> None:
    one_post(make_project, config)
    now = dt.datetime.now(UTC)
    minted = emu.mint_token()  # valid; the file's dates say how old it is
    save(
        home,
        minted,
        issued_at=now - dt.timedelta(days=issued_days_ago),
        expiration=now + dt.timedelta(days=left_days),
    )
    result = cli("plan")
    assert result.rc == 0, result.err
    assert "Refreshed" not in result.err and "warning" not in result.err
    assert stored_token(home) == minted["access_token"]
    assert asked_the_api(emu)  # with the file's token, as it is


def test_in_ci_the_file_is_never_refreshed(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one_post(make_project)
    minted = emu.mint_token(age=55 * DAY)
    save(home, minted)
    monkeypatch.setenv("CI", "true")
    result = cli("plan")
    assert result.rc == 0, result.err
    assert "Refreshed" not in result.err
    assert stored_token(home) == minted["access_token"]
    assert asked_the_api(emu)


def test_a_failed_refresh_warns_and_uses_the_old_token(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, home: Path
) -> None:
    one_post(make_project)
    minted = emu.mint_token(age=55 * DAY)
    old = save(home, minted)
    emu.add_fault(action="graph_error", path="refresh_access_token", code=10, every=True)
    result = cli("apply", "--yes")
    assert result.rc == 0, result.err
    (warning,) = [line for line in result.err.splitlines() if line.startswith("warning:")]
    assert warning.startswith(f"warning: could not refresh the access token in {SHOWN} (")
    assert warning.endswith(
        f"); using it as it is, valid until {old.expiration:%Y-%m-%d %H:%M} UTC"
    )
    assert stored_token(home) == minted["access_token"]
    assert [p["params"]["text"] for p in emu.posts()] == ["Hello from the file"]


def test_an_expired_token_in_the_file_says_to_log_in(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, home: Path
) -> None:
    one_post(make_project)
    save(home, emu.mint_token(age=61 * DAY))
    result = cli("apply", "--yes")
    assert result.rc == 1
    assert len(result.error_lines) == 1
    assert result.error_lines[0].startswith(f"error: the access token in {SHOWN} expired on ")
    assert result.error_lines[0].endswith(": run 'threadsync auth login'")


def test_the_credentials_files_token_is_a_secret_of_the_cli_error_path(
    home: Path, emu: Emulator, tmp_path: Path
) -> None:
    """Every command may take its token from the file 'auth login' wrote, so an error line
    redacts it as it redacts $THREADS_ACCESS_TOKEN: at its usual place or at --credentials."""
    import argparse

    from threadsync.cli import _named_token

    minted = emu.mint_token()
    save(home, minted)
    token = minted["access_token"]
    assert _named_token(argparse.Namespace()) == [token]
    elsewhere = tmp_path / "creds.json"
    other = emu.mint_token(username="other")
    save(elsewhere, other)
    assert _named_token(argparse.Namespace(credentials=str(elsewhere))) == [other["access_token"]]
