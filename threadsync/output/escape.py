"""Interpolate untrusted values into terminal text and Markdown without letting them forge output.

Post text, ids from an old state file, reasons, warnings, permalinks and error
messages can all carry a stranger's text.  A renderer passes each such value
through exactly one of these functions where it interpolates it, so no value
can start a line of its own, clear the screen, reorder what is shown (Unicode
bidi controls), close a code span, open an HTML comment, or add a row to a
table.  Ordinary values come out unchanged.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, the line/paragraph separators, and the bidi controls
# (embeddings, overrides, isolates, marks) that make text display in another order.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_BLOCK = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Markdown and HTML punctuation that could start markup anywhere in a line.
_MD_PUNCT = re.compile(r"([\\`*_\[\]<>#|!~&])")
# What is markup only at the start of a line: a list item, a setext underline.
_MD_BULLET = re.compile(r"^[-+=]")
_MD_NUMBER = re.compile(r"^(\d+)([.)])")
_BACKTICKS = re.compile(r"`+")
_SAFE_URL = re.compile(r"^https?://[A-Za-z0-9._~:/?#@!$&*+,;=%-]+$")  # printable ASCII, no ()[]<>


def _visible(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(value: object, *, newlines: bool = False) -> str:
    """``value`` with control and bidi characters shown as escapes (``\\x1b``, ``\\u202e``).

    With ``newlines``, line feeds and tabs are kept: for a block of several lines.
    """
    pattern = _UNSAFE_BLOCK if newlines else _UNSAFE
    return pattern.sub(_visible, str(value))


def md_code(value: object, *, table: bool = False) -> str:
    """``value`` as one inline code span that nothing inside it can close.

    The fence is one backtick longer than the longest run in the value, and
    padded with spaces where the value starts or ends with a backtick or a
    space (CommonMark strips one space from each end).  In a table cell a
    ``|`` would end the cell even inside code, so it is escaped there.
    """
    text = terminal_text(value)
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    ticks = "`" * (longest + 1)
    if not text.strip(" "):
        text = text or " "  # all spaces are kept as they are; nothing is one space
    elif text[0] in "` " or text[-1] in "` ":
        text = f" {text} "
    if table:
        text = text.replace("|", "\\|")
    return f"{ticks}{text}{ticks}"


def md_text(value: object) -> str:
    """``value`` as plain Markdown text: every character shows as itself, none is markup.

    Safe in a paragraph, a list item, a heading and a table cell.  ``@`` gets
    a zero-width space after it, so a value cannot mention (notify) anyone.
    """
    text = _MD_PUNCT.sub(r"\\\1", terminal_text(value))
    body = text.lstrip(" ")
    indent = "&#32;" * (len(text) - len(body))  # four spaces would start a code block
    body = _MD_NUMBER.sub(r"\1\\\2", _MD_BULLET.sub(r"\\\g<0>", body))
    return (indent + body).replace("@", "@\u200b")


def md_link(label: str, url: object, *, table: bool = False) -> str:
    """A link to ``url`` when it is a plain http(s) URL; else the URL as code, not a link."""
    text = str(url)
    if _SAFE_URL.match(text):
        return f"[{label}]({text})"
    return md_code(text, table=table)


def md_fence(text: str, info: str = "text") -> str:
    """A fenced code block that no line of ``text`` can close.

    The fence is longer than any backtick run in the text; control and bidi
    characters show as escapes, so a reviewer sees what a post really holds.
    """
    shown = terminal_text(text, newlines=True)
    longest = max((len(run) for run in _BACKTICKS.findall(shown)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{shown}\n{ticks}"
