"""Cards for files with errors, which ``load_project`` leaves out of ``Content.posts``.

A broken file must still get a card, or the preview would hide exactly the
post that needs attention.  The loader keeps no partial result for such a
file, so its card is drawn from the file as written (templates unrendered),
read again here best-effort, with the problems beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from threadsync.content import Problem
from threadsync.content.loader import POST_SUFFIXES, decode
from threadsync.content.markdown import MarkdownError, parse_markdown
from threadsync.content.rules import TEXT_LIMIT
from threadsync.content.safefs import Refused, RepoFiles
from threadsync.content.yamlsrc import parse_yaml
from threadsync.preview.badges import Status
from threadsync.preview.model import CardView, PartView, page_of_file, slug_for
from threadsync.preview.text import segments

NOTE = "Shown as written: the templates are not rendered while the file has errors."


def is_post_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.lower().endswith(POST_SUFFIXES) and not name.startswith(("_", "."))


def _raw_data(root: Path, path: str) -> dict[str, Any]:
    try:
        text, _ = decode(RepoFiles(root).read(str(root / path), path))
    except (OSError, Refused):  # e.g. a symlink out of the repository: never shown
        return {}
    if text is None:
        return {}
    text = text.replace("\r\n", "\n")
    try:
        if path.lower().endswith(".md"):
            data: Any = parse_markdown(text, path)[0]
        else:
            data = parse_yaml(text).data
    except (MarkdownError, yaml.YAMLError, RecursionError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def raw_texts(root: Path, path: str) -> list[str]:
    """The text of the root and of each thread part, as written; [] if unreadable."""
    data = _raw_data(root, path)
    parts: list[Any] = [data]
    thread = data.get("thread")
    if isinstance(thread, list):
        parts += thread
    out = []
    for part in parts:
        text = part.get("text") if isinstance(part, dict) else None
        out.append(text if isinstance(text, str) else "")
    return out if any(out) else []


def invalid_card(
    root: Path, path: str, problems: Sequence[Problem], account: str, key: str
) -> CardView:
    parts = tuple(
        PartView(
            index=i,
            segments=tuple(segments(text)),
            length=len(text),
            limit=TEXT_LIMIT,
            level="ok",
        )
        for i, text in enumerate(raw_texts(root, path))
    )
    errors = sum(1 for p in problems if p.severity == "error")
    label = f"{errors} error{'' if errors == 1 else 's'}: will not publish"
    return CardView(
        key=key,
        slug=slug_for(path),
        page=page_of_file(path),
        title=path.rsplit("/", 1)[-1],
        path=path,
        account=account,
        status=Status("invalid", label, "fix the file; threadsync validate lists the problems"),
        when_text="not valid",
        shape="",
        parts=parts,
        problems=tuple(problems),
        raw=True,
        notes=(NOTE,) if parts else (),
    )
