# ruff: noqa: E501  (exact expected messages read best on one line)
"""threadsync.yaml: defaults, every key, exact messages, and the media URL context."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from threadsync.config import Config, ConfigError, detect_media_url_context, load_config
from threadsync.content import MediaUrlContext, load_project
from threadsync.errors import ThreadsyncError


def write_config(root: Path, text: str) -> Path:
    path = root / "threadsync.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(root: Path, text: str) -> list[str]:
    write_config(root, text)
    with pytest.raises(ConfigError) as info:
        load_config(None, root)
    return [str(p) for p in info.value.problems]


def test_no_file_means_defaults(tmp_path: Path) -> None:
    config = load_config(None, tmp_path)
    assert config == Config()
    assert config.content == "content"
    assert config.state == ".threadsync/state.json"
    assert config.limits.max_posts_per_apply == 25
    assert config.limits.max_deletes_per_apply == 0
    assert config.limits.text_warn_ratio == 0.9
    assert config.prune is False
    assert config.source is None
    assert config.tzinfo() is None


def test_every_key(tmp_path: Path) -> None:
    write_config(
        tmp_path,
        """
content: posts
state: .threadsync/main.json
timezone: America/New_York
vars: {product: Acme, nested: {a: [1, 2]}}
env: [RELEASE_VERSION]
defaults:
  reply_control: followers_only
  topic: Acme
  countries: [US]
  location: 12345
  on_change: replace
media:
  base_url: "https://raw.githubusercontent.com/{repo}/{sha}/{path}"
limits: {max_posts_per_apply: 5, max_deletes_per_apply: 2, text_warn_ratio: 1}
prune: true
accounts:
  brand:
    content: content/brand
    state: .threadsync/brand.json
    token_env: BRAND_TOKEN
