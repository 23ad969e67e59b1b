"""``watch``'s engine: notice saves, re-validate, re-plan, rebuild what changed, serve.

Three threads: watchdog's observer (file events), the rebuilder (one build at
a time, after a short quiet period so an editor's burst of events makes one
build), and the HTTP server.  A build never stops the loop: broken content
shows on its card, and even a bug in a build is printed and survived, with
the last good site still served.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from threadsync.output.escape import terminal_text
from threadsync.preview.server import PreviewServer
from threadsync.preview.site import BuildReport, Site
from threadsync.preview.snapshot import Snapshot
from threadsync.preview.terminal import build_line, problem_lines, verdict

QUIET = 0.03  # seconds without events before a build starts
# Only changes: without a filter inotify also reports every file *read*, and a
# build reads every post, so each build would flood the observer thread.
EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]
_IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp", ".part", ".crdownload")


@dataclass(frozen=True)
class Watched:
    """What to watch: the content dir (recursively) and single files such as threadsync.yaml."""

    content_dir: Path
    files: frozenset[Path]

    def directories(self) -> list[tuple[Path, bool]]:
        dirs: dict[Path, bool] = {self.content_dir: True}
        for f in self.files:
            dirs.setdefault(f.parent, False)
        return [(d, rec) for d, rec in dirs.items() if d.is_dir()]

    def wants(self, path: Path) -> bool:
        if path in self.files:
            return True
        name = path.name
        if name.startswith((".", "#")) or name.endswith(_IGNORED_SUFFIXES):
            return False
        return path == self.content_dir or self.content_dir in path.parents


class _Events(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory and event.event_type == "modified":
            return
        paths = [event.src_path, getattr(event, "dest_path", "")]
        self.watcher.notice(
            Path(p if isinstance(p, str) else p.decode()).absolute() for p in paths if p
        )


class Watcher:
    """Serve ``site`` and rebuild it from ``snapshot()`` whenever a watched file changes."""

    def __init__(
        self,
        site: Site,
        snapshot: Callable[[], Snapshot],
        watched: Callable[[], Watched],
        *,
        port: int = 8000,
        echo: Callable[[str], None] = print,
        root: Path | None = None,
    ) -> None:
        self.site = site
        self.snapshot = snapshot
        self.watched_fn = watched
        self.echo = echo
        self.root = root or Path.cwd()
        self.builds = 0
        self.last_report: BuildReport | None = None
        self._changed: set[Path] = set()
        self._lock = threading.Lock()
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._built = threading.Condition()
        self._watched = watched()
        self.server = PreviewServer(site.out_dir, port, self._digests, lambda: self.builds)
        self._observer: BaseObserver | None = None
        self._thread = threading.Thread(target=self._loop, name="threadsync-watch", daemon=True)

    @property
    def url(self) -> str:
        return self.server.url

    def _digests(self) -> dict[str, str]:
        return self.site.digests

    # -- events -----------------------------------------------------------------------------

    def notice(self, paths: Iterable[Path]) -> None:
        wanted = [p for p in paths if self._watched.wants(p)]
        if not wanted:
            return
        with self._lock:
            self._changed.update(wanted)
        self._dirty.set()

    def _schedule(self) -> None:
        observer = Observer()
        handler = _Events(self)
        for directory, recursive in self._watched.directories():
            observer.schedule(handler, str(directory), recursive=recursive, event_filter=EVENTS)
        observer.daemon = True
        observer.start()
        self._observer = observer

    def _unschedule(self) -> None:
        observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()
            observer.join(timeout=5)

    # -- builds -----------------------------------------------------------------------------

    def _shown(self, path: Path) -> str:
        try:
            return path.relative_to(self.root.absolute()).as_posix()
        except ValueError:
            return str(path)

    def build(self, changed: Iterable[Path] = ()) -> BuildReport | None:
        """One build, reported on the terminal; a failure is printed and the old site kept."""
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        names = sorted({terminal_text(self._shown(p)) for p in changed})
        what = (
            f"{', '.join(names[:3])}{' ...' if len(names) > 3 else ''} changed: " if names else ""
        )
        try:
            snap = self.snapshot()
            report = self.site.build(snap)
        except Exception as exc:  # a bug: say so, keep serving the last good build
            self.echo(f"[{stamp}] {what}build failed: {type(exc).__name__}: {terminal_text(exc)}")
            self.echo(terminal_text(traceback.format_exc(limit=3).rstrip(), newlines=True))
            return None
        self.echo(f"[{stamp}] {what}{verdict(snap)} · {build_line(report)}")
        for line in problem_lines(snap):
            self.echo(f"  {line}")
        watched = self.watched_fn()
        if watched != self._watched:  # threadsync.yaml moved the content dir
            self._watched = watched
            if self._observer is not None:
                self._unschedule()
                self._schedule()
        with self._built:
            self.builds += 1
            self.last_report = report
            self._built.notify_all()
        return report

    def _loop(self) -> None:
        while not self._stop.is_set():
            if not self._dirty.wait(0.2):
                continue
            time.sleep(QUIET)
            self._dirty.clear()
            with self._lock:
                changed, self._changed = self._changed, set()
            if not self._stop.is_set():
                self.build(changed)

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> Watcher:
        self.build()
        self.server.start()
        self._schedule()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._dirty.set()
        self._unschedule()
        self.server.stop()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def __enter__(self) -> Watcher:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
