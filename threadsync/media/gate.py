"""What apply runs for a post before its first container: uploads, then the preflight.

Threads has no upload endpoint and fetches each file from its URL when the
container is made, so the file must be at that URL first.  For each part not
yet published, each local file is uploaded to the store (if there is one),
then each media URL is checked (if the preflight is on).  A failure refuses
this post only, with one line naming the file or URL; nothing of it is
created, and the next apply tries it again.

Apply's workers run the gate of upcoming posts while earlier posts' containers
process; the main thread runs it itself for a post no worker reached.  Each
post's gate runs once per apply, whichever thread comes first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Future
from functools import partial
from pathlib import Path

from threadsync.config import MediaConfig
from threadsync.content.models import MediaItem, Post
from threadsync.media.preflight import Preflight
from threadsync.media.store import LocalFiles, MediaRefused, MediaStore

Progress = Callable[[str, str], None]


class MediaGate:
    def __init__(
        self,
        files: LocalFiles,
        *,
        store: MediaStore | None = None,
        preflight: Preflight | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.files = files
        self.store = store
        self.preflight = preflight
        self.progress = progress or (lambda post_id, step: None)
        self._lock = threading.Lock()
        self._posts: dict[str, Future[None]] = {}
        self._urls: dict[str, str | None] = {}  # URL -> its problem, checked once per run

    def check(self, post: Post, skip: Collection[int] = ()) -> None:
        """Raise :class:`MediaRefused` unless every medium of ``post`` can reach Threads.

        ``skip``: the indexes of parts already published.
        """
        with self._lock:
            done = self._posts.get(post.id)
            mine = done is None
            if done is None:
                done = self._posts[post.id] = Future()
        if not mine:
            done.result()  # raises what the first run of it raised
            return
        try:
            self._check(post, skip)
        except BaseException as exc:
            done.set_exception(exc)
            raise
        done.set_result(None)

    def _check(self, post: Post, skip: Collection[int]) -> None:
        for index, part in enumerate(post.parts):
            if index in skip:
                continue
            for item in part.media:
                size: int | None = None
                if item.local_path is not None and self.store is not None:
                    local = self.files.describe(item)
                    if self.store.ensure(local, partial(self.files.copy, item)):
                        self.progress(post.id, f"uploaded {item.local_path}")
                    size = local.size
                elif item.local_path is not None and self.preflight is not None:
                    size = self.files.size(item)
                if self.preflight is not None and item.url:
                    problem = self._preflight(self.preflight, item, item.url, size)
                    if problem is not None:
                        raise MediaRefused(problem)

    def _preflight(
        self, preflight: Preflight, item: MediaItem, url: str, size: int | None
    ) -> str | None:
        with self._lock:
            if url in self._urls:
                return self._urls[url]
        problem = preflight.problem(url, item.kind, size, item.local_path)
        with self._lock:
            self._urls[url] = problem
        return problem

    def close(self) -> None:
        if self.preflight is not None:
            self.preflight.close()


def open_gate(
    media: MediaConfig,
    root: Path,
    posts: Sequence[Post],
    *,
    emulator: bool,
    real_api: bool,
    progress: Progress | None = None,
) -> MediaGate | None:
    """The gate of an apply that publishes ``posts``; None when it has nothing to do.

    A store is opened (boto3 imported, credentials found: one clear error
    otherwise) only when a post has a local file, and never with ``--emulator``,
    whose media are never fetched.  The preflight is on against the real
    Threads API unless ``media.preflight`` says otherwise.
    """
    items = [item for post in posts for part in post.parts for item in part.media]
    store: MediaStore | None = None
    if media.store == "s3" and not emulator and any(i.local_path for i in items):
        from threadsync.media.s3 import S3Store

        store = S3Store.open(media)
    on = media.preflight if media.preflight is not None else real_api and not emulator
    preflight = Preflight() if on and items else None
    if store is None and preflight is None:
        return None
    return MediaGate(LocalFiles(root), store=store, preflight=preflight, progress=progress)
