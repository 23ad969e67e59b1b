"""``threadsync schema``: print the JSON Schema of a content file, or of threadsync.yaml.

Point an editor at it for completion and checks, e.g. VS Code's YAML extension
with a ``# yaml-language-server: $schema=post.schema.json`` first line.
"""

from __future__ import annotations

import argparse
import json
from typing import Any


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "schema",
        help="print the JSON Schema of content files",
        description="Print the JSON Schema of a content file, for editor completion and checks.",
    )
    parser.add_argument(
        "--config", action="store_true", help="the schema of threadsync.yaml instead"
    )


def view_from(args: argparse.Namespace) -> bool:
    """Whether the schema asked for is threadsync.yaml's."""
    return bool(args.config)


def run(args: argparse.Namespace) -> int:
    if view_from(args):
        schema = config_schema()
    else:
        from threadsync.content import json_schema

        schema = json_schema()
    print(json.dumps(schema, indent=2, ensure_ascii=False))
    return 0


def config_schema() -> dict[str, Any]:
    """threadsync.yaml's keys, as the loader reads them (media.store's among them)."""
    from threadsync.config import Config

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **Config.model_json_schema(mode="validation"),
        "title": "threadsync.yaml",
    }
