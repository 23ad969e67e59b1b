"""Problems found in content: one per fault, located in the source file.

A :class:`Problem` is what ``threadsync validate`` prints.  Line and column are
1-based and point into the file the user edits (front matter included), so an
editor can jump straight to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in one file.

    ``path`` is relative to the project root and ``/``-separated; ``line`` and
    ``col`` are 1-based; ``field`` is a breadcrumb such as ``thread[0].media[1].alt``
    (empty when the problem is about the whole file).  ``str(problem)`` gives
    ``path:line:col: message``, with ``warning: `` before the message of a warning.
    """

    path: str
    line: int
    col: int
    severity: Severity
    field: str
    message: str

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}:{self.col}: {prefix}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used by ``threadsync validate --json``."""
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "field": self.field,
            "message": self.message,
        }

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.message)


Loc = tuple[str | int, ...]


def field_name(loc: Loc) -> str:
    """A location as a breadcrumb: ``('thread', 0, 'media', 1)`` → ``thread[0].media[1]``."""
    out: list[str] = []
    for part in loc:
        if isinstance(part, int):
            out.append(f"[{part}]")
        else:
            out.append(f".{part}" if out else str(part))
    return "".join(out)
