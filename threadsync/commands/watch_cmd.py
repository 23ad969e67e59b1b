"""``threadsync watch``: the preview, served locally and rebuilt on every save.

The terminal shows the validation result after each save; open pages reload
themselves.  Broken content, or a broken threadsync.yaml, shows up on the
page and the server keeps running.  Ctrl-C stops it cleanly (exit 0).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from threadsync.commands._common import where_from
from threadsync.commands.preview_cmd import add_preview_options, display_name, open_in_browser
from threadsync.errors import ThreadsyncError
from threadsync.project import Target, Where, targets, utcnow

if TYPE_CHECKING:
    from threadsync.preview import Snapshot
    from threadsync.preview.watch import Watched, Watcher


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "watch",
        help="serve the preview and rebuild it on every save",
        description=(
            "Serve the HTML preview (see 'threadsync preview') on http://127.0.0.1:PORT/ and "
            "rebuild it whenever a file under the content dir, threadsync.yaml or the state "
            "file changes: the content is validated and planned again, only the changed cards "
            "are rendered again, and open pages reload themselves. The terminal shows the "
            "validation result after each save. A broken file shows its error on its card; "
            "the server keeps running. Stop it with Ctrl-C."
        ),
    )
    add_preview_options(p)
    p.add_argument(
        "--port",
        type=int,
        default=8000,
        help="port on 127.0.0.1 (default 8000; 0 picks a free one)",
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        default=None,
        help="keep the site in DIR (default: a temporary directory, removed on exit)",
    )
    p.add_argument("--open", action="store_true", help="open the preview in a web browser")


@dataclass(frozen=True)
class WatchRequest:
    where: Where
    port: int
    out: Path | None
    name: str | None
    open: bool


def request_from(args: argparse.Namespace) -> WatchRequest:
    out = Path(args.out) if args.out else None
    return WatchRequest(where_from(args), args.port, out, args.name, args.open)


def one_target(where: Where) -> Target:
    """The account to watch: one at a time, since one server shows one account's posts."""
    found = targets(where)
    if len(found) > 1:
        names = ", ".join(t.name for t in found)
        raise ThreadsyncError(f"watch one account at a time: add --account NAME ({names})")
    return found[0]


def _snapshot(where: Where, root: Path) -> Snapshot:
    from threadsync.preview import empty_snapshot, take_snapshot

    now = utcnow()
    try:
        target = one_target(where)
    except ThreadsyncError as exc:  # a broken threadsync.yaml: show it, keep watching
        return empty_snapshot(root, now, [str(exc)])
    return take_snapshot(
        target.root, target.config, target.state_path, now, held_tokens=target.held_tokens
    )


def _watched(where: Where, first: Target) -> Watched:
    from threadsync.config import CONFIG_NAME
    from threadsync.preview.watch import Watched

    try:
        target = one_target(where)
    except ThreadsyncError:
        target = first
    config = where.config or target.root / CONFIG_NAME
    content = (target.root / target.config.content).absolute()
    files = frozenset({config.absolute(), target.state_path.absolute()})
    return Watched(content, files)


@contextlib.contextmanager
def _out_dir(out: Path | None) -> Iterator[Path]:
    if out is not None:
        yield out
        return
    import shutil  # here: every command module is imported at start-up to build the parser
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="threadsync-watch-"))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def make_watcher(request: WatchRequest, out: Path) -> Watcher:
    """The watcher of ``run``, unstarted (tests start and stop it themselves)."""
    from threadsync.preview import Site
    from threadsync.preview.watch import Watcher

    target = one_target(request.where)  # a broken threadsync.yaml at start is an error
    site = Site(out, account=display_name(request.name, target), live=True)
    return Watcher(
        site,
        lambda: _snapshot(request.where, target.root),
        lambda: _watched(request.where, target),
        port=request.port,
        echo=lambda line: print(line, flush=True),
        root=target.root,
    )


def run(args: argparse.Namespace, *, stop: threading.Event | None = None) -> int:
    """Serve until Ctrl-C (or until ``stop`` is set, for callers embedding it)."""
    request = request_from(args)
    with _out_dir(request.out) as out:
        try:
            watcher = make_watcher(request, out)
        except OSError as exc:  # most often: the port is taken
            raise ThreadsyncError(
                f"cannot serve on 127.0.0.1:{request.port}: "
                f"{exc.strerror or exc}; choose another --port (0 picks a free one)"
            ) from exc
        try:
            watcher.start()
            print(f"Serving the preview at {watcher.url} (Ctrl-C to stop)", flush=True)
            if request.open:
                open_in_browser(watcher.url)
            waiter = stop or threading.Event()
            while not waiter.wait(0.5):
                pass
        except KeyboardInterrupt:
            print("Stopped.", file=sys.stderr)
        finally:
            watcher.stop()
    return 0
