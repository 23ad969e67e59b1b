"""Build hooks: record in the package the commit threadsync is built from.

``threadsync init`` pins the workflows it writes to that commit, so it must
travel with a wheel that is installed far from any checkout.  A build from a
git checkout takes its HEAD; an sdist carries the module, so the wheel built
from the sdist (as ``python -m build`` does) keeps the same commit.  Every
other setting is in pyproject.toml.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent
MODULE = Path("threadsync", "_build.py")
_COMMIT = re.compile(r'^COMMIT = "([0-9a-f]{40})"$', re.MULTILINE)


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def source_commit(root: Path = ROOT) -> str | None:
    """HEAD when ``root`` is the top of a git checkout; else what an sdist recorded."""
    top = _git(root, "rev-parse", "--show-toplevel")
    if top and Path(top).resolve() == root.resolve():
        head = _git(root, "rev-parse", "HEAD")
        if head and re.fullmatch(r"[0-9a-f]{40}", head):
            return head
    recorded = root / MODULE
    if recorded.is_file():
        found = _COMMIT.search(recorded.read_text(encoding="utf-8"))
        return found.group(1) if found else None
    return None


def module_text(commit: str | None) -> str:
    value = f'"{commit}"' if commit else "None"
    return (
        "# Written by setup.py when this threadsync was built: the commit it was built from,\n"
        "# which 'threadsync init' pins the workflows to.\n"
        f"COMMIT = {value}\n"
    )


def write_module(base: Path, commit: str | None) -> None:
    path = base / MODULE
    path.parent.mkdir(parents=True, exist_ok=True)
    # An sdist's tree hard-links the sources: never write through to them.
    path.unlink(missing_ok=True)
    path.write_text(module_text(commit), encoding="utf-8")


class BuildPy(build_py):
    def run(self) -> None:
        super().run()
        write_module(Path(self.build_lib), source_commit())

    def get_outputs(self, *args: Any, **kwargs: Any) -> list[str]:
        outputs = list(super().get_outputs(*args, **kwargs))
        built = str(Path(self.build_lib) / MODULE)
        return outputs if built in outputs else [*outputs, built]


class Sdist(sdist):
    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, files)
        write_module(Path(base_dir), source_commit())


if __name__ == "__main__":
    setup(cmdclass={"build_py": BuildPy, "sdist": Sdist})