""",
    )
    config = load_config(None, tmp_path)
    assert config.source == "threadsync.yaml"
    assert config.content == "posts"
    assert config.vars["nested"] == {"a": [1, 2]}
    assert config.defaults.location == "12345"
    assert config.defaults.on_change == "replace"
    assert config.limits.text_warn_ratio == 1
    assert config.accounts["brand"].token_env == "BRAND_TOKEN"
    tz = config.tzinfo()
    assert tz is not None and dt.datetime(2027, 1, 1, tzinfo=tz).utcoffset() == dt.timedelta(
        hours=-5
    )


def test_empty_file_means_defaults(tmp_path: Path) -> None:
    write_config(tmp_path, "# nothing yet\n")
    assert load_config(None, tmp_path).model_dump() == Config().model_dump()


def test_explicit_path(tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text("content: elsewhere\n")
    assert load_config(path, tmp_path).content == "elsewhere"
    with pytest.raises(ThreadsyncError, match=r"config file missing\.yaml does not exist"):
        load_config(tmp_path / "missing.yaml", tmp_path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "contnet: posts\n",
            [
                "threadsync.yaml:1:1: unknown key 'contnet' in threadsync.yaml (did you mean 'content'?)"
            ],
        ),
        (
            "timezone: Mars/Olympus\n",
            [
                "threadsync.yaml:1:11: unknown timezone 'Mars/Olympus'; use an IANA name such as 'Europe/Berlin' or 'UTC'"
            ],
        ),
        (
            "env: [THREADS_ACCESS_TOKEN]\n",
            ["threadsync.yaml:1:6: THREADS_ACCESS_TOKEN holds a secret; templates may not read it"],
        ),
        (
            "env: [RELEASE, THREADS_ACCESS_TOKEN_BRAND]\n",
            [
                "threadsync.yaml:1:6: THREADS_ACCESS_TOKEN_BRAND holds a secret; templates may not read it"
            ],
        ),
        (
            "env: [GITHUB_TOKEN]\n",
            ["threadsync.yaml:1:6: GITHUB_TOKEN holds a secret; templates may not read it"],
        ),
        (
            "env: [AWS_SECRET_ACCESS_KEY]\n",
            [
                "threadsync.yaml:1:6: AWS_SECRET_ACCESS_KEY holds a secret; templates may not read it"
            ],
        ),
        (
            "env: [BRAND]\naccounts:\n  brand: {token_env: BRAND}\n",
            [
                "threadsync.yaml:3:3: BRAND is the token_env of account 'brand', so it holds "
                "a token; remove it from env:"
            ],
        ),
        ("env: [my-var]\n", ["threadsync.yaml:1:6: 'my-var' is not an environment variable name"]),
        ("env: RELEASE\n", ["threadsync.yaml:1:6: env must be a list, not the text 'RELEASE'"]),
        (
            "media: {base_url: 'https://x/{branch}/{path}'}\n",
            [
                "threadsync.yaml:1:19: media.base_url has unknown placeholder {branch}; use {repo}, {sha} and {path}"
            ],
        ),
        (
            "media: {baseurl: x}\n",
            ["threadsync.yaml:1:9: unknown key 'baseurl' in media (did you mean 'base_url'?)"],
        ),
        (
            "limits:\n  max_deletes_per_apply: -1\n  text_warn_ratio: 2\n",
            [
                "threadsync.yaml:2:26: limits.max_deletes_per_apply must be at least 0, not the number -1",
                "threadsync.yaml:3:20: limits.text_warn_ratio must be at most 1.0, not the number 2",
            ],
        ),
        (
            "limits: {max_posts_per_apply: many}\n",
            [
                "threadsync.yaml:1:31: limits.max_posts_per_apply must be a whole number, not the text 'many'"
            ],
        ),
        (
            "defaults: {reply_control: all, text: hi}\n",
            [
                "threadsync.yaml:1:27: defaults.reply_control must be one of: everyone, accounts_you_follow, mentioned_only, parent_post_author_only, followers_only; got the text 'all'",
                "threadsync.yaml:1:32: unknown key 'text' in defaults",
            ],
        ),
        ("content: ''\n", ["threadsync.yaml:1:10: content must be a path, not empty"]),
        ("prune: yes\n", ["threadsync.yaml:1:8: prune must be true or false, not the text 'yes'"]),
        (
            "accounts:\n  brand: {tokenenv: X}\n",
            [
                "threadsync.yaml:2:11: unknown key 'tokenenv' in account 'brand' (did you mean 'token_env'?)"
            ],
        ),
        (
            "accounts:\n  brand: {token_env: 'a b'}\n",
            ["threadsync.yaml:2:22: token_env 'a b' is not an environment variable name"],
        ),
        (
            "accounts: [a]\n",
            ["threadsync.yaml:1:11: accounts must be a mapping (key: value), not a list"],
        ),
        (
            "content: posts\ncontent: other\n",
            ["threadsync.yaml:2:1: duplicate key 'content': it is already set on line 1"],
        ),
        (
            "content: [\n",
            [
                "threadsync.yaml:2:1: invalid YAML: while parsing a flow node: did not find expected node content"
            ],
        ),
        (
            "- a list\n",
            ["threadsync.yaml:1:1: threadsync.yaml must be a mapping of settings (key: value)"],
        ),
    ],
)
def test_invalid_config_messages(tmp_path: Path, text: str, expected: list[str]) -> None:
    assert problems(tmp_path, text) == expected


def test_a_retired_apply_key_is_a_located_warning_not_an_error(tmp_path: Path) -> None:
    write_config(tmp_path, "apply:\n  workers: 2\n  not_ready_delay: 2.0\n")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.yaml").write_text("text: Hi\n", encoding="utf-8")
    config = load_config(None, tmp_path)
    assert config.apply.workers == 2
    assert [str(w) for w in config.warnings] == [
        "threadsync.yaml:3:3: warning: apply.not_ready_delay is no longer used: 'media not ready' is now answered by polling the container's status (poll_initial, poll_multiplier, poll_max); remove it"
    ]
    # validate and plan show it with the content's own problems
    content = load_project(tmp_path, config)
    assert content.warnings == list(config.warnings) and content.ok
    assert load_config(None, tmp_path).model_copy(update={"content": "c"}).warnings


def test_config_error_is_a_threadsync_error(tmp_path: Path) -> None:
    write_config(tmp_path, "prune: maybe\n")
    with pytest.raises(ThreadsyncError) as info:
        load_config(None, tmp_path)
    assert (
        str(info.value) == "threadsync.yaml:1:8: prune must be true or false, not the text 'maybe'"
    )


def test_undecodable_config(tmp_path: Path) -> None:
    (tmp_path / "threadsync.yaml").write_bytes(b"content: caf\xe9\n")
    with pytest.raises(ConfigError) as info:
        load_config(None, tmp_path)
    assert [str(p) for p in info.value.problems] == [
        "threadsync.yaml:1:1: not valid UTF-8; save the file as UTF-8"
    ]


def test_media_url_context_from_github_environment(tmp_path: Path) -> None:
    env = {"GITHUB_REPOSITORY": "octo/site", "GITHUB_SHA": "0123abc"}
    assert detect_media_url_context(tmp_path, env) == MediaUrlContext("octo/site", "0123abc")


def test_media_url_context_without_git(tmp_path: Path) -> None:
    assert detect_media_url_context(tmp_path, {}) == MediaUrlContext(None, None)


@pytest.mark.parametrize(
    ("remote", "repo"),
    [
        ("git@github.com:octo/site.git", "octo/site"),
        ("https://github.com/octo/site", "octo/site"),
        ("https://github.com/octo/site.git/", "octo/site"),
    ],
)
def test_media_url_context_from_git(tmp_path: Path, remote: str, repo: str) -> None:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=tmp_path, check=True, capture_output=True, text=True
        ).stdout.strip()

    git("init", "-q")
    git("-c", "user.email=a@b.c", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "x")
    git("remote", "add", "origin", remote)
    sha = git("rev-parse", "HEAD")
    assert detect_media_url_context(tmp_path, {}) == MediaUrlContext(repo, sha)
    # The GitHub environment wins over git.
    assert detect_media_url_context(tmp_path, {"GITHUB_SHA": "f00"}).sha == "f00"
