"""``threadsync init``: a new content repository, ready for "git push to publish".

Why a command and not a template repository: it works in a repository that
already exists, never overwrites a file someone wrote (unless ``--force``),
only appends the .gitignore lines that are missing, and says what to do next.
The files come from :mod:`threadsync.scaffold`.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from threadsync.errors import ThreadsyncError


def add_parser(sub: Any) -> None:
    from threadsync import scaffold

    p = sub.add_parser(
        "init",
        help="scaffold a content repository: config, example posts, GitHub workflows",
        description=(
            "Write threadsync.yaml (every setting, explained), two example posts in content/ "
            "(drafts, so nothing is published by surprise), the .gitignore lines threadsync "
            "needs, and the GitHub Actions workflows that plan pull requests, publish on merge, "
            "publish scheduled posts and refresh the token. Existing files are kept unless "
            "--force; missing .gitignore lines are appended."
        ),
    )
    p.add_argument(
        "directory", nargs="?", default=".", help="the repository (default: the current one)"
    )
    p.add_argument("--force", action="store_true", help="overwrite files that exist")
    p.add_argument("--no-workflows", action="store_true", help="do not write .github/workflows")
    p.add_argument(
        "--action",
        metavar="OWNER/REPO@SHA",
        help="the threadsync repository and full commit SHA the workflows run (default: "
        f"{scaffold.REPOSITORY}@ the commit this threadsync was built from)",
    )
    p.add_argument(
        "--install",
        metavar="SPEC",
        default="",
        help="what the workflows pip-install instead of threadsync at that commit, such as "
        "a release: threadsync==X.Y",
    )
    p.add_argument(
        "--schedule",
        metavar="CRON",
        default=scaffold.DEFAULT_SCHEDULE,
        help="when the schedule workflow publishes due posts (default: '%(default)s')",
    )


def _gitignore(path: Path) -> list[str]:
    """Append the missing lines; returns them."""
    from threadsync import scaffold
    from threadsync.safewrite import write_atomic

    text = path.read_text(encoding="utf-8") if path.exists() else ""
    present = {line.strip() for line in text.splitlines()}
    missing = [line for line in scaffold.GITIGNORE_LINES if line not in present]
    if missing:
        block = (
            "# threadsync: the state lock, log and backup, the insights cache, "
            "the preview and the local emulator's data\n"
        )
        block += "".join(f"{line}\n" for line in missing)
        prefix = "\n" if text and not text.endswith("\n") else ""
        prefix += "\n" if text.strip() else ""
        updated = (text + prefix + block).encode("utf-8")
        write_atomic(path, updated, root=path.parent, what="the .gitignore", command="init")
    return missing


NEXT_STEPS = """\
Next steps:
  1. Create a Threads app: https://developers.facebook.com/apps > Create app > "Access the
     Threads API". Note its Threads app id and secret, and add a redirect callback URL
     (for example https://localhost/threadsync/callback).
  2. Log in, and store the token as the repository secret the workflows read
     (needs the GitHub CLI, gh, logged in; the app secret is asked for):
       export THREADS_APP_ID=... THREADS_REDIRECT_URI=...
       threadsync auth login --github-secret THREADS_ACCESS_TOKEN
  3. For the weekly token refresh, add a secret GH_SECRETS_TOKEN: a fine-grained token
     with "Secrets: Read and write" on this repository.
  4. Threads fetches images and videos from a public address: media.base_url in
     threadsync.yaml. Its example, raw.githubusercontent.com, serves a public repository
     only; for a private one, upload them to a bucket (media.store: s3, for S3, R2,
     MinIO or B2) or set base_url to a host of your own that serves the same files.
     The docs' "Local media files" (docs/writing-posts.md) say more.
  5. Check the posts with 'threadsync validate', commit, and push. Then open a pull
     request that removes 'draft: true' from content/hello.md: the plan shows up as a
     comment; merge it to publish.
"""


@dataclass(frozen=True)
class InitRequest:
    directory: str
    action: str | None  # None: this threadsync's own commit
    install: str
    schedule: str
    workflows: bool
    force: bool


def request_from(args: argparse.Namespace) -> InitRequest:
    return InitRequest(
        args.directory,
        args.action,
        args.install,
        args.schedule,
        not args.no_workflows,
        args.force,
    )


def run(args: argparse.Namespace) -> int:
    req = request_from(args)
    from threadsync import scaffold
    from threadsync.safewrite import write_atomic

    root = Path(req.directory)
    if not root.is_dir():
        raise ThreadsyncError(f"{root} is not a directory")
    try:
        action = workflow = None
        if req.workflows:
            from threadsync.buildinfo import source_commit

            action = req.action or scaffold.default_action(source_commit())
            workflow = scaffold.workflow_for(action)
        files = scaffold.files(workflow=workflow, install=req.install, schedule=req.schedule)
    except ValueError as exc:
        raise ThreadsyncError(str(exc)) from None
    written = kept = 0
    for rel, text in files.items():
        path = root / rel
        if path.exists() and not req.force:
            print(f"  kept     {rel} (it exists; --force overwrites it)")
            kept += 1
            continue
        verb = "replaced" if path.exists() else "created"
        write_atomic(path, text.encode("utf-8"), root=root, what="the scaffold", command="init")
        print(f"  {verb:<8} {rel}")
        written += 1
    missing = _gitignore(root / ".gitignore")
    if missing:
        print(f"  updated  .gitignore (+ {', '.join(missing)})")
    if action is not None:
        installs = req.install or "threadsync from that commit"
        print(f"  the workflows run {action} and install {installs}")
    where = "here" if req.directory == "." else str(root)
    print(f"\nthreadsync is set up {where}: {written} file(s) written, {kept} kept.\n")
    sys.stdout.write(NEXT_STEPS)
    return 0
