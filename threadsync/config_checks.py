"""Checks of threadsync.yaml that need the repository: content dirs and accounts.

A content dir must be inside the repository (``content: ../elsewhere``, or a
``content`` symlink to a folder outside, would have threadsync read files
the repository does not hold).  An account's name becomes part of paths and
of a variable's name, so it holds only letters, digits, ``-`` and ``_``; and
two accounts never share a state file or content dir, or one would publish,
or record, the other's posts.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from threadsync.content.globs import split_content_glob
from threadsync.content.problems import Loc
from threadsync.content.safefs import Refused, RepoFiles

if TYPE_CHECKING:
    from threadsync.config import Config

# (where, message, point at the key)
Issue = tuple[Loc, str, bool]

_ACCOUNT_NAME = re.compile(r"[A-Za-z0-9_-]+")


def _content_issue(files: RepoFiles, root: Path, content: str) -> str | None:
    folder, _ = split_content_glob(content)
    try:
        files.resolve(str(root / folder), folder)
    except Refused as exc:
        return f"content dir {folder!r} is {exc.reason}"
    return None


def _state_issue(root: Path, state: str) -> str | None:
    """A state file must be in the repository: it is committed, and read and written there."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(root / state)
    if os.path.commonpath([real_root, real]) != real_root:
        return (
            f"state file {state!r} is outside the repository; threadsync keeps the state "
            "in the repository it publishes (e.g. .threadsync/state.json)"
        )
    return None


def _key(root: Path, path: str) -> str:
    """A path as the file system sees it, to tell whether two settings name one file."""
    return os.path.realpath(root / path).casefold()


def _nested(a: str, b: str) -> bool:
    return a == b or a.startswith(b.rstrip(os.sep) + os.sep)


def project_issues(config: Config, root: Path) -> list[Issue]:
    """Problems of ``config`` that only the repository at ``root`` shows."""
    files = RepoFiles(root)
    issues: list[Issue] = []
    problem = _content_issue(files, root, config.content)
    if problem:
        issues.append((("content",), problem, False))
    problem = _state_issue(root, config.state)
    if problem:
        issues.append((("state",), problem, False))
    states: dict[str, str] = {}
    contents: list[tuple[str, str, str | None]] = []  # (account, real dir, pattern)
    for name, account in config.accounts.items():
        here: Loc = ("accounts", name)
        if not _ACCOUNT_NAME.fullmatch(name):
            issues.append(
                (here, f"account name {name!r} may hold only letters, digits, '-' and '_'", True)
            )
            continue
        content = account.content_for(name)
        where: Loc = (*here, "content") if account.content else here
        problem = _content_issue(files, root, content)
        if problem:
            issues.append((where, problem, not account.content))
            continue
        folder, pattern = split_content_glob(content)
        real = _key(root, folder)
        for other, other_real, other_pattern in contents:
            same_files = pattern is None or other_pattern is None or pattern == other_pattern
            if (real == other_real and same_files) or (
                real != other_real and (_nested(real, other_real) or _nested(other_real, real))
            ):
                issues.append(
                    (
                        where,
                        f"accounts {other!r} and {name!r} share posts: their content dirs are "
                        "the same or one holds the other; give each account its own content:",
                        not account.content,
                    )
                )
                break
        contents.append((name, real, pattern))
        problem = _state_issue(root, account.state_for(name))
        if problem:
            issues.append(((*here, "state") if account.state else here, problem, not account.state))
            continue
        state = _key(root, account.state_for(name))
        if state in states:
            issues.append(
                (
                    (*here, "state") if account.state else here,
                    f"accounts {states[state]!r} and {name!r} use one state file "
                    f"({account.state_for(name)}); give each account its own state:",
                    not account.state,
                )
            )
        else:
            states[state] = name
    return issues


__all__ = ["project_issues"]
