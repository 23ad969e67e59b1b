"""Progress while apply runs: a live line per post on a terminal, plain lines in CI."""

from __future__ import annotations

import threading
import time
from typing import TextIO

from threadsync.output.escape import terminal_text


class PlainProgress:
    """One line per step: what CI logs want."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._lock = threading.Lock()

    def __call__(self, post_id: str, step: str) -> None:
        with self._lock:
            self.stream.write(f"{terminal_text(post_id)}: {terminal_text(step)}\n")
            self.stream.flush()

    def close(self) -> None:
        pass


class LiveProgress:
    """On a TTY: the current post's line is rewritten in place, its seconds ticking."""

    def __init__(self, stream: TextIO, *, tick: float = 1.0) -> None:
        self.stream = stream
        self._lock = threading.Lock()
        self._current: str | None = None
        self._step = ""
        self._started = time.monotonic()
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, args=(tick,), daemon=True)
        self._ticker.start()

    def _draw(self) -> None:
        elapsed = time.monotonic() - self._started
        shown = f"{terminal_text(self._current)}: {terminal_text(self._step)}"
        self.stream.write(f"\r\033[K  {shown} ({elapsed:.0f} s)")
        self.stream.flush()

    def _tick(self, every: float) -> None:
        while not self._stop.wait(every):
            with self._lock:
                if self._current is not None:
                    self._draw()

    def __call__(self, post_id: str, step: str) -> None:
        with self._lock:
            if threading.current_thread() is not threading.main_thread():
                return  # background preparation; the main line tells the story
            if post_id != self._current:
                if self._current is not None:
                    self.stream.write("\n")
                self._current = post_id
                self._started = time.monotonic()
            self._step = step
            self._draw()
            if step.startswith(("published", "failed", "interrupted", "deferred", "refused")):
                self.stream.write("\n")
                self.stream.flush()
                self._current = None

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            if self._current is not None:
                self.stream.write("\n")
                self.stream.flush()
                self._current = None
