"""Local media pinned to a commit must be that commit's bytes.

With ``media.base_url`` using ``{sha}`` (raw GitHub URLs, by default), Threads
fetches a local file as the commit holds it.  A file changed since, or never
committed, would go out as the old bytes or a 404, and the post would be live
and wrong.  So each local file of a post to publish is compared with the blob
of ``{sha}:{path}``, and a post whose file differs is refused; the others go on.

No blob is read: ``git cat-file --batch-check`` answers each blob's id and
size in one call, and the local file's blob id is hashed here (SHA-1, or
SHA-256 in a repository that uses it) from its bytes, read as the content
loader reads them (inside the repository, regular files only).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from threadsync.content.models import Post
from threadsync.content.safefs import Refused, RepoFiles

GIT_TIMEOUT = 60.0
_FOUND = re.compile(r"([0-9a-f]{40}|[0-9a-f]{64}) (\w+) (\d+)")
_FIX = "commit and push it first"


def refusals(root: Path, sha: str, posts: Iterable[Post]) -> dict[str, str]:
    """Post id -> why it may not be published: the first of its local files not at ``sha``."""
    posts = list(posts)
    paths = {
        item.local_path
        for post in posts
        for part in post.parts
        for item in part.media
        if item.local_path is not None
    }
    digests: dict[str, str] = {}
    problems = uncommitted(root, sha, paths, digests)
    out: dict[str, str] = {}
    for post in posts:
        for part in post.parts:
            for item in part.media:
                path = item.local_path
                if path is None or post.id in out:
                    continue
                if path in problems:
                    out[post.id] = problems[path]
                elif item.sha256 is not None and digests.get(path) != item.sha256:
                    # The blob is what Threads gets: it must be the bytes the post was built from.
                    out[post.id] = f"{path} changed while threadsync read it; run it again"
    return out


def uncommitted(
    root: Path, sha: str, paths: Iterable[str], digests: dict[str, str] | None = None
) -> dict[str, str]:
    """Repo path -> why it is not at commit ``sha`` with the same bytes (matches are left out).

    ``digests`` gets the SHA-256 of each matching file's bytes, the ones found
    equal to the blob, for the caller to compare with what it validated.
    """
    short = sha[:7]
    problems: dict[str, str] = {}
    wanted: list[str] = []
    for path in sorted(set(paths)):
        if "\n" in path or "\r" in path:
            problems[path] = f"{path!r} has a line break in its name; rename it"
        elif (link := _link_on_way(root, path)) is not None:
            problems[path] = (
                f"{path} is reached through a symlink ({link}), and a URL of commit {short} "
                "serves the link, not the file: name the file itself in the post"
            )
        else:
            wanted.append(path)
    if not wanted:
        return problems
    answers = _batch_check(root, [sha] + [f"{sha}:{path}" for path in wanted])
    if isinstance(answers, str):  # git failed: nothing can be checked
        problems.update({p: f"can't check {p} against commit {short}: {answers}" for p in wanted})
        return problems
    head, blobs = answers[0], answers[1:]
    found = _FOUND.fullmatch(head)
    if found is None or found.group(2) != "commit":
        problems.update(
            {p: f"can't check {p}: commit {short} is not in this clone; fetch it" for p in wanted}
        )
        return problems
    files = RepoFiles(root)
    for path, answer in zip(wanted, blobs, strict=True):
        found = _FOUND.fullmatch(answer)
        if found is None or found.group(2) != "blob":
            problems[path] = f"{path} is not committed (commit {short}); {_FIX}"
            continue
        oid, size = found.group(1), int(found.group(3))
        problem, digest = _compare(files, root, path, oid, size)
        if problem is not None:
            problems[path] = problem.format(short=short)
        elif digests is not None:
            digests[path] = digest
    return problems


def _batch_check(root: Path, lines: list[str]) -> list[str] | str:
    """``git cat-file --batch-check`` of each line, or why git could not answer."""
    try:
        out = subprocess.run(
            ["git", "cat-file", "--batch-check"],
            input="".join(f"{line}\n" for line in lines),
            cwd=root,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        return "git is not installed"
    except (OSError, subprocess.SubprocessError) as exc:
        return f"git failed ({type(exc).__name__})"
    answers = out.stdout.splitlines()
    if out.returncode != 0 or len(answers) != len(lines):
        first = (out.stderr.strip().splitlines() or ["no answer"])[0]
        return f"git failed ({first})"
    return answers


def _compare(
    files: RepoFiles, root: Path, path: str, oid: str, size: int
) -> tuple[str | None, str]:
    """A message (with ``{short}`` to fill in) if the file's bytes are not blob ``oid``.

    And their SHA-256, of the same read: a file written to between two reads
    could match the blob in one and the post in the other.
    """
    changed = f"{path} has changed since commit {{short}}; {_FIX}"
    try:
        fd, local_size = files.open(str(root / path), path, limit=None)
    except (Refused, OSError) as exc:
        reason = exc.reason if isinstance(exc, Refused) else (exc.strerror or str(exc))
        return f"{path} can't be read ({reason})", ""
    with os.fdopen(fd, "rb") as fh:
        if local_size != size:
            return changed, ""
        # Git names a blob by the hash of a header and the bytes; the id's length says which.
        hasher = hashlib.sha1() if len(oid) == 40 else hashlib.sha256()  # noqa: S324 - git's id
        hasher.update(b"blob %d\0" % size)
        content = hashlib.sha256()
        read = 0
        while read <= size and (chunk := fh.read(1 << 20)):
            hasher.update(chunk)
            content.update(chunk)
            read += len(chunk)
    if read != size or hasher.hexdigest() != oid:
        return changed, ""
    return None, content.hexdigest()


def _link_on_way(root: Path, path: str) -> str | None:
    """The first symlink among ``path`` and its folders under ``root``, or None."""
    parts = path.split("/")
    for n in range(1, len(parts) + 1):
        if os.path.islink(root.joinpath(*parts[:n])):
            return "/".join(parts[:n])
    return None
