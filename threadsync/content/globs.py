"""``content:`` as a folder and an optional pattern of post files under it."""

from __future__ import annotations


def split_content_glob(content: str) -> tuple[str, str | None]:
    """``content: accounts/brand/*.md`` is the dir ``accounts/brand`` and a pattern.

    The dir is the part before the first component with a glob character; the
    pattern (shell-style, where ``*`` also matches ``/``) filters the post files
    by their path under it.  A plain dir has no pattern.
    """
    parts = content.replace("\\", "/").split("/")
    for i, part in enumerate(parts):
        if any(ch in part for ch in "*?["):
            return "/".join(parts[:i]) or ".", "/".join(parts[i:])
    return content, None


__all__ = ["split_content_glob"]
