"""A fast reader for the flat YAML most post files are: one ``key: value`` per line.

libyaml builds a node tree, with two position marks per node, and the loader
then builds the data from it: about 10 µs a file, most of a plan's parsing.
A typical post file (``text:``, ``topic:``, ``publish_at:``; most Markdown front
matter too) is a flat mapping that a few regular expressions read in a third
of that.  :func:`parse_flat` reads only a strict subset of YAML, where it
agrees with libyaml and ``yamlsrc``'s YAML 1.2 scalars, and returns ``None``
for anything else (nesting, block scalars, anchors, tags, escapes, comments
after a value, tabs, a duplicate key, a bad date...), which the caller then
parses with libyaml as before.  It never reports a problem itself, so every
message and position still comes from the full parser.

Each line of the subset is empty, a comment (``#`` first), or
``key: value`` with a plain key and one of:

- a plain scalar on one line (resolved by ``yamlsrc.plain_scalar``);
- a single-quoted (``''`` for a quote) or double-quoted (no ``\\``) scalar;
- a flow sequence of those, ``[a, 'b', "c"]``, items separated by ``, ``.

``tests/content/test_flatyaml.py`` holds it to libyaml on generated input.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from threadsync.content.yamlsrc import Parsed, parse_yaml, plain_scalar

# A line ``key: value``: the key plain, the value without leading or trailing spaces.
_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]{0,63}): (\S(?:.*\S)?)")
# What a plain scalar may not start with (YAML's indicators), and quotes and "[".
_NOT_PLAIN_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@`")
_PLAIN_ITEM = r"[^-?:,\[\]{}#&*!|>'\"%@` ](?:[^,\[\]{}:#]*[^,\[\]{}:# ])?"
_SINGLE = r"'(?:[^']|'')*'"
_DOUBLE = r'"[^"\\]*"'
_ITEM = rf"{_PLAIN_ITEM}|{_SINGLE}|{_DOUBLE}"
_FLOW = re.compile(rf"\[(?:(?:{_ITEM})(?:, (?:{_ITEM}))*)?\]")
_ITEMS = re.compile(_ITEM)
_SINGLE_RE = re.compile(_SINGLE)
_DOUBLE_RE = re.compile(_DOUBLE)
_KEY_WORDS = frozenset(("null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE"))


def parse_flat(text: str) -> dict[str, Any] | None:
    """The mapping a flat YAML document holds, or ``None`` if it is not one."""
    out: dict[str, Any] = {}
    line_match = _LINE.fullmatch
    for line in text.split("\n"):
        if not line or line[0] == "#":
            if line and not line.isprintable():
                return None
            continue
        m = line_match(line)
        if m is None or not line.isprintable():
            return None
        key, raw = m.groups()
        if key in out or key in _KEY_WORDS:
            return None
        value = _value(raw)
        if value is _NOT_FLAT:
            return None
        out[key] = value
    return out or None


_NOT_FLAT = object()


def _value(raw: str) -> Any:
    first = raw[0]
    if first not in _NOT_PLAIN_FIRST:
        if ": " in raw or " #" in raw or raw[-1] == ":":
            return _NOT_FLAT
        return _plain(raw)
    if first == "'":
        return raw[1:-1].replace("''", "'") if _SINGLE_RE.fullmatch(raw) else _NOT_FLAT
    if first == '"':
        return raw[1:-1] if _DOUBLE_RE.fullmatch(raw) else _NOT_FLAT
    if first == "[" and _FLOW.fullmatch(raw):
        items: list[Any] = []
        for item in _ITEMS.findall(raw[1:-1]):
            if item[0] == "'":
                items.append(item[1:-1].replace("''", "'"))
            elif item[0] == '"':
                items.append(item[1:-1])
            else:
                value = _plain(item)
                if value is _NOT_FLAT:
                    return _NOT_FLAT
                items.append(value)
        return items
    return _NOT_FLAT


def _plain(raw: str) -> Any:
    if raw[0] not in "-+.0123456789tTfFnN~":
        return raw
    try:
        return plain_scalar(raw)
    except yaml.YAMLError:  # a bad date: the full parser reports it where it is
        return _NOT_FLAT


def parse_post_yaml(text: str) -> Parsed:
    """A post file's YAML: flat if it can be, else libyaml's ``parse_yaml``.

    ``root`` is ``None`` when the fast path read it: the caller keeps the text
    (``Source.yaml_text``), and the node tree is composed only to place a problem.
    """
    data = parse_flat(text)
    if data is not None:
        return Parsed(data, None, [])
    return parse_yaml(text)


__all__ = ["parse_flat", "parse_post_yaml"]
