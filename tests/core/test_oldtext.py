"""Where the plan's rename hint finds a removed file's text: the git history a CI clone has."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from threadsync.oldtext import old_sources

GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
OLD = "text: We launch the new site today\n"


def git(cwd: Path, *args: str) -> None:
    ident = ["-c", "user.name=a", "-c", "user.email=a@b.c", "-c", "init.defaultBranch=main"]
    subprocess.run(["git", *ident, *args], cwd=cwd, env=GIT_ENV, check=True, capture_output=True)


def write(root: Path, rel: str, text: str) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text)


def pull_request_merge(tmp_path: Path) -> Path:
    """A repository whose HEAD is what GitHub checks out for a pull request: a merge
    commit of the pull request's branch (which renamed news/launch) into main (which
    moved on meanwhile), first parent main."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    write(repo, "content/news/launch.yaml", OLD)
    write(repo, "content/other.yaml", "text: other\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    git(repo, "checkout", "-qb", "pr")
    (repo / "content/news/launch.yaml").unlink()
    write(repo, "content/blog/announcement.yaml", "text: We launched the new site today\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "rename")
    git(repo, "checkout", "-q", "main")
    write(repo, "content/other.yaml", "text: other, edited\n")
    git(repo, "commit", "-qam", "main moves on")
    git(repo, "merge", "-q", "--no-ff", "pr", "-m", "merge")
    return repo


def test_a_pull_requests_merge_commit_two_commits_deep_has_the_old_file(tmp_path: Path) -> None:
    """actions/checkout with fetch-depth: 2 fetches the merge commit and its parents only."""
    repo = pull_request_merge(tmp_path)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "2", repo.as_uri(), str(clone))

    found = old_sources(clone, {"news/launch": "content/news/launch.yaml"})

    assert found == {"news/launch": OLD}


def test_a_clone_one_commit_deep_has_no_history_and_gives_no_text(tmp_path: Path) -> None:
    repo = pull_request_merge(tmp_path)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", repo.as_uri(), str(clone))

    assert old_sources(clone, {"news/launch": "content/news/launch.yaml"}) == {}


def test_a_file_deleted_commits_ago_is_found_in_the_commit_before_its_delete(
    tmp_path: Path,
) -> None:
    """The project in a subfolder of the repository, a name git would quote, and two
    commits since the delete: HEAD and its parent both lack the file."""
    repo = tmp_path / "repo"
    site = repo / "site"
    site.mkdir(parents=True)
    git(repo, "init", "-q")
    write(site, "content/news/laün ch.yaml", OLD)
    write(site, "threadsync.yaml", "content: content\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    git(repo, "rm", "-q", "site/content/news/laün ch.yaml")
    git(repo, "commit", "-qm", "delete")
    for n in range(2):
        write(site, "content/other.yaml", f"text: other {n}\n")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", f"later {n}")

    found = old_sources(site, {"news/launch": "content/news/laün ch.yaml", "x": "content/x.yaml"})

    assert found == {"news/launch": OLD}
