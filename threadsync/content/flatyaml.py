"""A fast reader for the plain YAML most post files are: ``key: value`` lines.

libyaml builds a node tree, with two position marks per node, and the loader
then builds the data from it: about 10 µs a file, most of a plan's parsing.
A typical post file (``text:``, ``topic:``, ``publish_at:``, a ``thread:`` or
``media:`` list; most Markdown front matter too) is simple enough for a few
regular expressions to read in a third of that.  :func:`parse_flat` reads only
a strict subset of YAML, where it agrees with libyaml and ``yamlsrc``'s YAML
1.2 scalars, and returns ``None`` for anything else (anchors, tags, escapes,
folded or indented-indicator block scalars, comments after a value, tabs,
other indentation, a duplicate key, a bad date...), which the caller then
parses with libyaml as before.  It never reports a problem itself, so every
message and position still comes from the full parser.

The subset: each top-level line is empty, a comment (``#`` first), or
``key: value`` with a plain key and a value that is

- a plain scalar on one line (resolved by ``yamlsrc.plain_scalar``), a
  single-quoted (``''`` for a quote) or double-quoted (no ``\\``) scalar, or a
  flow sequence of those, ``[a, 'b', "c"]``, items separated by ``, ``;
- ``|`` or ``|-`` and a literal block indented by two spaces;
- nothing, and then, indented by two spaces, ``key: value`` lines (a
  mapping) or ``- value`` / ``- key: value`` lines (a sequence of values or
  of mappings, a mapping's further keys indented by four), values as above
  but not blocks.

``tests/content/test_flatyaml.py`` holds it to libyaml on generated input.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from threadsync.content.yamlsrc import Parsed, parse_yaml, plain_scalar

_KEY = r"[A-Za-z_][A-Za-z0-9_]{0,63}"
_VALUE = r"\S(?:.*\S)?"  # no spaces around it
_ENTRY = re.compile(rf"({_KEY}): ({_VALUE})")
_OPEN = re.compile(rf"({_KEY}):")  # its value is the indented block that follows
_NESTED = re.compile(rf"  ({_KEY}): ({_VALUE})")
_SEQ_ITEM = re.compile(rf"  - ({_VALUE})")
_ITEM_MORE = re.compile(rf"    ({_KEY}): ({_VALUE})")  # a mapping item's further keys
# What a plain scalar may not start with (YAML's indicators), and quotes and "[".
_NOT_PLAIN_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@`")
# What a plain scalar that stays text may start with: not an indicator, not what
# a number, a date, true/false/null or ``~`` starts with.
_NOT_TEXT_FIRST = _NOT_PLAIN_FIRST | frozenset("+.0123456789tTfFnN~")
_PLAIN_ITEM = r"[^-?:,\[\]{}#&*!|>'\"%@` ](?:[^,\[\]{}:#]*[^,\[\]{}:# ])?"
_SINGLE = r"'(?:[^']|'')*'"
_DOUBLE = r'"[^"\\]*"'
_FLOW_ITEM = rf"{_PLAIN_ITEM}|{_SINGLE}|{_DOUBLE}"
_FLOW = re.compile(rf"\[(?:(?:{_FLOW_ITEM})(?:, (?:{_FLOW_ITEM}))*)?\]")
_FLOW_ITEMS = re.compile(_FLOW_ITEM)
_SINGLE_RE = re.compile(_SINGLE)
_DOUBLE_RE = re.compile(_DOUBLE)
_KEY_WORDS = frozenset(("null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE"))
_NOT_FLAT: Any = object()


def parse_flat(text: str) -> dict[str, Any] | None:
    """The mapping a plain YAML document holds, or ``None`` if it is not one."""
    lines = text.split("\n")
    for line in lines:
        if not line.isprintable():
            return None
    out: dict[str, Any] = {}
    i, end = 0, len(lines)
    while i < end:
        line = lines[i]
        i += 1
        if not line or line[0] == "#":
            continue
        m = _ENTRY.fullmatch(line)
        if m is not None:
            key, raw = m.groups()
            if raw[0] not in _NOT_TEXT_FIRST and ": " not in raw and " #" not in raw:
                value = raw if raw[-1] != ":" else _NOT_FLAT  # plain text: most values
            elif raw == "|" or raw == "|-":
                value, i = _literal(lines, i, keep_last_break=raw == "|")
            else:
                value = _value(raw)
        else:
            m = _OPEN.fullmatch(line)
            if m is None or i == end:
                return None
            key = m.group(1)
            if lines[i].startswith("  - "):
                value, i = _sequence(lines, i)
            else:
                value, i = _mapping(lines, i, _NESTED, {})
        if value is _NOT_FLAT or key in out or key in _KEY_WORDS:
            return None
        out[key] = value
    return out or None


def _mapping(lines: list[str], i: int, pattern: re.Pattern[str], out: dict[str, Any]) -> Any:
    """(mapping, next line) of the ``pattern`` lines from ``i`` on, added to ``out``."""
    while i < len(lines):
        m = pattern.fullmatch(lines[i])
        if m is None:
            break
        key, raw = m.groups()
        value = _value(raw)
        if value is _NOT_FLAT or key in out or key in _KEY_WORDS:
            return _NOT_FLAT, i
        out[key] = value
        i += 1
    return (out or _NOT_FLAT), i


def _sequence(lines: list[str], i: int) -> Any:
    """(list, next line) of the ``  - item`` lines from ``i`` on."""
    items: list[Any] = []
    while i < len(lines):
        m = _SEQ_ITEM.fullmatch(lines[i])
        if m is None:
            break
        raw = m.group(1)
        i += 1
        entry = _ENTRY.fullmatch(raw)
        if entry is None:
            item = _value(raw)
        else:  # a mapping: its first key on the "- " line, the others indented by four
            key, first = entry.groups()
            value = _value(first)
            if value is _NOT_FLAT or key in _KEY_WORDS:
                return _NOT_FLAT, i
            item, i = _mapping(lines, i, _ITEM_MORE, {key: value})
        if item is _NOT_FLAT:
            return _NOT_FLAT, i
        items.append(item)
    return items, i


def _literal(lines: list[str], i: int, *, keep_last_break: bool) -> Any:
    """(text, next line) of a ``|`` or ``|-`` block: its lines indented by two spaces."""
    body: list[str] = []
    last = -1  # the last line with text
    while i < len(lines):
        line = lines[i]
        if line.startswith("  "):
            if line.isspace():
                return _NOT_FLAT, i  # a line of spaces only: YAML's rules for it differ
            body.append(line[2:])
            last = i
        elif line:
            break
        else:
            body.append("")
        i += 1
    if last < 0 or last == len(lines) - 1 or body[0][:1] in ("", " "):
        # no text; no line break after it; or an indent other than two spaces
        return _NOT_FLAT, i
    del body[len(body) - (i - 1 - last) :]  # blank lines at the end (``|-``: the break too)
    return "\n".join(body) + ("\n" if keep_last_break else ""), i


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
        for item in _FLOW_ITEMS.findall(raw[1:-1]):
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
    if raw[0] not in _NOT_TEXT_FIRST:
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
