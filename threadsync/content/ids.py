"""Which post ids (and post file names) threadsync accepts, and how to show the others.

An id ends up in the plan, the PR comment, the state file and terminal
output; one that holds a newline, a backtick, ``<`` or a bidi control could
forge a line of any of them.  So an id may hold only letters, digits, ``-``,
``_``, ``.`` and ``/``, is a relative path with no ``.`` or ``..`` segment,
and a post file's path may add spaces to that (an explicit ``id:`` then
names the post).
"""

from __future__ import annotations

import re
import unicodedata

_ID = re.compile(r"[\w.\-/]+")  # \w: Unicode letters and digits, and "_"
_PATH = re.compile(r"[\w.\-/ ]+")
# Every id ``id_problem`` accepts, in one match: segments of the alphabet
# joined by single '/', none of them '.' or '..'.
_GOOD_ID = re.compile(r"(?!\.\.?(?:/|\Z))[\w.\-]+(?:/(?!\.\.?(?:/|\Z))[\w.\-]+)*")
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAMES = {
    "\n": "a newline",
    "\r": "a carriage return",
    "\t": "a tab",
    " ": "a space",
    "`": "a backtick",
}
ALLOWED = "letters, digits, '-', '_', '.' and '/'"


def describe(ch: str) -> str:
    """A character as a writer can find it: ``a newline``, ``a bidi control (U+202E)``."""
    if ch in _NAMES:
        return _NAMES[ch]
    code = f"U+{ord(ch):04X}"
    if ch in _BIDI:
        return f"a bidi control character ({code})"
    category = unicodedata.category(ch)
    if category == "Cc":
        return f"a control character ({code})"
    if category[0] in "CZM":
        return f"an invisible or combining character ({code})"
    return f"{ch!r} ({code})"


def _first_bad(text: str, allowed: re.Pattern[str]) -> str | None:
    return next((ch for ch in text if not allowed.fullmatch(ch)), None)


def id_problem(post_id: str) -> str | None:
    """Why ``post_id`` can't be an id, or ``None`` when it can."""
    if _GOOD_ID.fullmatch(post_id):
        return None
    if not post_id:
        return "is empty"
    if not _ID.fullmatch(post_id):
        return f"has {describe(_first_bad(post_id, _ID) or '?')}"
    if post_id.startswith("/"):
        return "starts with '/'"
    segments = post_id.split("/")
    if "" in segments:
        return "has an empty segment ('//' or a '/' at the end)"
    for segment in ("..", "."):
        if segment in segments:
            return f"has a '{segment}' segment"
    return None


def safe_path(rel: str) -> bool:
    """Whether a post file's path (under the content dir) can be shown as it is."""
    return _PATH.fullmatch(rel) is not None


def unsafe_path_message(rel: str) -> str:
    bad = _first_bad(rel, _PATH) or "?"
    return (
        f"the file's name has {describe(bad)}, which output can't show safely; rename it "
        "(letters, digits, '-', '_', '.', '/' and spaces)"
    )


def printable(text: str) -> str:
    """``text`` with every character an id may not hold (but spaces) escaped, as in Python."""
    if _PATH.fullmatch(text):
        return text
    return "".join(ch if _PATH.fullmatch(ch) else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


__all__ = ["ALLOWED", "describe", "id_problem", "printable", "safe_path", "unsafe_path_message"]
