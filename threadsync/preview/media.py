"""Media as the preview shows it: local files copied in, remote ones by URL.

Local files are copied into ``<out>/media/`` under a name made from the
sha256 of their bytes (which the loader already computed), so the site can be
moved or served on its own, a file used by many posts is copied once, and a
rebuild after an edit copies nothing that is already there.  Copies are
never written through a link under the project root.
"""

from __future__ import annotations

import os
from pathlib import Path

from threadsync.content import MediaItem
from threadsync.content.media import VIDEO_MAX_BYTES
from threadsync.content.safefs import Refused, RepoFiles
from threadsync.safewrite import write_atomic

MEDIA_DIR = "media"
PREVIEW_WHAT = "the preview"


class MediaStore:
    def __init__(self, root: Path, out_dir: Path) -> None:
        self.root = root
        self.files = RepoFiles(root)
        self.out_dir = out_dir
        self._known: dict[tuple[str, str], str | None] = {}

    def href(self, item: MediaItem) -> str | None:
        """A URL the page can load the item from, relative to the site root; None if none."""
        if item.local_path is None:
            url = item.url or ""
            return url if url.lower().startswith(("https://", "http://")) else None
        key = (item.local_path, item.sha256 or "")
        if key not in self._known:
            self._known[key] = self._copy(item)
        return self._known[key]

    def _copy(self, item: MediaItem) -> str | None:
        assert item.local_path is not None
        source = self.root / item.local_path
        suffix = Path(item.local_path).suffix.lower()
        digest = item.sha256 or ""
        if not digest:
            return None
        name = f"{digest[:20]}{suffix}"
        target = self.out_dir / MEDIA_DIR / name
        if not target.exists():
            try:
                self._copy_file(str(source), item.local_path, target)
            except (OSError, Refused):
                return None
        return f"{MEDIA_DIR}/{name}"

    def _copy_file(self, source: str, shown: str, target: Path) -> None:
        """Copy a media file the loader checked: read only from a file in the repository,
        written never through a link under it."""
        fd, _size = self.files.open(source, shown, limit=VIDEO_MAX_BYTES)
        with os.fdopen(fd, "rb") as src:
            write_atomic(
                target, src, root=self.root, what=PREVIEW_WHAT, command="preview", sync=False
            )
