"""The preview: posts drawn as Threads will show them, as a static HTML site.

``threadsync preview`` writes the site once; ``threadsync watch`` serves it and
rebuilds it on every save.  Both go through :func:`build_snapshot` (content,
state and plan, read offline and never raising on bad content) and
:class:`Site` (cards rendered by Jinja2 with autoescape, cached by a hash of
what they show).
"""

from __future__ import annotations

from threadsync.preview.site import BuildReport, Site
from threadsync.preview.snapshot import Snapshot, empty_snapshot, take_snapshot

__all__ = ["BuildReport", "Site", "Snapshot", "empty_snapshot", "take_snapshot"]
