"""Every state change apply makes, on disk before it returns.

Apply's rule is "journal first": a container id or media id is on disk before
any request that depends on it is sent.  (Two changes no request depends on
wait for the next write; see ``Journal._change``.)  Each change appends the
entry of the post it touched to the state's log (``threadsync.statelog``), so
a step costs the same at any history size; :meth:`Journal.close` folds the log
into the state file.  The journal is shared by the pipeline's worker threads,
so every mutation holds one lock, and writing is part of the mutation.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from threadsync.state import Attempt, PartState, PostState, State, StateStore, utcnow


class Journal:
    def __init__(self, store: StateStore) -> None:
        self.store = store
        self._lock = threading.RLock()
        self._dirty: set[str] = set()  # posts whose deferred changes are not on disk yet

    @property
    def state(self) -> State:
        return self.store.state

    @contextmanager
    def _change(
        self, post_id: str | None, *, deferred: bool = False, user: bool = False
    ) -> Iterator[None]:
        """A change of ``post_id``, on disk before it returns; a ``deferred`` one with the next.

        Deferred is only for what no later request depends on (a pending entry
        before its first container, a permalink): losing it in a crash loses
        nothing, and the next run records it again.
        """
        with self._lock:
            yield
            if post_id is not None:
                self._dirty.add(post_id)
            if not deferred:
                self.store.append(sorted(self._dirty), user=user)
                self._dirty.clear()

    def flush(self) -> None:
        """Write the deferred changes, if any."""
        with self._lock:
            if self._dirty:
                self.store.append(sorted(self._dirty))
                self._dirty.clear()

    def close(self) -> None:
        """Write what is deferred, and fold the log into the state file."""
        with self._lock:
            self.flush()
            self.store.compact()

    # --- reads (copies are not needed: callers only read under the GIL) ---

    def entry(self, post_id: str) -> PostState | None:
        with self._lock:
            return self.store.state.posts.get(post_id)

    def part(self, post_id: str, index: int) -> PartState:
        with self._lock:
            return self.store.state.posts[post_id].parts[index]

    def media_id(self, post_id: str) -> str | None:
        entry = self.entry(post_id)
        return entry.media_id if entry and entry.status == "published" else None

    def known_media_ids(self) -> set[str]:
        with self._lock:
            return {
                m for e in self.store.state.posts.values() for p in e.parts if (m := p.media_id)
            }

    # --- account ---

    def claim_account(self, user_id: str) -> None:
        with self._lock:
            self.store.state.check_account(user_id)
            if self.store.state.user_id is None:
                with self._change(None, user=True):
                    self.store.state.user_id = str(user_id)

    # --- state-only changes ---

    def move(self, old_id: str, new_id: str, path: str | None) -> None:
        with self._change(new_id):
            self._dirty.add(old_id)  # gone from under its old id
            posts = self.store.state.posts
            entry = posts.pop(old_id)
            entry.path = path
            entry.updated_at = utcnow()
            posts[new_id] = entry

    def forget(self, post_id: str) -> None:
        with self._change(post_id):
            self.store.state.posts.pop(post_id, None)

    def adopt(
        self,
        post_id: str,
        content_hash: str,
        path: str | None,
        media_id: str,
        permalink: str | None,
        published_at: dt.datetime | None,
        parts: int = 1,
    ) -> None:
        """Record a root already on the account; a thread's other parts stay to publish."""
        with self._change(post_id):
            root = PartState(media_id=media_id, permalink=permalink, published_at=published_at)
            self.store.state.posts[post_id] = PostState(
                status="published" if parts <= 1 else "pending",
                content_hash=content_hash,
                path=path,
                source="adopt",
                parts=[root] + [PartState() for _ in range(parts - 1)],
            )

    def found(self, post_id: str, entry: PostState) -> None:
        """Record a post found on the account that the state did not know."""
        with self._change(post_id):
            self.store.state.posts[post_id] = entry

    # --- publishing ---

    def begin(self, post_id: str, content_hash: str, path: str | None, parts: int) -> None:
        """Make sure a pending entry with ``parts`` slots exists; keeps what is recorded."""
        with self._lock:
            entry = self.store.state.posts.get(post_id)
            if (
                entry is not None
                and entry.status == "pending"
                and len(entry.parts) == parts
                and entry.content_hash == content_hash
                and entry.path == path
            ):
                return
            with self._change(post_id, deferred=True):  # written with the first container
                if entry is None:
                    entry = PostState(status="pending", content_hash=content_hash, path=path)
                    self.store.state.posts[post_id] = entry
                elif entry.status == "failed":
                    # A retry gets a fresh budget of containers; closed attempts were never
                    # published, so only open ones are kept.
                    for part in entry.parts:
                        part.attempts = [a for a in part.attempts if a.closed is None]
                entry.status = "pending"
                entry.content_hash = content_hash
                entry.path = path
                entry.error = None
                while len(entry.parts) < parts:
                    entry.parts.append(PartState())
                entry.updated_at = utcnow()

    def open_attempt(
        self,
        post_id: str,
        index: int,
        *,
        container_id: str | None,
        text: str | None,
        created_at: dt.datetime,
    ) -> Attempt:
        with self._change(post_id):
            attempt = Attempt(container_id=container_id, created_at=created_at, text=text)
            self.store.state.posts[post_id].parts[index].attempts.append(attempt)
            return attempt

    def add_child(self, post_id: str, attempt: Attempt, child_id: str) -> None:
        """Record a carousel item of ``attempt`` (an attempt of ``post_id`` in this state)."""
        with self._change(post_id):
            attempt.children.append(child_id)

    def set_container(self, post_id: str, attempt: Attempt, container_id: str) -> None:
        with self._change(post_id):
            attempt.container_id = container_id

    def close_attempt(self, post_id: str, index: int, attempt: Attempt, reason: str) -> None:
        with self._change(post_id):
            attempt.closed = reason

    def part_published(
        self,
        post_id: str,
        index: int,
        media_id: str,
        published_at: dt.datetime,
        attempt: Attempt | None,
    ) -> None:
        with self._change(post_id):
            entry = self.store.state.posts[post_id]
            part = entry.parts[index]
            part.media_id = media_id
            part.published_at = published_at
            for a in part.attempts:
                a.text = None  # the post itself is the record now
                if a is attempt:
                    a.closed = "published"
                elif a.closed is None:
                    a.closed = "superseded"
            entry.updated_at = utcnow()

    def set_links(
        self, post_id: str, index: int, permalink: str | None, child_media_ids: list[str]
    ) -> None:
        with self._change(post_id, deferred=True):  # written with the next part, or finish
            part = self.store.state.posts[post_id].parts[index]
            part.permalink = permalink or part.permalink
            part.child_media_ids = child_media_ids or part.child_media_ids

    def finish(self, post_id: str) -> None:
        with self._change(post_id):
            entry = self.store.state.posts[post_id]
            entry.status = "published"
            entry.error = None
            entry.updated_at = utcnow()

    def fail(self, post_id: str, reason: str) -> None:
        with self._change(post_id):
            entry = self.store.state.posts[post_id]
            entry.status = "failed"
            entry.error = reason
            entry.updated_at = utcnow()

    # --- deleting ---

    def deleted(self, post_id: str, media_id: str) -> None:
        """Record that one media id is gone; the entry goes with its last one."""
        with self._change(post_id):
            entry = self.store.state.posts.get(post_id)
            if entry is None:
                return
            for part in entry.parts:
                if part.media_id == media_id:
                    part.media_id = None
            if not entry.media_ids:
                del self.store.state.posts[post_id]
