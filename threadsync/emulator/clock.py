"""The emulator's clock: real time plus an offset that tests move forward.

Everything time-based (processing, container expiry, token lifetimes, rolling
quotas, OAuth codes) reads this clock, so ``Emulator.advance(seconds)`` makes a
day pass in no time.
"""

from __future__ import annotations

import threading
import time


class Clock:
    def __init__(self, offset: float = 0.0) -> None:
        self._offset = float(offset)
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        """Move the clock forward (never back) and return the new time."""
        if seconds < 0:
            raise ValueError("the emulator clock only moves forward")
        with self._lock:
            self._offset += float(seconds)
            return time.time() + self._offset

    @property
    def offset(self) -> float:
        with self._lock:
            return self._offset

    def set_offset(self, offset: float) -> None:
        with self._lock:
            self._offset = float(offset)


def graph_time(t: float) -> str:
    """Meta's timestamp format: ``2023-10-17T05:42:03+0000`` (ref §1 "Response formats")."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(t))


def parse_duration(text: str) -> float:
    """``1s``, ``500ms``, ``2m``, ``1h`` or a bare number of seconds."""
    value = text.strip().lower()
    number, factor = value, 1.0
    for suffix, unit in (("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)):
        if value.endswith(suffix):
            number, factor = value[: -len(suffix)], unit
            break
    try:
        seconds = float(number) * factor
    except ValueError:
        raise ValueError(f"not a duration: {text!r} (use e.g. 1s, 500ms, 2m)") from None
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative: {text!r}")
    return seconds
