"""Media as the preview shows it: local files copied in, remote ones by URL.

Local files are copied into ``<out>/media/`` under a name made from the
sha256 of their bytes (which the loader already computed), so the site can be
moved or served on its own, a file used by many posts is copied once, and a
rebuild after an edit copies nothing that is already there.
"""

from __future__ import annotations

import os
from pathlib import Path

from threadsync.content import MediaItem
from threadsync.content.media import VIDEO_MAX_BYTES
from threadsync.content.safefs import Refused, RepoFiles

MEDIA_DIR = "media"


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
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_name(f".{name}.{os.getpid()}.tmp")
                self._copy_file(str(source), item.local_path, tmp)
                os.replace(tmp, target)
            except (OSError, Refused):
                return None
        return f"{MEDIA_DIR}/{name}"

    def _copy_file(self, source: str, shown: str, target: Path) -> None:
        """Copy a media file the loader checked, again only if it is a file in the repository."""
        fd, left = self.files.open(source, shown, limit=VIDEO_MAX_BYTES)
        with os.fdopen(fd, "rb") as src, target.open("wb") as out:
            while left > 0 and (chunk := src.read(min(left, 1 << 20))):
                out.write(chunk)
                left -= len(chunk)
