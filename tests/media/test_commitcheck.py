"""The commit check: local media pinned to a commit are compared with its blobs, in real repos."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from threadsync.config import load_config
from threadsync.content import MediaUrlContext, load_project
from threadsync.media import commitcheck
from threadsync.media.commitcheck import refusals, uncommitted

from .mediakit import commit, git, make_repo, png, write


def test_a_committed_file_passes_and_a_changed_one_names_the_commit(tmp_path: Path) -> None:
    sha = make_repo(tmp_path, {"content/_media/a.png": png(b"a"), "content/_media/b.png": png()})
    write(tmp_path, {"content/_media/a.png": png(b"edited")})
    found = uncommitted(tmp_path, sha, ["content/_media/a.png", "content/_media/b.png"])
    assert found == {
        "content/_media/a.png": f"content/_media/a.png has changed since commit {sha[:7]}; "
        "commit and push it first"
    }


def test_same_size_other_bytes_is_a_change(tmp_path: Path) -> None:
    """Sizes agree, so the blob ids are compared: the hash must be git's, header and all."""
    sha = make_repo(tmp_path, {"a.png": png(b"one")})
    assert uncommitted(tmp_path, sha, ["a.png"]) == {}
    write(tmp_path, {"a.png": png(b"two")})
    assert "has changed since commit" in uncommitted(tmp_path, sha, ["a.png"])["a.png"]


def test_an_untracked_file_is_not_committed(tmp_path: Path) -> None:
    sha = make_repo(tmp_path, {"a.png": png()})
    write(tmp_path, {"new dir/b c.png": png(b"new")})
    assert uncommitted(tmp_path, sha, ["new dir/b c.png"]) == {
        "new dir/b c.png": f"new dir/b c.png is not committed (commit {sha[:7]}); "
        "commit and push it first"
    }


def test_a_file_committed_after_the_pinned_commit_is_not_in_it(tmp_path: Path) -> None:
    """The URL pins one commit: a later commit holding the file does not help it."""
    first = make_repo(tmp_path, {"a.png": png()})
    write(tmp_path, {"b.png": png(b"b")})
    second = commit(tmp_path)
    assert "is not committed" in uncommitted(tmp_path, first, ["b.png"])["b.png"]
    assert uncommitted(tmp_path, second, ["b.png"]) == {}


def test_glob_characters_are_plain_names(tmp_path: Path) -> None:
    sha = make_repo(tmp_path, {"a[1].png": png(), "a1.png": png(b"other")})
    assert uncommitted(tmp_path, sha, ["a[1].png", "*.png"]) == {
        "*.png": f"*.png is not committed (commit {sha[:7]}); commit and push it first"
    }


def test_a_commit_missing_from_the_clone_refuses_every_file(tmp_path: Path) -> None:
    make_repo(tmp_path, {"a.png": png()})
    ghost = "0123456789abcdef0123456789abcdef01234567"
    assert uncommitted(tmp_path, ghost, ["a.png"]) == {
        "a.png": "can't check a.png: commit 0123456 is not in this clone; fetch it"
    }


def test_no_git_repository_is_one_line_per_file(tmp_path: Path) -> None:
    write(tmp_path, {"a.png": png()})
    (found,) = uncommitted(tmp_path, "abc1234def", ["a.png"]).values()
    assert found.startswith("can't check a.png against commit abc1234: git failed (")
    assert "\n" not in found


def test_without_git_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert uncommitted(tmp_path, "abc1234", ["a.png"]) == {
        "a.png": "can't check a.png against commit abc1234: git is not installed"
    }


