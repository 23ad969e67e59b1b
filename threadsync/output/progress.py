"""Progress while apply runs: a live line per post on a terminal, plain lines in CI."""

from __future__ import annotations

import threading
import time
from typing import TextIO


class PlainProgress:
    """One line per step: what CI logs want."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._lock = threading.Lock()

    def __call__(self, post_id: str, step: str) -> None:
        with self._lock:
            self.stream.write(f"{post_id}: {step}\n")
            self.stream.flush()

    def close(self) -> None:
        pass


class LiveProgress:
    """On a TTY: the current post's line is rewritten in place, with elapsed time."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._lock = threading.Lock()
        self._current: str | None = None
        self._started = time.monotonic()

    def __call__(self, post_id: str, step: str) -> None:
        with self._lock:
            if threading.current_thread() is not threading.main_thread():
                return  # background preparation; the main line tells the story
            if post_id != self._current:
                if self._current is not None:
                    self.stream.write("\n")
                self._current = post_id
                self._started = time.monotonic()
            elapsed = time.monotonic() - self._started
            self.stream.write(f"\r\033[K  {post_id}: {step} ({elapsed:.0f} s)")
            if step.startswith(("published", "failed", "interrupted")):
                self.stream.write("\n")
                self._current = None
            self.stream.flush()

    def close(self) -> None:
        with self._lock:
            if self._current is not None:
                self.stream.write("\n")
                self._current = None
