"""What ``threadsync init`` writes into a new content repository, kept as package data.

Why templates rather than strings in code: they are files a user reads and
edits, and ``actionlint``/``zizmor`` can check them as they are.  The workflow
templates call the reusable workflow and install threadsync through three
placeholders (``__THREADSYNC_WORKFLOW__``, ``__THREADSYNC_INSTALL__``,
``__THREADSYNC_SCHEDULE__``).  Rendered with the local reusable workflow and
``install: "."`` they are, byte for byte, threadsync's own repository's
workflows (a test keeps it so), so users get the workflows we run ourselves.

A user's workflows call threadsync's repository at a full commit SHA, never a
tag: a tag can be moved to other code, a commit cannot.  The reusable workflow
then installs threadsync from that same commit, unless ``install`` names a
release.
"""

from __future__ import annotations

import json
import re

WORKFLOWS = (
    "threadsync-pr.yml",
    "threadsync-comment.yml",
    "threadsync-apply.yml",
    "threadsync-schedule.yml",
    "threadsync-token.yml",
)
EXAMPLES = ("hello.md", "welcome-thread.yaml")
CONFIG = "threadsync.yaml"
GITIGNORE_LINES = (
    ".threadsync/**/state.lock",
    ".threadsync/**/*.json.log",
    ".threadsync/**/*.bak",
    ".threadsync/**/insights.json",
    ".threadsync/preview/",
    ".threadsync/emulator/",
)
DEFAULT_SCHEDULE = "*/15 * * * *"
#: threadsync's repository on GitHub: the action, and the reusable workflow at
#: WORKFLOW_PATH in it.  Its final name is not settled yet; this is the one place
#: that names it (the docs say OWNER/threadsync).
REPOSITORY = "threadsync/threadsync"
WORKFLOW_PATH = ".github/workflows/threadsync.yml"
LOCAL_WORKFLOW = f"./{WORKFLOW_PATH}"

_ACTION_REF = re.compile(r"^([\w.-]+/[\w.-]+)@(\S+)$")
_SHA = re.compile(r"^[0-9a-f]{40}$")
_WORKFLOW_REF = re.compile(
    r"^(\./\.github/workflows/[\w.-]+\.ya?ml"
    r"|[\w.-]+/[\w.-]+/\.github/workflows/[\w.-]+\.ya?ml@[0-9a-f]{40})$"
)
_CRON_FIELD = re.compile(r"^[0-9*/,A-Za-z-]+$")


def read(name: str) -> str:
    """A template's text: ``threadsync.yaml``, ``content/NAME`` or ``workflows/NAME``."""
    from importlib import resources  # here: every start-up imports this module for --help

    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def workflow_for(action: str) -> str:
    """``OWNER/REPO@SHA`` -> the reusable workflow in that repository, at that commit."""
    found = _ACTION_REF.match(action)
    if not found:
        raise ValueError(f"{action!r} is not OWNER/REPO@SHA, e.g. {REPOSITORY}@<commit SHA>")
    repository, ref = found.groups()
    if not _SHA.match(ref):
        raise ValueError(
            f"{action!r}: give a full commit SHA (40 hex digits) after '@', not {ref!r}: a "
            "tag or branch can be moved to other code, a commit can't. A tag's commit: "
            f"git ls-remote https://github.com/{repository} 'refs/tags/{ref}^{{}}'"
        )
    return f"{repository}/{WORKFLOW_PATH}@{ref}"


def default_action(commit: str | None) -> str:
    """This threadsync's own commit in REPOSITORY; without one, the user must name it."""
    if commit is None:
        raise ValueError(
            "this threadsync does not know the commit it was built from, so the workflows "
            f"can't be pinned to it: give --action {REPOSITORY}@SHA (a full commit SHA of "
            "threadsync's repository), or --no-workflows"
        )
    return f"{REPOSITORY}@{commit}"


def check_workflow_ref(ref: str) -> str:
    if not _WORKFLOW_REF.match(ref):
        raise ValueError(
            f"{ref!r} is not a pinned reusable workflow: use "
            "OWNER/REPO/.github/workflows/FILE.yml@SHA or ./.github/workflows/FILE.yml"
        )
    return ref


def check_schedule(cron: str) -> str:
    fields = cron.split()
    if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
        raise ValueError(f"{cron!r} is not a cron schedule of 5 fields, e.g. '*/15 * * * *'")
    return " ".join(fields)


def uses_line(ref: str) -> str:
    """The value of ``uses:``; threadsync's own repository calls its local copy."""
    if ref.startswith("./"):
        # zizmor's self-repository audit prefers "$/...", which actionlint rejects.
        return f"{ref} # zizmor: ignore[self-repository] the form actionlint accepts"
    return ref


def render_workflow(
    name: str, *, workflow: str, install: str = "", schedule: str = DEFAULT_SCHEDULE
) -> str:
    """A workflow template, calling ``workflow``; an empty ``install`` drops the line, so
    the reusable workflow installs threadsync from the commit it runs at."""
    text = read(f"workflows/{name}")
    text = text.replace("__THREADSYNC_WORKFLOW__", uses_line(check_workflow_ref(workflow)))
    if install:
        text = text.replace("__THREADSYNC_INSTALL__", json.dumps(install))
    else:
        text = text.replace("\n      install: __THREADSYNC_INSTALL__", "")
    return text.replace("__THREADSYNC_SCHEDULE__", check_schedule(schedule))


def files(
    *,
    workflow: str | None,
    install: str = "",
    schedule: str = DEFAULT_SCHEDULE,
) -> dict[str, str]:
    """Every file init writes but .gitignore: relative path -> text; no workflows when
    ``workflow`` is None."""
    out = {CONFIG: read(CONFIG)}
    out.update({f"content/{name}": read(f"content/{name}") for name in EXAMPLES})
    if workflow is not None:
        for name in WORKFLOWS:
            out[f".github/workflows/{name}"] = render_workflow(
                name, workflow=workflow, install=install, schedule=schedule
            )
    return out