def test_a_symlink_serves_the_link_not_the_file(tmp_path: Path) -> None:
    """raw URLs of a committed symlink serve its target's path, never the image."""
    write(tmp_path, {"assets/real.png": png()})
    (tmp_path / "content").mkdir()
    os.symlink("../assets/real.png", tmp_path / "content" / "link.png")
    os.symlink("../assets", tmp_path / "content" / "dir")
    sha = make_repo(tmp_path, {})
    found = uncommitted(tmp_path, sha, ["content/link.png", "content/dir/real.png"])
    assert found["content/link.png"].startswith(
        "content/link.png is reached through a symlink (content/link.png), and a URL of "
        f"commit {sha[:7]} serves the link"
    )
    assert "(content/dir)" in found["content/dir/real.png"]
    assert uncommitted(tmp_path, sha, ["assets/real.png"]) == {}


def test_a_line_break_in_a_name(tmp_path: Path) -> None:
    sha = make_repo(tmp_path, {"a.png": png()})
    assert uncommitted(tmp_path, sha, ["a\nb.png", "a.png"]) == {
        "a\nb.png": "'a\\nb.png' has a line break in its name; rename it"
    }


def test_a_sha256_repository(tmp_path: Path) -> None:
    """Git names blobs with SHA-256 in such a repository; the local id must follow."""
    git(tmp_path, "init", "-q", "--object-format=sha256")  # git 2.29 and later
    write(tmp_path, {"a.png": png(b"x")})
    sha = commit(tmp_path)
    assert len(sha) == 64
    assert uncommitted(tmp_path, sha, ["a.png"]) == {}
    write(tmp_path, {"a.png": png(b"y")})
    assert "has changed" in uncommitted(tmp_path, sha, ["a.png"])["a.png"]


def test_refusals_name_each_post_by_its_first_bad_file(tmp_path: Path) -> None:
    files: dict[str, bytes | str] = {
        "threadsync.yaml": "media: {base_url: 'https://cdn.example/{sha}/{path}'}\n",
        "content/ok.yaml": "text: Fine\nmedia: [_media/a.png]\n",
        "content/two.yaml": "text: Two\nmedia: [_media/a.png, _media/b.png, _media/c.png]\n",
        "content/text.yaml": "text: No media\n",
        "content/_media/a.png": png(b"a"),
        "content/_media/b.png": png(b"b"),
    }
    sha = make_repo(tmp_path, files)
    write(tmp_path, {"content/_media/b.png": png(b"b2"), "content/_media/c.png": png(b"c")})
    posts = load_project(
        tmp_path, load_config(None, tmp_path), media_url_context=MediaUrlContext("o/r", sha)
    ).posts
    assert refusals(tmp_path, sha, posts) == {
        "two": f"content/_media/b.png has changed since commit {sha[:7]}; commit and push it first"
    }


def test_one_git_call_for_every_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files: dict[str, bytes | str] = {f"m/{i}.png": png(bytes([i])) for i in range(30)}
    sha = make_repo(tmp_path, files)
    calls = []
    real = subprocess.run

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return real(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(commitcheck.subprocess, "run", counting)
    assert uncommitted(tmp_path, sha, list(files)) == {}
    assert len(calls) == 1


def test_a_file_changed_after_loading_is_refused_even_when_committed_so(tmp_path: Path) -> None:
    """Threads gets the blob: it must be the bytes the post was validated from, not newer ones."""
    files: dict[str, bytes | str] = {
        "threadsync.yaml": "media: {base_url: 'https://cdn.example/{sha}/{path}'}\n",
        "content/one.yaml": "text: One\nmedia: [_media/a.png]\n",
        "content/_media/a.png": png(b"validated"),
    }
    first = make_repo(tmp_path, files)
    posts = load_project(
        tmp_path, load_config(None, tmp_path), media_url_context=MediaUrlContext("o/r", first)
    ).posts
    write(tmp_path, {"content/_media/a.png": png(b"swapped after validation")})
    second = commit(tmp_path)  # the blob and the file now agree, with other bytes
    assert uncommitted(tmp_path, second, ["content/_media/a.png"]) == {}
    assert refusals(tmp_path, second, posts) == {
        "one": "content/_media/a.png changed while threadsync read it; run it again"
    }
    assert refusals(tmp_path, first, posts) == {
        "one": f"content/_media/a.png has changed since commit {first[:7]}; "
        "commit and push it first"
    }
