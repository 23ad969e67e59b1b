"""The last line of a validation, as ``validate``, ``preview`` and ``watch`` print it.

``8 posts valid (1 draft)``, or ``2 errors, 1 warning in 2 files``: the files
counted are every file a listed problem is in, warnings included, so the
count matches the lines above it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the content package (pydantic, yaml) is not loaded to build the parser
    from threadsync.content.problems import Problem


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def verdict(problems: Sequence[Problem], *, posts: int, drafts: int) -> str:
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    if errors:
        files = len({p.path for p in problems})
        text = plural(errors, "error")
        if warnings:
            text += f", {plural(warnings, 'warning')}"
        return f"{text} in {plural(files, 'file')}"
    extras = []
    if drafts:
        extras.append(plural(drafts, "draft"))
    if warnings:
        extras.append(plural(warnings, "warning"))
    text = f"{plural(posts, 'post')} valid"
    return f"{text} ({', '.join(extras)})" if extras else text
