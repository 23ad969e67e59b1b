"""Writes the preview site, rebuilding only the cards whose inputs changed.

Each card is keyed by a hash of everything it shows (the post's content hash,
its schedule, status, problems, and the post it quotes).  A rebuild renders
only cards whose key changed and writes only their pages; the index and the
calendar are then put together from the cached card fragments, which is a
string join, so ``watch`` stays fast with thousands of posts.

Pages are written atomically (temp file, then rename), so the live server
never serves half a page, and never through a symlink: the default output
dir is under ``.threadsync/``, which a pull request can fill with links.
``digests`` holds a short hash of each page for the live-reload script: an
open page reloads only when its own content changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from threadsync.content import Post
from threadsync.content.safefs import Refused, RepoFiles
from threadsync.preview.badges import GROUPS, Status, statuses
from threadsync.preview.calendar import months_of
from threadsync.preview.invalid import invalid_card
from threadsync.preview.media import PREVIEW_WHAT, MediaStore
from threadsync.preview.model import CardBuilder, CardView, page_of_file, page_of_post
from threadsync.preview.render import STYLESHEET, Group, Renderer
from threadsync.preview.snapshot import Snapshot
from threadsync.safewrite import (
    UnsafePath,
    list_files,
    make_dirs,
    read_bytes,
    remove,
    write_atomic,
)

RENDER_VERSION = "1"  # bump when the templates change what a card shows
GENERATOR_TAG = b'<meta name="generator" content="threadsync preview">'  # in base.html.j2
_HEAD = 4096  # the tag is in the page's head, within its first few hundred bytes
_CARD_PAGE = re.compile(r"(post|file)-[A-Za-z0-9._-]+\.html")  # model.page_of_post/_file
_FAR = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
_DIGEST_SCRIPT = '<script src="/__threadsync/live.js" data-page="{page}" data-digest="{digest}">'


@dataclass(frozen=True)
class BuildReport:
    """What one build did, for the terminal and for tests."""

    cards: int
    rendered: int
    removed: int
    pages_written: int
    seconds: float
    errors: int
    warnings: int


def write_page(path: Path, text: str, root: Path | None) -> None:
    """Atomically, never through a link under ``root``; not synced: it is rebuilt on every edit."""
    write_atomic(
        path, text.encode("utf-8"), root=root, what=PREVIEW_WHAT, command="preview", sync=False
    )


def _key(*values: object) -> str:
    """What a card shows, in one string: compared, never stored, so ``repr`` is enough."""
    return repr((RENDER_VERSION, *values))


def _join(fragments: Iterable[Markup]) -> Markup:
    return Markup("\n".join(fragments))  # noqa: S704 - fragments our autoescaped templates made


def _sort_key(card: CardView) -> tuple[dt.datetime, str]:
    when = card.status.when or _FAR
    if card.status.kind == "published":  # newest first, as on a profile
        when = _FAR - (when - dt.datetime.min.replace(tzinfo=dt.timezone.utc))
    return (when, card.path)


class Site:
    """The preview site in ``out_dir``; call :meth:`build` again after every change."""

    def __init__(
        self,
        out_dir: Path,
        *,
        account: str,
        live: bool = False,
        renderer: Renderer | None = None,
    ) -> None:
        self.out_dir = out_dir
        self.account = account
        self.live = live
        self.renderer = renderer or Renderer()
        # page name -> the card, its HTML, and its row in the index's list
        self.cards: dict[str, tuple[CardView, Markup, Markup]] = {}
        self.digests: dict[str, str] = {}  # page name -> digest, read by the live server
        self._written: dict[str, str] = {}  # page name -> digest of what is on disk
        self._media: MediaStore | None = None
        self._root: Path | None = None  # the project's, once built: no link below it is followed
        self._swept = False  # pages of an earlier run, for posts that are gone, removed

    def _card_key(self, post: Post, status: Status, snap: Snapshot, posts: dict[str, Post]) -> str:
        problems = [str(p) for p in snap.problems_by_path.get(post.path, [])]
        refs = [r for r in [post.reply_to, *(p.quote for p in post.parts)] if r is not None]
        targets = [
            posts[r.value].content_hash if r.value in posts else None
            for r in refs
            if r.kind == "post"
        ]
        return _key(
            "post",
            post.id,
            post.path,
            post.content_hash,
            post.publish_at,
            post.draft,
            status.key(),
            problems,
            targets,
            self.account,
            str(snap.tz),
            snap.warn_ratio,
        )

    def _file_key(self, path: str, snap: Snapshot) -> str:
        try:
            raw = RepoFiles(snap.root).read(str(snap.root / path), path)
        except (OSError, Refused):
            raw = b""
        problems = [str(p) for p in snap.problems_by_path.get(path, [])]
        return _key("file", path, hashlib.sha256(raw).hexdigest(), problems, self.account)

    def _page_text(self, name: str, html: str) -> tuple[str, str]:
        """The page as served (with the live-reload script when live) and its digest."""
        digest = hashlib.sha256(html.encode("utf-8")).hexdigest()[:16]
        if not self.live:
            return html, digest
        script = _DIGEST_SCRIPT.format(page=name, digest=digest) + "</script>\n</body>"
        return html.replace("</body>", script, 1), digest

    def _write(self, name: str, html: str) -> bool:
        text, digest = self._page_text(name, html)
        if self._written.get(name) == digest and (self.out_dir / name).exists():
            return False
        write_page(self.out_dir / name, text, self._root)
        self._written[name] = digest
        self.digests[name] = digest  # after the write: a reload then gets the new page
        return True

    def build(self, snap: Snapshot) -> BuildReport:
        started = time.perf_counter()
        self._root = snap.root
        make_dirs(self.out_dir, root=snap.root, what=PREVIEW_WHAT)
        if self._media is None or self._media.root != snap.root:
            self._media = MediaStore(snap.root, self.out_dir)
        posts = {p.id: p for p in snap.posts}
        builder = CardBuilder(
            account=self.account,
            tz=snap.tz,
            warn_ratio=snap.warn_ratio,
            href=self._media.href,
            posts=posts,
        )
        status_by_id = statuses(snap.posts, snap.plan, snap.state, snap.tz)
        wanted: dict[str, tuple[str, Callable[[str], CardView]]] = {}
        for post in snap.posts:
            status = status_by_id[post.id]

            def make(key: str, post: Post = post, status: Status = status) -> CardView:
                return builder.card(post, status, snap.problems_by_path.get(post.path, []), key)

            wanted[page_of_post(post.id)] = (self._card_key(post, status, snap, posts), make)
        for path in snap.invalid_paths:

            def make_invalid(key: str, path: str = path) -> CardView:
                return invalid_card(
                    snap.root, path, snap.problems_by_path.get(path, []), self.account, key
                )

            wanted[page_of_file(path)] = (self._file_key(path, snap), make_invalid)

        rendered = written = 0
        for name, (key, make_card) in wanted.items():
            cached = self.cards.get(name)
            if cached is not None and cached[0].key == key:
                continue
            view = make_card(key)
            html = self.renderer.card(view)
            self.cards[name] = (view, html, self.renderer.row(view))
            rendered += 1
            written += self._write(name, self.renderer.post_page(view, html, self.account))
        removed = [name for name in self.cards if name not in wanted]
        for name in removed:
            del self.cards[name]
            self.digests.pop(name, None)
            self._written.pop(name, None)
            remove(self.out_dir / name, root=self._root, what=PREVIEW_WHAT)
        if not self._swept:  # later builds know every page they wrote
            removed += self._sweep(wanted)
            self._swept = True
        written += self._write_shared(snap)
        return BuildReport(
            cards=len(wanted),
            rendered=rendered,
            removed=len(removed),
            pages_written=written,
            seconds=time.perf_counter() - started,
            errors=snap.errors,
            warnings=snap.warnings,
        )

    def _sweep(self, wanted: Container[str]) -> list[str]:
        """Remove the pages an earlier run wrote for posts (or broken files) that are gone.

        Only a regular file named like a card's page that holds the preview's
        generator tag is removed: ``--out`` may name a folder with pages of
        someone else's, and a link is never followed.
        """
        stale = []
        for name in list_files(self.out_dir, root=self._root, what=PREVIEW_WHAT):
            if name in wanted or not _CARD_PAGE.fullmatch(name):
                continue
            path = self.out_dir / name
            try:
                html = read_bytes(path, root=self._root, what=PREVIEW_WHAT) or b""
            except (OSError, UnsafePath):
                continue
            if GENERATOR_TAG in html[:_HEAD]:
                remove(path, root=self._root, what=PREVIEW_WHAT)
                stale.append(name)
        return stale

    def _write_shared(self, snap: Snapshot) -> int:
        grouped: dict[str, list[tuple[CardView, Markup, Markup]]] = {}
        for entry in self.cards.values():
            grouped.setdefault(entry[0].status.kind, []).append(entry)
        groups = []
        for kind, title in GROUPS:
            if kind in grouped:
                entries = sorted(grouped[kind], key=lambda c: _sort_key(c[0]))
                groups.append(
                    Group(
                        kind,
                        title,
                        len(entries),
                        _join(e[1] for e in entries),
                        _join(e[2] for e in entries),
                    )
                )
        views = [entry[0] for entry in self.cards.values()]
        months = months_of(views, snap.tz)
        unscheduled = sum(1 for v in views if v.status.kind != "scheduled")
        n = 0
        n += self._write(
            "index.html",
            self.renderer.index(groups, snap.banner, self.account, len(self.cards)),
        )
        n += self._write(
            "calendar.html", self.renderer.calendar(months, unscheduled, self.account, snap.banner)
        )
        css = self.renderer.stylesheet()
        target = self.out_dir / STYLESHEET
        if not target.exists() or target.read_text(encoding="utf-8") != css:
            write_page(target, css, self._root)
            n += 1
        return n
