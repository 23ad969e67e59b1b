"""``threadsync emulator``: run the local Threads API in the foreground.

Prints ``Threads emulator listening on http://HOST:PORT`` (flushed, before
serving), then the variables to paste into a shell, and serves until Ctrl-C
(or SIGTERM), which stops it cleanly with exit code 0.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from dataclasses import dataclass
from types import FrameType
from typing import TYPE_CHECKING, Any

from threadsync.errors import ThreadsyncError

if TYPE_CHECKING:
    from threadsync.emulator import Emulator


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "emulator",
        help="run a local Threads API emulator",
        description=(
            "Run a local emulator of the Threads Graph API in the foreground. "
            "Point THREADS_API_URL at it to try threadsync with no account. "
            "See docs/emulator.md for its admin endpoints and faults."
        ),
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    p.add_argument(
        "--data", metavar="FILE", default=None, help="persist the emulator's state in FILE"
    )
    p.add_argument(
        "--processing",
        metavar="SPEC",
        default=None,
        help="processing times, e.g. text=0.3s,image=1s,video=5s,carousel=1s",
    )
    p.add_argument("--token", default=None, help="the access token to accept (default: minted)")
    p.add_argument(
        "--allow-host",
        metavar="NAME",
        action="append",
        default=[],
        help="also answer requests addressed to this host name (e.g. a container's name); "
        "by default only loopback names and addresses, and the --host address, are answered",
    )


def _banner(emu: Emulator) -> list[str]:
    return [
        f"Threads emulator listening on {emu.url}",
        f"export THREADS_API_URL={emu.url}",
        f"export THREADS_ACCESS_TOKEN={emu.token}",
        f"export THREADS_USER_ID={emu.user_id}",
        f"export THREADS_APP_ID={emu.app_id}",
        f"export THREADS_APP_SECRET={emu.app_secret}",
        f"# OAuth: {emu.url}/oauth/authorize (any redirect URI; consent is automatic)",
        f"# Admin: {emu.url}/__emulator__/ (reset, posts, requests, clock, faults)",
        "# Press Ctrl-C to stop.",
    ]


@dataclass(frozen=True)
class EmulatorRequest:
    host: str
    port: int
    data: str | None
    processing: str | None
    token: str | None
    allowed_hosts: tuple[str, ...]


def request_from(args: argparse.Namespace) -> EmulatorRequest:
    return EmulatorRequest(
        args.host, args.port, args.data, args.processing, args.token, tuple(args.allow_host)
    )


def _build(req: EmulatorRequest) -> Emulator:
    from threadsync.emulator import Emulator

    try:
        emu = Emulator(
            token=req.token,
            processing=req.processing,
            data=req.data,
            host=req.host,
            port=req.port,
            access_log=True,
            allowed_hosts=req.allowed_hosts,
        )
    except ValueError as exc:
        raise ThreadsyncError(f"{exc} (check --processing and --data)") from exc
    try:
        return emu.start()
    except OSError as exc:
        raise ThreadsyncError(
            f"cannot listen on {req.host}:{req.port}: {exc.strerror or exc} "
            "(choose another --port, or --port 0 for any free one)"
        ) from exc


def run(args: argparse.Namespace) -> int:
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # Installed before the banner, so a signal right after it still stops cleanly;
    # SIGINT too, since it may be ignored when started in the background.
    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    emu: Emulator | None = None
    try:
        emu = _build(request_from(args))
        for line in _banner(emu):
            print(line, flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if emu is not None:
            emu.stop()
    print("Threads emulator stopped.", file=sys.stderr, flush=True)
    return 0
