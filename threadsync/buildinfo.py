"""The commit of threadsync that is running, for ``init`` to pin the workflows to.

A built package carries it in ``threadsync/_build.py`` (written by setup.py);
an editable install runs from a checkout, whose HEAD is the answer.  Anything
else (a source archive without git, say) has no commit, and ``init`` then asks
for one rather than guess.
"""

from __future__ import annotations

import importlib
import re
import subprocess
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_SHA = re.compile(r"[0-9a-f]{40}")


def _recorded() -> str | None:
    try:
        module = importlib.import_module("threadsync._build")
    except ImportError:
        return None
    commit = getattr(module, "COMMIT", None)
    return commit if isinstance(commit, str) and _SHA.fullmatch(commit) else None


def _checkout_head(package_dir: Path) -> str | None:
    """HEAD of the checkout the package is in, if it is threadsync's own checkout."""
    root = package_dir.parent
    if not (root / "pyproject.toml").is_file():
        return None
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--show-toplevel", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    top, _, head = done.stdout.strip().partition("\n")
    if Path(top).resolve() != root.resolve() or not _SHA.fullmatch(head):
        return None
    return head


def source_commit(package_dir: Path = PACKAGE_DIR) -> str | None:
    """The full commit SHA this threadsync was built from, or None when nobody knows."""
    return _recorded() or _checkout_head(package_dir)
