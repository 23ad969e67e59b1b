from __future__ import annotations

import io
import threading
import time

from threadsync.output.progress import LiveProgress, PlainProgress


def test_plain_progress_is_one_line_per_step() -> None:
    out = io.StringIO()
    progress = PlainProgress(out)
    progress("a", "creating container")
    progress("a", "published https://x")
    assert out.getvalue() == "a: creating container\na: published https://x\n"


def test_live_progress_rewrites_one_line_per_post_and_ticks() -> None:
    out = io.StringIO()
    progress = LiveProgress(out, tick=0.02)
    progress("a", "processing")
    deadline = time.monotonic() + 2
    while out.getvalue().count("a: processing") < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    progress("a", "published https://x")
    progress("b", "creating container")
    progress.close()
    text = out.getvalue()
    assert text.count("a: processing") >= 3  # the ticker redrew the waiting line
    assert "\r\x1b[K  a: published https://x (0 s)\n" in text
    assert text.endswith("b: creating container (0 s)\n")


def test_live_progress_ignores_background_threads() -> None:
    out = io.StringIO()
    progress = LiveProgress(out, tick=10)
    worker = threading.Thread(target=progress, args=("c", "creating container"))
    worker.start()
    worker.join()
    progress.close()
    assert out.getvalue() == ""
