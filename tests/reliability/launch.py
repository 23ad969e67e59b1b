"""Run threadsync's CLI; or serve forked CLI runs.

``python launch.py ARGS...`` is ``python -m threadsync ARGS...``.

``python launch.py --zygote`` imports threadsync once, then reads one JSON
request a line on stdin (``args``, ``cwd``, ``env``, ``out``, ``err``) and
answers each with the pid of a forked child that runs ``threadsync ARGS``
with that cwd and environment, its stdout and stderr in the files ``out`` and
``err``, and writes its exit code to ``out + ".rc"`` as it exits.  Children
are reaped by the kernel (SIGCHLD ignored): one killed with SIGKILL leaves no
exit-code file.  This spares the crash matrix a Python start-up per run; each
run is still its own process with its own state lock, killed like any other.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from typing import Any

if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]  # this dir holds test modules, not packages to import

# Imported before forking, so that no forked run pays for them.
import threadsync.apply
import threadsync.content
import threadsync.diff
import threadsync.refresh
import threadsync.runner  # noqa: F401
from threadsync.api import API  # noqa: F401  (the client and requests)
from threadsync.cli import build_parser, main

build_parser()  # every command module


def _child(request: dict[str, Any]) -> None:
    code = 1
    out = request["out"]
    try:
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 1)
        os.dup2(os.open(request["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 2)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        sys.argv = ["threadsync", *request["args"]]
        code = main(request["args"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            tmp = f"{out}.rc.tmp"
            with open(tmp, "w") as fh:
                fh.write(str(code))
            os.replace(tmp, f"{out}.rc")
        finally:
            os._exit(code)


def zygote() -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    print("ready", flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(request)
        print(pid, flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--zygote"]:
        zygote()
    else:
        sys.exit(main(sys.argv[1:]))
