"""Colour on a terminal, and only there (NO_COLOR / FORCE_COLOR honoured)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TextIO

_CODES = {"green": "32", "red": "31", "yellow": "33", "cyan": "36", "bold": "1", "dim": "2"}


def use_color(
    stream: TextIO, *, no_color: bool = False, environ: Mapping[str, str] | None = None
) -> bool:
    env = os.environ if environ is None else environ
    if no_color or env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Style:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, *names: str) -> str:
        if not self.enabled or not names:
            return text
        codes = ";".join(_CODES[n] for n in names)
        return f"\033[{codes}m{text}\033[0m"
