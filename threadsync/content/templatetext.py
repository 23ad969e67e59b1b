"""What the build step needs to know about templates without loading Jinja.

Most posts hold no template: the build step asks :func:`needs_render` and,
for those, never imports ``templating`` (and Jinja2 with it), which an
offline plan of a small repository would otherwise pay for at every start.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

TOO_BIG = "template too large/slow"


class TemplateProblem(Exception):
    """A template failed: ``line`` is the 1-based line in the template, if known."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class EnvVars(dict[str, str]):
    """The environment variables a template may read (``env.NAME``)."""

    def __init__(
        self, allowed: list[str], values: Mapping[str, str], refused: Collection[str] = ()
    ) -> None:
        super().__init__({k: values[k] for k in allowed if k in values})
        self.allowed = list(allowed)
        self.refused = frozenset(refused)  # listed, but holding a token


def needs_render(text: str) -> bool:
    return "{{" in text or "{%" in text or "{#" in text


__all__ = ["TOO_BIG", "EnvVars", "TemplateProblem", "needs_render"]
