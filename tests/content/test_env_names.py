"""The environment stays closed: credential-looking names and held tokens are refused.

``env:`` is an allow-list; on top of that, a name that looks like a credential
(any common spelling) can't be listed, and neither can a variable whose value
is a token threadsync holds in this run, whatever its name.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from threadsync.cli import main
from threadsync.config import ConfigError, load_config
from threadsync.secrets import is_secret_name, known_secrets

from .contentkit import load, messages, write

CANARY = "canary-token-5b2f71d0"

REFUSED = [
    "GH_PAT",
    "GH_PAT2",
    "DB_PASS",
    "DB_PW",
    "MYPASSWORD",
    "db_password",
    "dbPassword",
    "APIKEY",
    "API_KEY",
    "X_AUTH",
    "AUTH_HEADER",
    "SENTRY_DSN",
    "SLACK_WEBHOOK_URL",
    "SESSION_ID",
    "COOKIE_SECRET",
    "PRIVATE_KEY",
    "TLS_CERT",
    "DATABASE_URL",
    "REDIS_URL",
    "MONGODB_URI",
    "AWS_SECRET_ACCESS_KEY",
    "NPM_TOKEN",
    "GITHUB_TOKEN",
    "THREADS_ACCESS_TOKEN",
    "THREADS_ACCESS_TOKEN_BRAND",
    "THREADS_APP_SECRET",
    "GCP_CREDENTIALS",
    "PWD",
    "SSH_AUTH_SOCK",
    "OAUTH_CLIENT_ID",
    "JWT",
    "HOCKEY_SCORE",  # ends in KEY: refused though innocent (a false alarm costs a rename)
]

ALLOWED = [
    "RELEASE_VERSION",
    "PATH",  # not PAT: short words count only whole
    "PATTERN",
    "COMPAT_MODE",
    "GIT_AUTHOR_NAME",  # not AUTH
    "AUTHORS",
    "BYPASS_CACHE",  # not PASS
    "PASSENGER_COUNT",
    "KEYWORDS",
    "SITE_URL",  # a URL, but not a data store's
    "DOCS_URL",
    "GITHUB_SHA",
    "GITHUB_REPOSITORY",
    "BUILD_ID",
    "LANG",
]


@pytest.mark.parametrize("name", REFUSED)
def test_credential_looking_names_are_refused(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ALLOWED)
def test_innocent_names_are_allowed(name: str) -> None:
    assert not is_secret_name(name)


@pytest.mark.parametrize("name", ["GH_PAT", "SENTRY_DSN", "DATABASE_URL", "MYPASSWORD"])
def test_env_list_refuses_credential_names(tmp_path: Path, name: str) -> None:
    (tmp_path / "threadsync.yaml").write_text(f"env: [RELEASE, {name}]\n")
    with pytest.raises(ConfigError) as info:
        load_config(None, tmp_path)
    assert str(info.value) == (
        f"threadsync.yaml:1:6: {name} holds a secret; templates may not read it"
    )


def test_redactor_collects_the_wider_names_but_not_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GH_PAT", "ghp-secret-value")
    monkeypatch.setenv("SENTRY_DSN", "https://key@sentry.example/1")
    monkeypatch.setenv("PWD", "/home/someone/repo")
    monkeypatch.setenv("THREADSYNC_CREDENTIALS", "/home/someone/creds.json")
    found = known_secrets()
    assert "ghp-secret-value" in found
    assert "https://key@sentry.example/1" in found
    assert "/home/someone/repo" not in found
    assert "/home/someone/creds.json" not in found


def test_a_variable_holding_a_held_token_is_refused(tmp_path: Path) -> None:
    env = {"RELEASE_NOTES_REF": CANARY, "RELEASE": "1.2"}
    project = load(
        tmp_path,
        {
            "content/a.yaml": "text: 'v{{ env.RELEASE }}'",
            "content/b.yaml": "text: 'x{{ env.RELEASE_NOTES_REF }}'",
        },
        config="vars: {}\nenv:\n  - RELEASE\n  - RELEASE_NOTES_REF\n",
        env=env,
        held_tokens=[CANARY],
    )
    assert messages(project) == [
        "content/b.yaml:1:7: text: environment variable RELEASE_NOTES_REF holds a token "
        "threadsync uses; templates may not read it",
        "threadsync.yaml:4:5: env: RELEASE_NOTES_REF holds the value of a token threadsync uses; "
        "templates may not read it",
    ]
    assert CANARY not in "".join(messages(project))
    assert [p.parts[0].text for p in project.posts] == ["v1.2"]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    write(
        root,
        {
            "threadsync.yaml": "env: [SHARED_REF]\naccounts:\n  brand: {}\n",
            "content/brand/a.yaml": "text: 'ref {{ env.SHARED_REF }}'",
        },
    )
    monkeypatch.chdir(root)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("THREADSYNC_CREDENTIALS", raising=False)
    monkeypatch.setenv("SHARED_REF", CANARY)
    return root


@pytest.mark.parametrize(
    "holder", ["THREADS_ACCESS_TOKEN", "THREADS_ACCESS_TOKEN_BRAND", "THREADS_APP_SECRET"]
)
def test_validate_refuses_a_variable_with_a_token_value(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    holder: str,
) -> None:
    """THREADS_ACCESS_TOKEN, an account's token variable, or the app secret."""
    monkeypatch.setenv(holder, CANARY)
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "content/brand/a.yaml:1:7: text: environment variable SHARED_REF holds a token "
        "threadsync uses; templates may not read it",
        "threadsync.yaml:1:7: env: SHARED_REF holds the value of a token threadsync uses; "
        "templates may not read it",
        "2 errors in 2 files",
    ]
    assert CANARY not in out


def test_plan_refuses_a_variable_with_the_token_env_value(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MY_TOKEN_VAR", CANARY)
    assert main(["plan", "--token-env", "MY_TOKEN_VAR"]) == 1
    err = capsys.readouterr().err
    assert (
        "threadsync.yaml:1:7: env: SHARED_REF holds the value of a token threadsync uses; "
        "templates may not read it"
    ) in err
    assert CANARY not in err


def test_validate_refuses_the_token_of_the_credentials_file(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    creds = tmp_path / "config/threadsync/credentials.json"
    creds.parent.mkdir(parents=True)
    creds.write_text(json.dumps({"access_token": CANARY, "user_id": "1"}))
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert "env: SHARED_REF holds the value of a token threadsync uses" in out
    assert CANARY not in out


def test_validate_allows_the_variable_when_no_token_matches(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("THREADS_ACCESS_TOKEN", "another-token-value")
    assert main(["validate"]) == 0
    assert capsys.readouterr().out == "1 post valid\n"
