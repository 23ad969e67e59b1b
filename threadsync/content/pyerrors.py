"""Turn pydantic validation errors into messages a writer understands.

Pydantic's ``loc`` is a path into the data; ``Source.locate`` turns it into a
line and column.  Messages name the field, say what was expected and what was
found, and suggest the closest known key for typos.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import ValidationError

from threadsync.content.problems import Loc, field_name

# (loc, message, point_at_key)
Issue = tuple[Loc, str, bool]


def describe(value: Any) -> str:
    """A short, human description of a YAML value, for 'got ...' messages."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, dt.datetime):
        return "a date-time"
    if isinstance(value, dt.date):
        return "a date"
    return f"a {type(value).__name__}"


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a candidate is close to ``word``, else ``''``."""
    word = str(word)
    options = [c for c in candidates if c != word]
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:
        low = word.lower()
        close = [c for c in options if c.lower() == low]
    if not close and len(word) >= 3:
        # "alt_text" → "alt", "medias" → "media": a known key that starts the word.
        low = word.lower()
        close = [c for c in options if len(c) >= 3 and (low.startswith(c) or c.startswith(low))]
    return f" (did you mean {close[0]!r}?)" if close else ""


_TYPE_WORDS = {
    "string_type": "a string",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
    "int_type": "a whole number",
    "float_type": "a number",
    "datetime_type": "a date-time such as 2027-01-01T09:00:00+01:00",
}


_BOUNDS = {
    "greater_than_equal": "at least",
    "greater_than": "greater than",
    "less_than_equal": "at most",
    "less_than": "less than",
}


def _strip_tags(loc: Sequence[str | int]) -> Loc:
    out: list[str | int] = []
    for i, step in enumerate(loc):
        if (
            step in ("path", "item")
            and i >= 2
            and isinstance(loc[i - 1], int)
            and loc[i - 2] == "media"
        ):
            continue
        out.append(step)
    return tuple(out)


def issues_from(
    exc: ValidationError,
    known_keys: Callable[[Loc], tuple[Sequence[str], str]],
    *,
    prefix: Loc = (),
) -> list[Issue]:
    """Translate a ``ValidationError``.

    ``known_keys(parent_loc)`` returns the keys allowed in the mapping at
    ``parent_loc`` and a word for that mapping ("post", "thread part", ...), used
    for unknown-key messages.  ``prefix`` is put before every loc.
    """
    issues: list[Issue] = []
    for err in exc.errors(include_url=False):
        loc = prefix + _strip_tags(err["loc"])
        kind = err["type"]
        name = field_name(loc) or "file"
        value = err.get("input")
        if kind == "extra_forbidden":
            key = loc[-1]
            allowed, what = known_keys(loc[:-1])
            issues.append((loc, unknown_key_message(key, allowed, what), True))
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",")]
            hint = did_you_mean(str(value), options) if isinstance(value, str) else ""
            issues.append(
                (
                    loc,
                    f"{name} must be one of: {', '.join(options)}; got {describe(value)}{hint}",
                    False,
                )
            )
        elif kind in _TYPE_WORDS:
            hint = ""
            if (
                kind == "string_type"
                and isinstance(value, int | float)
                and not isinstance(value, bool)
            ):
                hint = " (put it in quotes to make it text)"
            issues.append(
                (loc, f"{name} must be {_TYPE_WORDS[kind]}, not {describe(value)}{hint}", False)
            )
        elif kind == "value_error":
            msg = str(err["msg"]).removeprefix("Value error, ")
            issues.append((loc, msg, False))
        elif kind == "media_item":
            issues.append((loc, f"{name}: {err['msg']}; got {describe(value)}", False))
        elif kind in _BOUNDS:
            bound = next(iter(err.get("ctx", {}).values()), "?")
            issues.append(
                (loc, f"{name} must be {_BOUNDS[kind]} {bound}, not {describe(value)}", False)
            )
        elif kind == "missing":
            issues.append((loc, f"{name} is required", False))
        else:
            issues.append((loc, f"{name}: {err['msg']}", False))
    return issues


def unknown_key_message(key: Any, allowed: Sequence[str], what: str) -> str:
    shown = repr(key) if isinstance(key, str) else describe(key)
    return f"unknown key {shown} in {what}{did_you_mean(str(key), allowed)}"
