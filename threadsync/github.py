"""GitHub Actions mode: step outputs, the job summary, the event payload, and the PR comment.

Why one module: every command that runs in a workflow talks to the same files
GitHub hands a step (``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``,
``GITHUB_EVENT_PATH``), and their formats have traps: a multiline output needs
a heredoc delimiter that cannot occur in the value, and a summary over 1 MiB is
dropped whole.  The REST part is the standard library's ``urllib`` with an
injectable base URL, so the tests talk to a fake on 127.0.0.1, never github.com.

``threadsync github-accounts`` prints the workflows' account matrix from
:func:`accounts`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from threadsync.errors import ThreadsyncError
from threadsync.secrets import redact

MARKER = "<!-- threadsync-plan -->"
DEFAULT_API_URL = "https://api.github.com"
SUMMARY_LIMIT = 1024 * 1024  # GitHub drops a step summary over 1 MiB
COMMENT_LIMIT = 65_536  # GitHub refuses a comment body over 65,536 characters
BOT_LOGIN = "github-actions[bot]"
_OUTPUT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_SECRET_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


def _env(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def in_actions(environ: Mapping[str, str] | None = None) -> bool:
    return _env(environ).get("GITHUB_ACTIONS") == "true"


def _append(path: str, text: str) -> None:
    with open(path, "a", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def write_output(name: str, value: object, *, environ: Mapping[str, str] | None = None) -> bool:
    """Set a step output; False (and nothing written) outside GitHub Actions.

    Always the heredoc form ``name<<DELIM`` ... ``DELIM``, with a random
    delimiter that does not occur in the value, so any value is safe, newlines
    and all (the form @actions/core uses).
    """
    path = _env(environ).get("GITHUB_OUTPUT")
    if not path:
        return False
    if not _OUTPUT_NAME.match(name):
        raise ValueError(f"{name!r} is not a valid output name")
    text = str(value)
    delimiter = f"ghadelimiter_{uuid.uuid4()}"
    while delimiter in text:  # pragma: no cover - a uuid4 collision
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
    _append(path, f"{name}<<{delimiter}\n{text}\n{delimiter}\n")
    return True


def append_summary(markdown: str, *, environ: Mapping[str, str] | None = None) -> bool:
    """Append Markdown to the job summary; False outside GitHub Actions.

    What would take the summary past GitHub's 1 MiB is cut, with a note, since
    GitHub would otherwise drop the whole summary of the step.
    """
    path = _env(environ).get("GITHUB_STEP_SUMMARY")
    if not path:
        return False
    if not markdown.endswith("\n"):
        markdown += "\n"
    try:
        used = os.path.getsize(path)
    except OSError:
        used = 0
    room = SUMMARY_LIMIT - used
    data = markdown.encode("utf-8")
    if len(data) > room:
        note = "\n\n*(cut: the job summary is limited to 1 MiB)*\n"
        keep = max(room - len(note.encode()), 0)
        markdown = data[:keep].decode("utf-8", errors="ignore") + (note if room > len(note) else "")
    _append(path, markdown)
    return True


def read_event(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The payload of the event that started the workflow ({} outside GitHub Actions)."""
    path = _env(environ).get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ThreadsyncError(f"can't read the GitHub event payload {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ThreadsyncError(f"the GitHub event payload {path} is not a JSON object")
    return data


class GitHubError(ThreadsyncError):
    """The GitHub API refused or could not be reached; ``status`` is the HTTP status or 0."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class GitHub:
    """A minimal GitHub REST client: only what the sticky comment needs.

    The token never leaves for another host: pagination links are followed
    only when they point at the same origin as ``api_url``.
    """

    def __init__(
        self,
        token: str,
        *,
        api_url: str | None = None,
        timeout: float = 30.0,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._token = token
        base = api_url or _env(environ).get("GITHUB_API_URL") or DEFAULT_API_URL
        self.api_url = base.rstrip("/")
        self.timeout = timeout
        # Here, not at the top: plan and apply import this module for step outputs,
        # and urllib.request brings http.client and ssl, which only these calls need.
        import urllib.request

        self._opener = urllib.request.build_opener()

    def _origin(self, url: str) -> tuple[str, str]:
        parts = urlsplit(url)
        return parts.scheme, parts.netloc

    def request(self, method: str, path_or_url: str, body: object = None) -> tuple[Any, str]:
        """``(json, link header)`` of one call; a ``GitHubError`` for any failure."""
        url = path_or_url if "://" in path_or_url else f"{self.api_url}/{path_or_url.lstrip('/')}"
        if self._origin(url) != self._origin(self.api_url):
            raise GitHubError(f"refusing to send the GitHub token to {self._origin(url)[1]}")
        import urllib.error
        import urllib.request

        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - http(s) only
        # Unredirected: urllib copies ordinary headers to wherever a 3xx points.
        req.add_unredirected_header("Authorization", f"Bearer {self._token}")
        req.add_header("Accept", "application/vnd.github+json")
        req.add_header("X-GitHub-Api-Version", "2022-11-28")
        req.add_header("User-Agent", "threadsync")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        shown = urlsplit(url).path
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                raw = resp.read()
                link = resp.headers.get("Link", "")
        except urllib.error.HTTPError as exc:
            detail = ""
            with contextlib.suppress(ValueError, AttributeError):
                detail = str(json.loads(exc.read() or b"{}").get("message", ""))
            message = f"GitHub answered {exc.code} to {method} {shown}"
            message += f": {detail[:200]}" if detail else ""
            raise GitHubError(redact(message, [self._token]), exc.code) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise GitHubError(f"could not reach GitHub at {self.api_url}: {reason}") from None
        try:
            return (json.loads(raw) if raw else None), link
        except ValueError:
            raise GitHubError(f"GitHub's answer to {method} {shown} is not JSON") from None

    def paginate(self, path: str, *, max_pages: int = 100) -> Iterator[dict[str, Any]]:
        url: str | None = path
        for _ in range(max_pages):
            if url is None:
                return
            items, link = self.request("GET", url)
            if not isinstance(items, list):
                raise GitHubError(f"expected a list from GET {urlsplit(url).path}")
            yield from (item for item in items if isinstance(item, dict))
            match = _NEXT.search(link)
            url = match.group(1) if match else None

    def comments(self, repo: str, number: int) -> Iterator[dict[str, Any]]:
        return self.paginate(f"repos/{repo}/issues/{number}/comments?per_page=100")

    def create_comment(self, repo: str, number: int, body: str) -> dict[str, Any]:
        data, _ = self.request("POST", f"repos/{repo}/issues/{number}/comments", {"body": body})
        return data if isinstance(data, dict) else {}

    def update_comment(self, repo: str, comment_id: int, body: str) -> dict[str, Any]:
        data, _ = self.request(
            "PATCH", f"repos/{repo}/issues/comments/{comment_id}", {"body": body}
        )
        return data if isinstance(data, dict) else {}

    def delete_comment(self, repo: str, comment_id: int) -> None:
        self.request("DELETE", f"repos/{repo}/issues/comments/{comment_id}")

    def pull_request(self, repo: str, number: int) -> dict[str, Any]:
        data, _ = self.request("GET", f"repos/{repo}/pulls/{number}")
        return data if isinstance(data, dict) else {}


def check_repo(repo: str) -> str:
    if not _REPO.match(repo) or ".." in repo:
        raise ThreadsyncError(f"{repo!r} is not a repository name of the form OWNER/NAME")
    return repo


def find_marked(
    comments: list[dict[str, Any]], marker: str = MARKER, author: str | None = BOT_LOGIN
) -> list[dict[str, Any]]:
    """The comments that are ours: they hold the marker and, if given, are by ``author``."""
    found = []
    for comment in comments:
        login = (comment.get("user") or {}).get("login")
        if marker in str(comment.get("body") or "") and (author is None or login == author):
            found.append(comment)
    return found


@dataclass(frozen=True)
class CommentResult:
    action: str  # "created", "updated" or "unchanged"
    url: str
    comment_id: int
    removed: int = 0  # duplicate sticky comments deleted


def upsert_comment(
    gh: GitHub,
    repo: str,
    number: int,
    body: str,
    *,
    marker: str = MARKER,
    author: str | None = BOT_LOGIN,
) -> CommentResult:
    """Keep ONE comment holding ``marker`` on the PR: update it, or create it.

    Duplicates (two runs that raced before the first comment existed) are
    deleted, so the PR converges on one comment.
    """
    if marker not in body:
        body = f"{marker}\n{body}"
    ours = find_marked(list(gh.comments(repo, number)), marker, author)
    if not ours:
        made = gh.create_comment(repo, number, body)
        return CommentResult("created", str(made.get("html_url", "")), int(made.get("id", 0)))
    first, extra = ours[0], ours[1:]
    for duplicate in extra:
        gh.delete_comment(repo, int(duplicate["id"]))
    if first.get("body") == body:
        return CommentResult(
            "unchanged", str(first.get("html_url", "")), int(first["id"]), len(extra)
        )
    made = gh.update_comment(repo, int(first["id"]), body)
    url = str(made.get("html_url") or first.get("html_url", ""))
    return CommentResult("updated", url, int(first["id"]), len(extra))


def find_gh(secret: str) -> str:
    """The ``gh`` executable, checked before anything irreversible (a refresh) happens."""
    if not _SECRET_NAME.match(secret):
        raise ThreadsyncError(f"{secret!r} is not a valid GitHub secret name")
    exe = shutil.which("gh")
    if exe is None:
        raise ThreadsyncError(
            "the GitHub CLI 'gh' is not installed, so the token can't be stored as the secret "
            f"{secret}: install it from https://cli.github.com and run 'gh auth login' (in "
            "GitHub Actions, set GH_TOKEN), or add the secret in the repository's "
            "Settings > Secrets and variables > Actions"
        )
    return exe


def set_secret(name: str, value: str, *, repo: str | None = None, timeout: float = 120) -> None:
    """Store ``value`` as the repository secret ``name`` with ``gh secret set``.

    The value goes on stdin, never in argv, where other users and process
    listings could read it.
    """
    cmd = [find_gh(name), "secret", "set", name]
    if repo:
        cmd += ["--repo", check_repo(repo)]
    try:
        proc = subprocess.run(
            cmd, input=value, text=True, capture_output=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ThreadsyncError(f"could not run 'gh secret set {name}': {exc}") from None
    if proc.returncode != 0:
        detail = redact((proc.stderr or proc.stdout or "").strip(), [value])[:500]
        raise ThreadsyncError(
            f"'gh secret set {name}' failed (exit {proc.returncode}): {detail or 'no message'}; "
            "gh needs a token allowed to write the repository's secrets (GH_TOKEN)"
        )


def accounts(config: Path | None = None) -> list[dict[str, str]]:
    """One entry per account a workflow runs for: name, token_env, secret, content, state.

    The account rules are the CLI's own (``project.targets``): with no
    ``accounts:`` there is one unnamed account; with it, exactly the listed ones.
    The GitHub secret of an account is named like its token variable.
    """
    from threadsync.project import Where, targets

    out = []
    for target in targets(Where(config=config)):
        state = Path(os.path.relpath(target.state_path.resolve(), target.root.resolve()))
        content = Path(os.path.relpath((target.root / target.config.content).resolve(), Path.cwd()))
        out.append(
            {
                "name": target.name,
                "token_env": target.token_env,
                "secret": target.token_env,
                "content": content.as_posix(),
                "state": state.as_posix(),
            }
        )
    return out
