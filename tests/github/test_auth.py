"""``threadsync auth login|refresh|status`` against the emulator's OAuth endpoints.

Every test also checks, with canaries, that neither a token, a code nor the app
secret reaches the output, the logs, or any file but the credentials file.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from threadsync.api import Credentials
from threadsync.credentials_store import load_credentials, save_credentials
from threadsync.emulator import Emulator

from .conftest import APP_SECRET, Run

REDIRECT = "https://app.example/threadsync/callback"
DAY = 86_400.0
UTC = dt.timezone.utc


@pytest.fixture
def creds_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emu: Emulator) -> Path:
    path = tmp_path / "config" / "threadsync" / "credentials.json"
    monkeypatch.setenv("THREADSYNC_CREDENTIALS", str(path))
    monkeypatch.setenv("THREADS_API_URL", emu.url)
    monkeypatch.setenv("THREADS_APP_ID", emu.app_id)
    monkeypatch.setenv("THREADS_REDIRECT_URI", REDIRECT)
    monkeypatch.setenv("THREADS_APP_SECRET", APP_SECRET)
    monkeypatch.chdir(tmp_path)
    return path


@pytest.fixture(autouse=True)
def _debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)


def secrets_of(emu: Emulator) -> list[str]:
    store = emu.core.store
    return [APP_SECRET, *store.tokens.keys(), *store.codes.keys()]


def assert_clean(emu: Emulator, caplog: pytest.LogCaptureFixture, *texts: str) -> None:
    everything = "\n".join([*texts, caplog.text])
    for secret in secrets_of(emu):
        assert secret not in everything


class Browser:
    """The user: opens the URL the command printed and pastes where Threads sent them."""

    def __init__(self, **extra: str) -> None:
        self.extra = extra
        self.location = ""

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        printed = sys.stderr.getvalue()  # type: ignore[attr-defined]
        self.location = open_consent(printed, **self.extra)
        return self.location + "\n"


def open_consent(printed: str, **extra: str) -> str:
    match = re.search(r"(http://127\.0\.0\.1:\d+/oauth/authorize\?\S+)", printed)
    assert match, printed
    url = match.group(1) + ("&" + urlencode(extra) if extra else "")
    r = requests.get(url, allow_redirects=False, timeout=5)
    assert r.status_code == 302, r.text
    return str(r.headers["Location"])


@pytest.fixture
def fake_gh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``gh`` on PATH that records its argv and stdin (and can fail, echoing stdin)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    record = tmp_path / "gh-record"
    record.mkdir()
    script = bindir / "gh"
    script.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$@" > "{record}/argv"\n'
        f'cat > "{record}/stdin"\n'
        'if [ -n "$FAKE_GH_FAIL" ]; then\n'
        f'  echo "HTTP 403: Resource not accessible (value: $(cat {record}/stdin))" >&2\n'
        "  exit 1\n"
        "fi\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    return record


def store_minted(path: Path, minted: dict[str, Any], **extra: Any) -> Credentials:
    credentials = Credentials(
        user_id=str(minted["user_id"]),
        scopes=list(minted["scopes"]),
        short_lived=minted["kind"] == "short",
        access_token=minted["access_token"],
        expiration=dt.datetime.fromtimestamp(minted["expires_at"], UTC),
        issued_at=dt.datetime.fromtimestamp(minted["issued_at"], UTC),
    )
    save_credentials(path, credentials, extra=extra)
    return credentials


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- login --------------------------------------------------------------------------------


def test_login_pasting_the_redirect_saves_a_private_long_lived_token(
    cli: Run,
    emu: Emulator,
    creds_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    browser = Browser()
    monkeypatch.setattr(sys, "stdin", browser)
    result = cli("auth", "login")
    assert result.rc == 0, result.err
    assert "Open this address in a browser" in result.err
    assert f"Logged in as @{emu.username} (Threads user id {emu.user_id})." in result.out
    assert re.search(r"valid until \d{4}-\d\d-\d\d \d\d:\d\d UTC \(60 days\)", result.out)
    assert f"Saved it to {creds_path} (mode 0600" in result.out
    assert mode(creds_path) == 0o600 and mode(creds_path.parent) == 0o700
    credentials, extra = load_credentials(creds_path)
    token = emu.core.store.tokens[credentials.access_token]
    assert (token.kind, token.user_id) == ("long", emu.user_id)
    assert not credentials.short_lived and extra["username"] == emu.username
    query = parse_qs(urlsplit(browser.location).query)
    assert query["state"][0] and "code" in query
    assert not (creds_path.parent / "login-pending.json").exists()
    assert_clean(emu, caplog, result.text)


def test_login_in_two_steps_with_callback_url(
    cli: Run, emu: Emulator, creds_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = cli("auth", "login", "--no-wait", "--scopes", "threads_basic,threads_content_publish")
    assert first.rc == 0
    (url,) = first.out.splitlines()
    assert parse_qs(urlsplit(url).query)["scope"] == ["threads_basic,threads_content_publish"]
    pending = creds_path.parent / "login-pending.json"
    assert mode(pending) == 0o600
    location = open_consent(url)
    second = cli("auth", "login", "--callback-url", location)
    assert second.rc == 0, second.err
    credentials, _ = load_credentials(creds_path)
    assert credentials.scopes == ["threads_basic", "threads_content_publish"]
    assert not pending.exists()
    again = cli("auth", "login", "--callback-url", location)  # the state was used up
    assert again.rc == 1 and "no login in progress" in again.err
    assert_clean(emu, caplog, first.text, second.text, again.text)


def test_login_checks_the_state(
    cli: Run, emu: Emulator, creds_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = cli("auth", "login", "--no-wait").out.strip()
    location = open_consent(url)
    forged = re.sub(r"state=[^&#]+", "state=forged", location)
    result = cli("auth", "login", "--callback-url", forged)
    assert result.rc == 1
    assert result.err.startswith("error: login failed: the callback's state does not match")
    assert not creds_path.exists()
    assert cli("auth", "login", "--callback-url", location).rc == 0  # the real one still works
    assert_clean(emu, caplog, result.text)


def test_a_wrong_app_secret_is_refused_and_never_shown(
    cli: Run,
    emu: Emulator,
    creds_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wrong = "canary-WRONG-secret-8e7d6c5b"
    url = cli("auth", "login", "--no-wait").out.strip()
    monkeypatch.setenv("THREADS_APP_SECRET", wrong)
    result = cli("auth", "login", "--callback-url", open_consent(url))
    assert result.rc == 1 and "login failed" in result.err
    assert wrong not in result.text + caplog.text
    assert_clean(emu, caplog, result.text)


def test_login_refused_by_the_user(cli: Run, emu: Emulator, creds_path: Path) -> None:
    url = cli("auth", "login", "--no-wait").out.strip()
    result = cli("auth", "login", "--callback-url", open_consent(url, emulator_deny="1"))
    assert result.rc == 1
    assert "authorization refused: The user denied your request" in result.err


def test_login_print_shows_the_token_and_writes_no_file(
    cli: Run, emu: Emulator, creds_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", Browser())
    result = cli("auth", "login", "--print")
    assert result.rc == 0, result.err
    printed = json.loads(result.out)
    assert emu.core.store.tokens[printed["access_token"]].kind == "long"
    assert "Logged in as" in result.err and not creds_path.exists()


def test_login_stores_the_github_secret_through_stdin(
    cli: Run,
    emu: Emulator,
    creds_path: Path,
    fake_gh: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", Browser())
    result = cli(
        "auth", "login", "--github-secret", "THREADS_ACCESS_TOKEN", "--repo", "octo/content"
    )
    assert result.rc == 0, result.err
    credentials, _ = load_credentials(creds_path)
    assert (fake_gh / "stdin").read_text() == credentials.access_token
    argv = (fake_gh / "argv").read_text().split()
    assert argv == ["secret", "set", "THREADS_ACCESS_TOKEN", "--repo", "octo/content"]
    assert "Stored it as the GitHub secret THREADS_ACCESS_TOKEN of octo/content." in result.out
    assert_clean(emu, caplog, result.text)


def test_login_needs_the_app_settings(
    cli: Run, creds_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("THREADS_APP_ID")
    result = cli("auth", "login", "--no-wait")
    assert result.rc == 1 and "login needs --app-id/THREADS_APP_ID" in result.err
    monkeypatch.delenv("THREADS_APP_SECRET")
    monkeypatch.setattr(sys, "stdin", Browser())
    result = cli("auth", "login", "--app-id", "1")
    assert result.rc == 1 and "set THREADS_APP_SECRET" in result.err


def test_login_with_the_consent_page_given(cli: Run, creds_path: Path) -> None:
    url = cli("auth", "login", "--no-wait", "--authorize-url", "https://auth.example/consent").out
    assert url.startswith("https://auth.example/consent?client_id=")


# -- refresh ------------------------------------------------------------------------------


def test_refresh_renews_a_token_a_day_old(
    cli: Run, emu: Emulator, creds_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old = store_minted(creds_path, emu.mint_token("long", age=2 * DAY), username="someone")
    result = cli("auth", "refresh")
    assert result.rc == 0, result.err
    assert "Refreshed the token of @someone: it is valid until" in result.out
    renewed, extra = load_credentials(creds_path)
    assert renewed.access_token != old.access_token
    assert emu.core.store.tokens[renewed.access_token].kind == "long"
    assert renewed.expiration and renewed.expiration > old.expiration  # type: ignore[operator]
    assert extra["username"] == "someone" and mode(creds_path) == 0o600
    assert_clean(emu, caplog, result.text)


def test_refresh_leaves_a_young_token_alone(cli: Run, emu: Emulator, creds_path: Path) -> None:
    old = store_minted(creds_path, emu.mint_token("long", age=3 * 3600))
    result = cli("auth", "refresh")
    assert result.rc == 0
    assert "Not refreshed: the token is 3 h old" in result.out
    assert load_credentials(creds_path)[0].access_token == old.access_token


def test_refresh_of_an_expired_token_says_to_log_in(
    cli: Run, emu: Emulator, creds_path: Path
) -> None:
    store_minted(creds_path, emu.mint_token("long", age=61 * DAY))
    result = cli("auth", "refresh")
    assert (
        result.rc == 1 and "can no longer be refreshed: run 'threadsync auth login'" in result.err
    )


def test_refresh_in_ci_stores_the_new_token_as_a_secret(
    cli: Run,
    emu: Emulator,
    creds_path: Path,
    fake_gh: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = emu.mint_token("long", age=8 * DAY)["access_token"]
    monkeypatch.setenv("THREADS_ACCESS_TOKEN", old)
    monkeypatch.delenv("THREADSYNC_CREDENTIALS")
    monkeypatch.setenv("HOME", str(creds_path.parent))  # no file is written there
    result = cli(
        "auth",
        "refresh",
        "--token-env",
        "THREADS_ACCESS_TOKEN",
        "--github-secret",
        "THREADS_ACCESS_TOKEN",
    )
    assert result.rc == 0, result.err
    new = (fake_gh / "stdin").read_text()
    assert new != old and emu.core.store.tokens[new].kind == "long"
    assert old not in (fake_gh / "argv").read_text() and new not in (fake_gh / "argv").read_text()
    assert "Stored it as the GitHub secret THREADS_ACCESS_TOKEN." in result.out
    assert not list(creds_path.parent.rglob("*.json"))
    assert_clean(emu, caplog, result.text)


def test_refresh_from_the_environment_needs_somewhere_to_keep_it(
    cli: Run, emu: Emulator, creds_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THREADS_ACCESS_TOKEN", emu.mint_token("long", age=2 * DAY)["access_token"])
    monkeypatch.delenv("THREADSYNC_CREDENTIALS")
    result = cli("auth", "refresh", "--token-env", "THREADS_ACCESS_TOKEN")
    assert (
        result.rc == 1 and "add --github-secret NAME, --credentials FILE or --print" in result.err
    )


def test_refresh_without_gh_fails_before_refreshing(
    cli: Run, emu: Emulator, creds_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_minted(creds_path, emu.mint_token("long", age=2 * DAY))
    tokens = len(emu.core.store.tokens)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = cli("auth", "refresh", "--github-secret", "THREADS_ACCESS_TOKEN")
    assert result.rc == 1
    assert (
        "the GitHub CLI 'gh' is not installed" in result.err
        and "https://cli.github.com" in result.err
    )
    assert len(emu.core.store.tokens) == tokens


def test_a_failing_gh_is_reported_without_the_token(
    cli: Run,
    emu: Emulator,
    creds_path: Path,
    fake_gh: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store_minted(creds_path, emu.mint_token("long", age=2 * DAY))
    monkeypatch.setenv("FAKE_GH_FAIL", "1")
    result = cli("auth", "refresh", "--github-secret", "THREADS_ACCESS_TOKEN")
    assert result.rc == 1
    assert "'gh secret set THREADS_ACCESS_TOKEN' failed (exit 1): HTTP 403" in result.err
    assert "[REDACTED]" in result.err
    assert_clean(emu, caplog, result.text)


# -- status -------------------------------------------------------------------------------


def test_status_of_a_fresh_token(
    cli: Run, emu: Emulator, creds_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store_minted(creds_path, emu.mint_token("long"))
    result = cli("auth", "status")
    assert result.rc == 0, result.out
    assert (
        f"Token of @{emu.username} (Threads user id {emu.user_id}), from {creds_path}" in result.out
    )
    assert "threads_basic" in result.out and "(60.0 days left)" in result.out
    assert "status:  valid for 60 more days" in result.out
    assert_clean(emu, caplog, result.text)


def test_status_warns_before_expiry(cli: Run, emu: Emulator, creds_path: Path) -> None:
    store_minted(creds_path, emu.mint_token("long", age=55 * DAY))
    result = cli("auth", "status")
    assert result.rc == 1
    assert "expires in 5.0 days: run 'threadsync auth refresh'" in result.out
    assert cli("auth", "status", "--warn-days", "3").rc == 0


def test_status_of_an_expired_token(cli: Run, emu: Emulator, creds_path: Path) -> None:
    store_minted(creds_path, emu.mint_token("long", age=61 * DAY))
    result = cli("auth", "status")
    assert result.rc == 1 and "expired: run 'threadsync auth login'" in result.out


def test_status_of_a_bad_token_in_the_environment(
    cli: Run,
    emu: Emulator,
    creds_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bogus = "THcanaryBOGUStoken0123456789abcdef"
    monkeypatch.setenv("MY_TOKEN", bogus)
    result = cli("auth", "status", "--token-env", "MY_TOKEN", "--json")
    assert result.rc == 1
    data = json.loads(result.out)
    assert (data["status"], data["valid"], data["source"]) == ("invalid", False, "$MY_TOKEN")
    assert bogus not in result.text + caplog.text


def test_status_when_threads_answers_5xx_says_it_could_not_be_reached(
    cli: Run, emu: Emulator, creds_path: Path
) -> None:
    """A server error says nothing of the token: not 'invalid', and not 'ok' from the file."""
    store_minted(creds_path, emu.mint_token("long"))
    body = {"error": {"message": "Service temporarily unavailable", "code": 2}}
    emu.add_fault(action="http_error", status=503, body=body, every=True, retry_after=0)
    host = urlsplit(emu.url).netloc
    result = cli("auth", "status")
    assert result.rc == 1
    assert f"status:  Threads could not be reached at {host}: Service temporarily" in result.out
    assert "HTTP 503" in result.out and "not valid" not in result.out
    data = json.loads(cli("auth", "status", "--json").out)
    assert (data["status"], data["valid"]) == ("unreachable", None)
    assert data["unreachable"].startswith(f"Threads could not be reached at {host}: ")


def test_status_when_the_network_fails_names_the_host_and_the_cause(
    cli: Run, emu: Emulator, creds_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    from threadsync.api import RetryPolicy, transport

    store_minted(creds_path, emu.mint_token("long"))
    with socket.socket() as sock:  # a port on which nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("THREADS_API_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setattr(transport, "RetryPolicy", lambda: RetryPolicy(max_attempts=1))
    result = cli("auth", "status")
    assert result.rc == 1
    assert (
        f"status:  can't reach http://127.0.0.1:{port} (connection refused): is the emulator "
        "running? (THREADS_API_URL); the token was not checked\n" in result.out
    )
    assert "not valid" not in result.out


def test_status_when_threads_refuses_the_check_is_unknown_not_invalid(
    cli: Run, emu: Emulator, creds_path: Path
) -> None:
    store_minted(creds_path, emu.mint_token("long"))
    emu.add_fault(action="graph_error", code=10, message="No permission", every=True)
    result = cli("auth", "status", "--json")
    data = json.loads(result.out)
    assert result.rc == 1
    assert (data["status"], data["valid"]) == ("unknown", None)
    assert data["message"].startswith("could not be checked: No permission")


def test_status_json_and_offline(cli: Run, emu: Emulator, creds_path: Path) -> None:
    store_minted(creds_path, emu.mint_token("long", age=DAY), username="stored-name")
    result = cli("auth", "status", "--offline", "--json")
    data = json.loads(result.out)
    assert result.rc == 0
    assert (data["status"], data["checked"], data["username"]) == ("ok", "stored", "stored-name")
    assert 58.5 < data["days_left"] < 59.5
    creds_path.chmod(0o644)
    result = cli("auth", "status", "--offline")
    assert f"note:    {creds_path} is readable by others" in result.out


def test_status_without_credentials(cli: Run, creds_path: Path) -> None:
    result = cli("auth", "status")
    assert result.rc == 1
    assert f"no credentials at {creds_path}: run 'threadsync auth login' first" in result.err


def test_login_reads_the_app_from_threadsync_yaml_once_config_has_auth(
    cli: Run, creds_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """threadsync.yaml's auth: section (app_id, redirect_uri, scopes) fills what flags and
    variables leave out; the config model gets it from the lead, so it is simulated here."""
    import types

    import threadsync.config

    monkeypatch.delenv("THREADS_APP_ID")
    monkeypatch.delenv("THREADS_REDIRECT_URI")
    section = {
        "app_id": "777",
        "redirect_uri": "https://yaml.example/cb",
        "scopes": ["threads_basic"],
    }
    fake = types.SimpleNamespace(auth=section)
    monkeypatch.setattr(threadsync.config, "load_config", lambda path, root: fake)
    url = cli("auth", "login", "--no-wait").out.strip()
    query = parse_qs(urlsplit(url).query)
    assert query["client_id"] == ["777"] and query["scope"] == ["threads_basic"]
    assert query["redirect_uri"] == ["https://yaml.example/cb"]
    url = cli("auth", "login", "--no-wait", "--app-id", "888").out.strip()
    assert parse_qs(urlsplit(url).query)["client_id"] == ["888"]  # the flag wins
