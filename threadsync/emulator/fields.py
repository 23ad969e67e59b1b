"""The ``fields`` parameter: a comma list with nested selection (ref §1).

``id,children{id,media_type},poll_attachment{option_a}`` parses to
``[("id", None), ("children", [...]), ("poll_attachment", [...])]``.  Asking
for a field a node does not have is Graph's error 100 "Tried accessing
nonexisting field".
"""

from __future__ import annotations

import re
from typing import Any, Union

from .wire import SUB_INVALID_PARAMETER, GraphError, nonexisting_field

Fields = list[tuple[str, Union["Fields", None]]]
_NAME = re.compile(r"[A-Za-z0-9_]+")
_MODIFIER = re.compile(r"(\.[A-Za-z_]+\([^)]*\))+")


def _syntax(spec: str) -> GraphError:
    return GraphError(
        f"Syntax error in the fields parameter: {spec!r}", code=100, subcode=SUB_INVALID_PARAMETER
    )


def parse_fields(spec: str | None, default: str = "id") -> Fields:
    text = (spec or "").replace(" ", "")
    if not text:
        text = default
    text = _MODIFIER.sub("", text)  # Graph modifiers like .limit(5) are accepted and ignored
    fields, pos = _parse(text, 0, spec or "")
    if pos != len(text):
        raise _syntax(spec or "")
    return fields


def _parse(text: str, pos: int, original: str) -> tuple[Fields, int]:
    out: Fields = []
    while pos < len(text):
        match = _NAME.match(text, pos)
        if match is None:
            raise _syntax(original)
        name, pos = match.group(0), match.end()
        sub: Fields | None = None
        if pos < len(text) and text[pos] == "{":
            sub, pos = _parse(text, pos + 1, original)
            if pos >= len(text) or text[pos] != "}":
                raise _syntax(original)
            pos += 1
        out.append((name, sub))
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        break
    return out, pos


def select_dict(value: dict[str, Any], sub: Fields | None, node: str) -> dict[str, Any]:
    """Pick keys of a plain object; all of them when there is no sub-selection."""
    if sub is None:
        return value
    out: dict[str, Any] = {}
    for name, inner in sub:
        if name not in value:
            raise nonexisting_field(name, node)
        item = value[name]
        out[name] = select_dict(item, inner, node) if isinstance(item, dict) else item
    return out


def select_plain(
    spec: str | None, values: dict[str, Any], node: str, default: str
) -> dict[str, Any]:
    return select_dict(values, parse_fields(spec, default), node)
