"""``threadsync github-comment save|post``: the plan of a pull request as ONE sticky comment.

Why two steps in two workflows: a pull request from a fork runs with a
read-only token and no secrets, which is what makes planning it safe, and also
why it cannot comment.  So the PR job only ``save``\\ s the plan (and the
validation errors, if any) into a directory it uploads as an artifact; a
``workflow_run`` job, which never runs the PR's code, downloads it and
``post``\\ s it.  That job treats the artifact as untrusted data: it reads
plain files of bounded size, never follows links, and believes no PR number
from it unless GitHub confirms that PR's head is the commit that was planned.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from threadsync.errors import ThreadsyncError
from threadsync.output.escape import md_code, md_fence

PLAN_FILE = "plan.md"
META_FILE = "meta.json"
MAX_FILE = 512 * 1024  # bytes read of any artifact file
_ACCOUNT = re.compile(r"^[A-Za-z0-9_.-]{0,64}$")
_SHA = re.compile(r"^[0-9a-f]{40}$")


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "github-comment",
        help="save a PR's plan, or post it as one sticky PR comment (used by the workflows)",
        description=(
            "The two halves of the plan comment of threadsync's GitHub workflows. 'save' (in "
            "the pull_request job, no token) writes the plan, or the errors that stopped it, "
            "to a directory for upload and to the job summary. 'post' (in a workflow_run "
            "job, with a token allowed to write pull requests) reads those directories, finds "
            "the PR whose head is the planned commit, and creates or updates the one comment "
            "that starts with <!-- threadsync-plan -->."
        ),
    )
    actions = p.add_subparsers(dest="comment_command", metavar="ACTION", required=True)
    save = actions.add_parser(
        "save",
        help="save the plan for upload, and add it to the job summary",
        description="Write DIR/plan.md and DIR/meta.json, and append the plan to "
        "$GITHUB_STEP_SUMMARY.",
    )
    save.add_argument("dir", metavar="DIR", help="the directory to upload")
    save.add_argument("--plan", metavar="FILE", help="the Markdown plan (missing or empty: failed)")
    save.add_argument(
        "--log", metavar="FILE", action="append", default=[], help="output shown when no plan"
    )
    save.add_argument(
        "--failed", action="store_true", help="validation or the plan failed: show the logs"
    )
    save.add_argument("--account", default="", help="the account the plan is for")
    save.add_argument("--pr", type=int, help="the PR number (default: from the event)")
    post = actions.add_parser(
        "post",
        help="create or update the sticky plan comment",
        description=(
            "Read the saved plans under DIR (one sub-directory per downloaded artifact), and "
            "create or update the PR's one plan comment. The token comes from GITHUB_TOKEN "
            "(or GH_TOKEN), the repository from GITHUB_REPOSITORY, the planned commit from "
            "the workflow_run event."
        ),
    )
    post.add_argument("dir", metavar="DIR", help="where the plan artifacts were downloaded")
    post.add_argument("--pr", type=int, help="the PR (default: from the event and artifacts)")
    post.add_argument("--repo", metavar="OWNER/NAME", help="default: $GITHUB_REPOSITORY")
    post.add_argument("--sha", help="the planned commit (default: the event's head_sha)")
    post.add_argument("--api-url", metavar="URL", help="default: $GITHUB_API_URL")
    post.add_argument(
        "--author",
        default="github-actions[bot]",
        help="only a comment by this login is updated (default github-actions[bot]; '' any)",
    )
    post.add_argument("--dry-run", action="store_true", help="print the comment, post nothing")


@dataclass(frozen=True)
class SaveRequest:
    dir: Path
    plan: Path | None
    logs: tuple[Path, ...]
    failed: bool
    account: str
    pr: int | None


@dataclass(frozen=True)
class PostRequest:
    dir: Path
    pr: int | None
    repo: str | None
    sha: str | None
    api_url: str | None
    author: str
    dry_run: bool


def request_from(args: argparse.Namespace) -> SaveRequest | PostRequest:
    if args.comment_command == "save":
        return SaveRequest(
            Path(args.dir),
            Path(args.plan) if args.plan else None,
            tuple(Path(log) for log in args.log),
            args.failed,
            args.account,
            args.pr,
        )
    return PostRequest(
        Path(args.dir), args.pr, args.repo, args.sha, args.api_url, args.author, args.dry_run
    )


def run(args: argparse.Namespace) -> int:
    request = request_from(args)
    return save(request) if isinstance(request, SaveRequest) else post(request)


def failed_plan(logs: list[str]) -> str:
    from threadsync.github import MARKER

    shown = "\n".join(log.rstrip() for log in logs if log.strip()) or "(no output)"
    return (
        f"{MARKER}\n### ❌ threadsync could not make a plan\n\n"
        "The content does not validate, or the plan failed. The output:\n\n"
        f"{md_fence(shown.rstrip())}\n"
    )


def _read_text(path: Path) -> str:
    """A plain file's text, bounded; '' when it is missing, a link, or not a file."""
    try:
        if path.is_symlink() or not path.is_file():
            return ""
        with path.open("rb") as fh:
            return fh.read(MAX_FILE).decode("utf-8", errors="replace")
    except OSError:
        return ""


