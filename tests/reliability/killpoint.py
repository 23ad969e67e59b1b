"""Run threadsync's CLI, killing it (SIGKILL) at a point of the state's compaction.

``KILL_AT`` names the point:

- ``before-fold``: apply has journalled everything to the log, and is about to
  write the state file;
- ``mid-fold``: the new state file is written but not yet renamed into place;
- ``after-fold``: the state file holds the log, which is not removed yet.

Used by test_compaction.py: what each point leaves must be folded in by the
next command, exactly once.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]  # this dir holds test modules, not packages to import

import threadsync.safewrite as safewrite
import threadsync.state as state
import threadsync.statelog as statelog
from threadsync.cli import main


def _die(*args: Any, **kwargs: Any) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


point = os.environ.get("KILL_AT", "")
if point == "before-fold":
    state.StateStore.save = _die  # type: ignore[method-assign]
elif point == "mid-fold":
    real_replace = os.replace

    def _replace(src: Any, dst: Any, **kwargs: Any) -> None:
        if str(dst) == "state.json":
            _die()
        real_replace(src, dst, **kwargs)

    safewrite.os.replace = _replace  # type: ignore[attr-defined]
elif point == "after-fold":
    statelog.LogWriter.remove = _die  # type: ignore[method-assign]

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
