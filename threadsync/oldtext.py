"""What a forgotten post's file said, from git: for the plan's "looks like a rename" hint.

A file renamed and edited at once plans as a forget and a create, and the post
would go out twice.  The state keeps no text (a hash and the source path), so
the old file is read from git: at its path in HEAD (renamed, not committed
yet), else in HEAD's first parent (the rename is the last commit, or HEAD is a
pull request's merge commit, whose first parent is the base branch), else in
the parent of the last commit that touched it.  Then the old and the new
*source files* are compared, not the rendered text: rendering the old file
would need the partials and variables of its day, and the source is what the
user renamed and edited.

The path comes from the state file, which a pull request can edit.  It is only
ever a path in a git object name (``HEAD:./path``, on git's stdin) or after
``--``; a path with a line break, a ``..`` or an absolute one is skipped.
Nothing is read outside git's objects and the content, and a missing git or
repository, a slow git or a big file gives no hint, never an error.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from threadsync.content.safefs import Refused, RepoFiles
from threadsync.plan import Change, Notice, PostLike
from threadsync.plan_hints import rename_notices, similar_pairs, unpaired
from threadsync.state import State

GIT_BUDGET = 10.0  # seconds for all of a plan's git calls: a hint is not worth more
COMPARE_BUDGET = 1.0  # seconds for comparing texts, which a pull request can make slow
MAX_BYTES = 64 * 1024  # of a source file; a bigger one is not compared
MAX_POSTS = 50  # new posts, and gone ones, compared (by id): at most 50 x 50 pairs
_OID = re.compile(rb"([0-9a-f]{40}|[0-9a-f]{64}) blob (\d+)")
_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def text_rename_hints(
    root: Path, changes: Sequence[Change], state: State, posts: Iterable[PostLike]
) -> list[Notice]:
    """The rename hint for new posts whose source is nearly that of a gone post."""
    new_ids, gone_ids = unpaired(changes, state)
    if not new_ids or not gone_ids:
        return []
    paths = {
        pid: path for pid in gone_ids[:MAX_POSTS] if (path := state.posts[pid].path) is not None
    }
    old = old_sources(root, paths)
    if not old:
        return []
    wanted = set(new_ids[:MAX_POSTS])
    new = new_sources(root, [p for p in posts if p.id in wanted])
    deadline = time.monotonic() + COMPARE_BUDGET
    return rename_notices(similar_pairs(old, new, deadline=deadline))


def new_sources(root: Path, posts: Iterable[PostLike]) -> dict[str, str]:
    """Post id -> its source file's text, read as the content loader reads it."""
    files = RepoFiles(root)
    out: dict[str, str] = {}
    for post in posts:
        try:
            data = files.read(str(root / post.path), post.path, limit=MAX_BYTES)
            out[post.id] = data.decode("utf-8")
        except (Refused, OSError, UnicodeDecodeError):
            continue
    return out


def old_sources(root: Path, paths: Mapping[str, str]) -> dict[str, str]:
    """Post id -> the text its source file (path relative to ``root``) last had in git."""
    deadline = time.monotonic() + GIT_BUDGET
    safe = {pid: path for pid, path in paths.items() if _plain(path)}
    if not safe or _git(root, ["rev-parse", "--verify", "--quiet", "HEAD"], deadline) is None:
        return {}  # no git, no repository or no commit: one call says so, not fifty
    found = _blobs(root, {pid: f"HEAD:./{path}" for pid, path in safe.items()}, deadline)
    # HEAD's first parent: the commit before a committed rename, or the base of a pull
    # request's merge commit, which a clone two commits deep (fetch-depth: 2) has.
    parent = {pid: f"HEAD^1:./{path}" for pid, path in safe.items() if pid not in found}
    found.update(_blobs(root, parent, deadline))
    left = {pid: path for pid, path in safe.items() if pid not in found}
    deleted = _deleting_commits(root, sorted(set(left.values())), deadline)
    before = {pid: f"{deleted[path]}^:./{path}" for pid, path in left.items() if path in deleted}
    found.update(_blobs(root, before, deadline))
    return found


def _plain(path: str) -> bool:
    """A relative path of printable names, with no ``.`` or ``..`` on the way."""
    return (
        path.isprintable()
        and not path.startswith("/")
        and "\\" not in path
        and all(name not in ("", ".", "..") for name in path.split("/"))
    )


def _git(
    root: Path, args: list[str], deadline: float, stdin: bytes = b""
) -> subprocess.CompletedProcess[bytes] | None:
    """Run git in ``root`` within the time left; None if it can't run or fails."""
    left = deadline - time.monotonic()
    if left <= 0:
        return None
    env = {**os.environ, "GIT_LITERAL_PATHSPECS": "1", "GIT_TERMINAL_PROMPT": "0"}
    try:
        done = subprocess.run(
            ["git", *args],
            input=stdin,
            cwd=root,
            capture_output=True,
            timeout=left,
            check=False,
            env=env,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done if done.returncode == 0 else None


def _deleting_commits(root: Path, paths: Sequence[str], deadline: float) -> dict[str, str]:
    """Path -> the newest commit of HEAD's history that deleted it; one git call for all.

    ``--no-renames``: a file renamed and lightly edited is exactly what is looked
    for, and git would otherwise call it a rename, not a delete.
    """
    if not paths:
        return {}
    args = ["-c", "core.quotePath=false", "log", "--format=%x01%H", "--name-only", "--relative"]
    args += ["--diff-filter=D", "--no-renames", "HEAD", "--", *paths]
    done = _git(root, args, deadline)
    if done is None:
        return {}
    wanted = set(paths)
    found: dict[str, str] = {}
    commit = ""
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("\x01"):
            commit = line[1:] if _COMMIT.fullmatch(line[1:]) else ""
        elif commit and line in wanted and line not in found:
            found[line] = commit
    return found


def _blobs(root: Path, names: Mapping[str, str], deadline: float) -> dict[str, str]:
    """Post id -> the UTF-8 text of the blob its object name names, if small enough."""
    if not names:
        return {}
    ids = list(names)
    lines = "".join(f"{names[pid]}\n" for pid in ids).encode("utf-8")
    checked = _git(root, ["cat-file", "--batch-check"], deadline, lines)
    if checked is None:
        return {}
    answers = checked.stdout.splitlines()
    if len(answers) != len(ids):
        return {}
    small: dict[str, bytes] = {}
    for pid, answer in zip(ids, answers, strict=True):
        found = _OID.fullmatch(answer)
        if found is not None and int(found.group(2)) <= MAX_BYTES:
            small[pid] = found.group(1)
    if not small:
        return {}
    read = _git(
        root, ["cat-file", "--batch"], deadline, b"".join(o + b"\n" for o in small.values())
    )
    if read is None:
        return {}
    return _texts(read.stdout, small)


def _texts(out: bytes, oids: Mapping[str, bytes]) -> dict[str, str]:
    """Split ``git cat-file --batch`` output (header, bytes, newline per object) into texts."""
    texts: dict[str, str] = {}
    at = 0
    for pid, oid in oids.items():
        end = out.find(b"\n", at)
        found = _OID.fullmatch(out[at:end]) if end >= 0 else None
        if found is None or found.group(1) != oid:
            break
        size = int(found.group(2))
        body = out[end + 1 : end + 1 + size]
        at = end + 2 + size
        try:
            texts[pid] = body.decode("utf-8")
        except UnicodeDecodeError:
            continue
    return texts
