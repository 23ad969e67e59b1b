"""The baseline every content benchmark divides by: walk, read and parse with yaml's C loader.

Shared so that the validate and plan budgets are ratios to the same measurement.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml


def parse_only(content: Path) -> int:
    """Walk, read and parse every post file with yaml.CSafeLoader (front matter for .md)."""
    count = 0
    loader = yaml.CSafeLoader
    for dirpath, dirnames, filenames in os.walk(content):
        dirnames[:] = [d for d in dirnames if not d.startswith(("_", "."))]
        for name in filenames:
            if name.startswith(("_", ".")):
                continue
            path = os.path.join(dirpath, name)
            if name.endswith((".yaml", ".yml")):
                with open(path, "rb") as fh:
                    text = fh.read().decode("utf-8")
                yaml.load(text, Loader=loader)  # noqa: S506 (the safe C loader)
            elif name.endswith(".md"):
                with open(path, "rb") as fh:
                    text = fh.read().decode("utf-8")
                if text.startswith("---\n"):
                    end = text.find("\n---\n", 3)
                    yaml.load(text[4:end], Loader=loader)  # noqa: S506
            else:
                continue
            count += 1
    return count
