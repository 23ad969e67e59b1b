"""The content layer: content files → validated, rendered posts.

Public API (stable; plan and apply are written against it)::

    from threadsync.config import load_config
    from threadsync.content import load_project

    config = load_config(None, root)                 # threadsync.yaml, or defaults
    content = load_project(root, config)             # never raises on bad content
    content.problems                                 # list[Problem], every file's problems
    content.posts                                    # list[Post], valid, in publish order

- :func:`load_project` (``loader.py``) finds every post file under the content
  dir, parses it (YAML, or Markdown with front matter), renders its templates
  in a Jinja2 sandbox, checks it against the rules Threads enforces, and checks
  ids and references across files.
- :class:`Post`, :class:`Part`, :class:`MediaItem`, :class:`TextEntity`,
  :class:`Reference`, :class:`Content` (``models.py``) are what plan and apply use;
  :func:`content_hash` defines when a post has changed.  They are immutable and
  read by field name; a ``Part`` is a named tuple (every field given, copies
  made with ``_replace``), the others frozen dataclasses.
- :class:`Problem` (``problems.py``) is one ``path:line:col: message``.
- :func:`json_schema` (``rawmodels.py``) is the JSON Schema of a content file.
- :func:`threads_length` (``rules.py``) counts text the way Threads does.

This package reads content files and nothing else: no network, no token, no git.
"""

from __future__ import annotations

from threadsync.content.loader import load_project
from threadsync.content.media import MediaUrlContext
from threadsync.content.models import (
    Content,
    MediaItem,
    Part,
    Post,
    Reference,
    TextEntity,
    content_hash,
)
from threadsync.content.problems import Problem, Severity
from threadsync.content.rawmodels import PostFile, json_schema
from threadsync.content.rules import threads_length

__all__ = [
    "Content",
    "MediaItem",
    "MediaUrlContext",
    "Part",
    "Post",
    "PostFile",
    "Problem",
    "Reference",
    "Severity",
    "TextEntity",
    "content_hash",
    "json_schema",
    "load_project",
    "threads_length",
]