def save(req: SaveRequest) -> int:
    from threadsync.github import MARKER, append_summary, read_event, write_output

    out = req.dir
    out.mkdir(parents=True, exist_ok=True)
    plan = _read_text(req.plan) if req.plan else ""
    ok = bool(plan.strip()) and not req.failed
    if not ok:
        partial = plan.strip()
        plan = failed_plan([_read_text(log) for log in req.logs])
        if partial:
            plan += f"\n<details><summary>The plan so far</summary>\n\n{partial}\n\n</details>\n"
    elif not plan.startswith(MARKER):
        plan = f"{MARKER}\n{plan}"
    event = read_event()
    number = req.pr or (event.get("pull_request") or {}).get("number") or event.get("number")
    head = ((event.get("pull_request") or {}).get("head") or {}).get("sha")
    (out / PLAN_FILE).write_text(plan, encoding="utf-8")
    meta = {"account": req.account, "pr": number, "sha": head, "ok": ok}
    (out / META_FILE).write_text(json.dumps(meta) + "\n", encoding="utf-8")
    heading = f"## Account {md_code(req.account)}\n\n" if req.account else ""
    append_summary(heading + plan)
    write_output("ok", str(ok).lower())
    print(f"Saved the {'plan' if ok else 'errors'} to {out / PLAN_FILE}.")
    return 0


def collect(directory: Path) -> list[dict[str, Any]]:
    """The saved plans under ``directory`` (untrusted): account, pr, text; sorted by account."""
    found = []
    if (directory / PLAN_FILE).exists():  # one artifact, downloaded by name
        candidates = [directory]
    else:  # one sub-directory per artifact, downloaded by pattern
        candidates = sorted(p for p in directory.iterdir() if p.is_dir())
    for folder in candidates:
        if folder.is_symlink():
            continue
        text = _read_text(folder / PLAN_FILE)
        if not text.strip():
            continue
        try:
            meta = json.loads(_read_text(folder / META_FILE) or "{}")
        except ValueError:
            meta = {}
        meta = meta if isinstance(meta, dict) else {}
        account = str(meta.get("account") or "")
        pr = meta.get("pr")
        found.append(
            {
                "account": account if _ACCOUNT.match(account) else "?",
                "pr": pr if isinstance(pr, int) and 0 < pr < 10**9 else None,
                "text": text,
            }
        )
    return sorted(found, key=lambda p: p["account"])


def compose(plans: list[dict[str, Any]], *, limit: int | None = None) -> str:
    """One comment body: the plan, or one section per account; cut to GitHub's limit."""
    from threadsync.github import COMMENT_LIMIT, MARKER

    limit = limit or COMMENT_LIMIT
    if len(plans) == 1 and not plans[0]["account"]:
        body = str(plans[0]["text"])
        body = body if body.startswith(MARKER) else f"{MARKER}\n{body}"
    else:
        sections = [f"## Account {md_code(p['account'])}\n\n{p['text'].strip()}" for p in plans]
        body = f"{MARKER}\n# threadsync plan\n\n" + "\n\n".join(sections) + "\n"
    if len(body) > limit:
        note = "\n\n*(cut: the full plan is in the job summary of the plan run)*\n"
        body = body[: limit - len(note)] + note
    return body


def _expected_sha(req: PostRequest, event: dict[str, Any]) -> str | None:
    run_info = event.get("workflow_run") or {}
    sha = req.sha or run_info.get("head_sha") or None
    if sha is None:
        return None
    if not _SHA.match(str(sha)):
        raise ThreadsyncError(f"{sha!r} is not a commit SHA")
    return str(sha)


def find_pr(gh: Any, repo: str, candidates: list[int], sha: str | None) -> tuple[int | None, str]:
    """The first candidate PR that is open and whose head is ``sha``; else why not."""
    reason = "no pull request was named by the event or the artifacts"
    for number in dict.fromkeys(candidates):
        pr = gh.pull_request(repo, number)
        head = (pr.get("head") or {}).get("sha")
        if pr.get("state") != "open":
            reason = f"PR #{number} is not open"
        elif sha is not None and head != sha:
            reason = f"PR #{number} has moved on to {str(head)[:12]}; its newer plan will be posted"
        else:
            return number, ""
    return None, reason


def post(req: PostRequest) -> int:
    from threadsync.github import GitHub, check_repo, read_event, upsert_comment, write_output

    directory = req.dir
    plans = collect(directory) if directory.is_dir() else []
    if not plans:
        print(f"No saved plan under {directory}: nothing to post.")
        return 0
    body = compose(plans)
    if req.dry_run:
        sys.stdout.write(body)
        return 0
    repo = check_repo(req.repo or os.environ.get("GITHUB_REPOSITORY", ""))
    token = os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN")
    if not token:
        raise ThreadsyncError("no GitHub token: set GITHUB_TOKEN (in a workflow: github.token)")
    event = read_event()
    sha = _expected_sha(req, event)
    gh = GitHub(token, api_url=req.api_url)
    if req.pr:
        candidates = [req.pr]
    else:  # the event's own PRs first (same-repo PRs), then what the artifacts claim (forks)
        from_event = (event.get("workflow_run") or {}).get("pull_requests") or []
        candidates = [int(p["number"]) for p in from_event if isinstance(p.get("number"), int)]
        candidates += [p["pr"] for p in plans if p["pr"] is not None]
    number, reason = find_pr(gh, repo, candidates, sha)
    if number is None:
        print(f"Not posted: {reason}.")
        return 0
    result = upsert_comment(gh, repo, number, body, author=req.author or None)
    extra = f" (and removed {result.removed} duplicate(s))" if result.removed else ""
    print(f"{result.action.capitalize()} the plan comment on PR #{number}: {result.url}{extra}")
    write_output("comment-url", result.url)
    return 0
