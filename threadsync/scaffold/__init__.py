"""What ``threadsync init`` writes into a new content repository, kept as package data.

Why templates rather than strings in code: they are files a user reads and
edits, and ``actionlint``/``zizmor`` can check them as they are.  The workflow
templates call the reusable workflow and install threadsync through three
placeholders (``__THREADSYNC_WORKFLOW__``, ``__THREADSYNC_INSTALL__``,
``__THREADSYNC_SCHEDULE__``).  Rendered with the local reusable workflow and
``install: "."`` they are, byte for byte, threadsync's own repository's
workflows (a test keeps it so), so users get the workflows we run ourselves.
"""

from __future__ import annotations

import json
import re

from threadsync import __version__

WORKFLOWS = (
    "threadsync-pr.yml",
    "threadsync-comment.yml",
    "threadsync-apply.yml",
    "threadsync-schedule.yml",
    "threadsync-token.yml",
)
EXAMPLES = ("hello.md", "welcome-thread.yaml")
CONFIG = "threadsync.yaml"
GITIGNORE_LINES = (".threadsync/state.lock", ".threadsync/emulator/")
DEFAULT_SCHEDULE = "*/15 * * * *"
#: The reusable workflow users call; a tag, so that fixes reach them.
REUSABLE_WORKFLOW = "threadsync/threadsync/.github/workflows/threadsync.yml@v1"
LOCAL_WORKFLOW = "./.github/workflows/threadsync.yml"
DEFAULT_INSTALL = f"threadsync=={__version__}"

_SHA_REF = re.compile(r"@[0-9a-f]{40}$")
_WORKFLOW_REF = re.compile(
    r"^(\./\.github/workflows/[\w.-]+\.ya?ml"
    r"|[\w.-]+/[\w.-]+/\.github/workflows/[\w.-]+\.ya?ml@[\w./-]+)$"
)
_CRON_FIELD = re.compile(r"^[0-9*/,A-Za-z-]+$")


def read(name: str) -> str:
    """A template's text: ``threadsync.yaml``, ``content/NAME`` or ``workflows/NAME``."""
    from importlib import resources  # here: every start-up imports this module for --help

    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def check_workflow_ref(ref: str) -> str:
    if not _WORKFLOW_REF.match(ref):
        raise ValueError(
            f"{ref!r} is not a reusable workflow reference: use "
            "OWNER/REPO/.github/workflows/FILE.yml@REF or ./.github/workflows/FILE.yml"
        )
    return ref


def check_schedule(cron: str) -> str:
    fields = cron.split()
    if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
        raise ValueError(f"{cron!r} is not a cron schedule of 5 fields, e.g. '*/15 * * * *'")
    return " ".join(fields)


def uses_line(ref: str) -> str:
    """The value of ``uses:``; a remote ref not pinned to a commit says why it is a tag."""
    if ref.startswith("./"):
        # zizmor's self-repository audit prefers "$/...", which actionlint rejects.
        return f"{ref} # zizmor: ignore[self-repository] the form actionlint accepts"
    if _SHA_REF.search(ref):
        return ref
    return (
        f"{ref} # zizmor: ignore[unpinned-uses] a tag, so that fixes reach you; "
        "pin a commit SHA to freeze it"
    )


def render_workflow(
    name: str,
    *,
    workflow: str = REUSABLE_WORKFLOW,
    install: str = DEFAULT_INSTALL,
    schedule: str = DEFAULT_SCHEDULE,
) -> str:
    text = read(f"workflows/{name}")
    text = text.replace("__THREADSYNC_WORKFLOW__", uses_line(check_workflow_ref(workflow)))
    text = text.replace("__THREADSYNC_INSTALL__", json.dumps(install))
    return text.replace("__THREADSYNC_SCHEDULE__", check_schedule(schedule))


def files(
    *,
    workflow: str = REUSABLE_WORKFLOW,
    install: str = DEFAULT_INSTALL,
    schedule: str = DEFAULT_SCHEDULE,
    workflows: bool = True,
) -> dict[str, str]:
    """Every file init writes but .gitignore: relative path -> text."""
    out = {CONFIG: read(CONFIG)}
    out.update({f"content/{name}": read(f"content/{name}") for name in EXAMPLES})
    if workflows:
        for name in WORKFLOWS:
            out[f".github/workflows/{name}"] = render_workflow(
                name, workflow=workflow, install=install, schedule=schedule
            )
    return out
