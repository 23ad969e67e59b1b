"""Just enough of CommonMark/GFM to check the structure of rendered Markdown.

The tests ask what a renderer's output *means* (which code spans a line
holds, how many cells a table row has, what is prose and what is code),
not what bytes it has, so they hold for any correct escaping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_FENCE = re.compile(r"^(`{3,})(.*)$")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


@dataclass
class Document:
    lines: list[str] = field(default_factory=list)  # outside fenced blocks
    blocks: list[str] = field(default_factory=list)  # the contents of fenced blocks


def split_fences(markdown: str) -> Document:
    """Prose lines and fenced blocks: a fence closes only on a run at least as long."""
    doc = Document()
    opened: str | None = None
    body: list[str] = []
    for line in markdown.split("\n"):
        if opened is None:
            match = _FENCE.match(line)
            if match:
                opened, body = match.group(1), []
            else:
                doc.lines.append(line)
        elif line.startswith(opened) and set(line.rstrip()) == {"`"}:
            doc.blocks.append("\n".join(body))
            opened = None
        else:
            body.append(line)
    assert opened is None, "a fenced block is never closed"
    return doc


def _run_at(text: str, i: int) -> int:
    j = i
    while j < len(text) and text[j] == "`":
        j += 1
    return j - i


def _closer(text: str, start: int, length: int) -> int | None:
    k = start
    while k < len(text):
        if text[k] == "`":
            run = _run_at(text, k)
            if run == length:
                return k
            k += run
        else:
            k += 1
    return None


def code_spans(text: str) -> tuple[list[str], str]:
    """The code spans of one line of inline text, and the text outside them."""
    spans: list[str] = []
    outside: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            outside.append(text[i : i + 2])
            i += 2
            continue
        if char != "`":
            outside.append(char)
            i += 1
            continue
        run = _run_at(text, i)
        end = _closer(text, i + run, run)
        if end is None:  # no closer: the backticks are literal
            outside.append(text[i : i + run])
            i += run
            continue
        content = text[i + run : end]
        if content.startswith(" ") and content.endswith(" ") and content.strip(" "):
            content = content[1:-1]
        spans.append(content)
        outside.append("\x00")  # where a span was
        i = end + run
    return spans, "".join(outside)


def cells(row: str) -> list[str]:
    """The cells of a GFM table row, with escaped pipes unescaped, as GFM does first."""
    parts = _UNESCAPED_PIPE.split(row.strip())
    assert parts[0] == "" and parts[-1] == "", f"not a table row: {row!r}"
    return [cell.replace("\\|", "|").strip() for cell in parts[1:-1]]


def prose(line: str) -> str:
    """A line's inline text outside code spans (spans become NUL)."""
    return code_spans(line)[1]


def raw_html(text: str) -> list[str]:
    """Every unescaped ``<`` that starts a tag or comment in prose."""
    return re.findall(r"(?<!\\)<[!/?A-Za-z][^>]*>?", text)
