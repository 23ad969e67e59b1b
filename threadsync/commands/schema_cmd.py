"""``threadsync schema``: print the JSON Schema of a content file.

Point an editor at it for completion and checks, e.g. VS Code's YAML extension
with a ``# yaml-language-server: $schema=post.schema.json`` first line.
"""

from __future__ import annotations

import argparse
import json
from typing import Any


def add_parser(sub: Any) -> None:
    sub.add_parser(
        "schema",
        help="print the JSON Schema of content files",
        description="Print the JSON Schema of a content file, for editor completion and checks.",
    )


def run(args: argparse.Namespace) -> int:
    from threadsync.content import json_schema

    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
    return 0
