"""Accounts in threadsync.yaml: safe names, and no two sharing a state file or content dir.

An account's name becomes part of a path (``content/<name>``,
``.threadsync/<name>/state.json``) and of a variable's name; two accounts on
one state file or one content dir would record, or publish, each other's posts.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from threadsync.cli import main
from threadsync.config import ConfigError, load_config


def _problems(root: Path, config: str) -> list[str]:
    (root / "threadsync.yaml").write_text(textwrap.dedent(config).lstrip())
    try:
        load_config(None, root)
    except ConfigError as exc:
        return [str(p) for p in exc.problems]
    return []


@pytest.mark.parametrize("name", ["../../etc", "a/b", "my brand", "x.y", "dollar$", "ünï"])
def test_account_names_outside_the_safe_set_are_refused(tmp_path: Path, name: str) -> None:
    assert _problems(tmp_path, f"accounts:\n  {name!r}: {{}}\n") == [
        f"threadsync.yaml:2:3: account name {name!r} may hold only letters, digits, '-' and '_'"
    ]


def test_safe_account_names_are_kept(tmp_path: Path) -> None:
    assert _problems(tmp_path, "accounts:\n  brand-2: {}\n  news_EU: {}\n") == []


def test_two_accounts_on_one_state_file_are_refused(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        """
        accounts:
          brand: {state: .threadsync/shared.json}
          news: {state: .threadsync/./shared.json}
        """,
    )
    assert problems == [
        "threadsync.yaml:3:17: accounts 'brand' and 'news' use one state file "
        "(.threadsync/./shared.json); give each account its own state:"
    ]


def test_a_default_state_file_counts_too(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        """
        accounts:
          brand: {}
          news: {state: .threadsync/brand/state.json}
        """,
    )
    assert problems == [
        "threadsync.yaml:3:17: accounts 'brand' and 'news' use one state file "
        "(.threadsync/brand/state.json); give each account its own state:"
    ]


@pytest.mark.parametrize(
    ("brand", "news"),
    [
        ("posts", "posts/"),  # the same dir
        ("posts", "posts/news"),  # one inside the other
        ("posts/*.yaml", "posts/news"),
        ("posts/*.md", "posts/*.md"),
    ],
)
def test_two_accounts_sharing_posts_are_refused(tmp_path: Path, brand: str, news: str) -> None:
    problems = _problems(
        tmp_path, f"accounts:\n  brand: {{content: '{brand}'}}\n  news: {{content: '{news}'}}\n"
    )
    assert problems == [
        "threadsync.yaml:3:19: accounts 'brand' and 'news' share posts: their content dirs "
        "are the same or one holds the other; give each account its own content:"
    ]


def test_patterns_that_split_one_dir_are_allowed(tmp_path: Path) -> None:
    config = "accounts:\n  brand: {content: 'posts/*.yaml'}\n  news: {content: 'posts/*.md'}\n"
    assert _problems(tmp_path, config) == []


def test_a_content_dir_symlinked_onto_another_accounts_is_refused(tmp_path: Path) -> None:
    (tmp_path / "posts/brand").mkdir(parents=True)
    os.symlink("posts/brand", tmp_path / "alias")
    problems = _problems(
        tmp_path, "accounts:\n  brand: {content: posts/brand}\n  news: {content: alias}\n"
    )
    assert problems == [
        "threadsync.yaml:3:19: accounts 'brand' and 'news' share posts: their content dirs are "
        "the same or one holds the other; give each account its own content:"
    ]


def test_an_account_content_dir_outside_the_repository_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    assert _problems(root, "accounts:\n  brand: {content: ../elsewhere}\n") == [
        "threadsync.yaml:2:20: content dir '../elsewhere' is outside the repository"
    ]


def test_state_flag_with_several_accounts_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "threadsync.yaml").write_text("accounts:\n  brand: {}\n  news: {}\n")
    assert main(["plan", "--state", "one.json"]) == 1
    assert capsys.readouterr().err == (
        "error: --state names one state file, but this runs 2 accounts: add --account NAME\n"
    )


@pytest.mark.parametrize("state", ["../elsewhere.json", "/tmp/state.json", "linked/state.json"])
def test_a_state_file_outside_the_repository_is_refused(tmp_path: Path, state: str) -> None:
    """A pull request can't point the state (read, then written by apply) outside the checkout."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "linked").symlink_to(tmp_path)
    problems = _problems(root, f"state: {state}\naccounts:\n  brand: {{state: {state}}}\n")
    message = (
        f"state file {state!r} is outside the repository; threadsync keeps the state "
        "in the repository it publishes (e.g. .threadsync/state.json)"
    )
    assert problems == [
        f"threadsync.yaml:1:8: {message}",
        f"threadsync.yaml:3:18: {message}",
    ]
