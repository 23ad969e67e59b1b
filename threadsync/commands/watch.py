"""``threadsync watch``: the preview, served locally and rebuilt on every save.

The terminal shows the validation result after each save; open pages reload
themselves.  Broken content, or a broken threadsync.yaml, shows up on the
page and the server keeps running.  Ctrl-C stops it cleanly (exit 0).
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from threadsync.commands._context import Context, account_contexts, utcnow
from threadsync.commands.preview import add_preview_options, display_name, open_in_browser
from threadsync.errors import ThreadsyncError

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


def one_context(args: argparse.Namespace) -> Context:
    """The account to watch: one at a time, since one server shows one account's posts."""
    contexts = account_contexts(args)
    if len(contexts) > 1:
        names = ", ".join(c.account or "" for c in contexts)
        raise ThreadsyncError(f"watch one account at a time: add --account NAME ({names})")
    return contexts[0]


def _snapshot(args: argparse.Namespace, root: Path) -> Snapshot:
    from threadsync.preview import empty_snapshot, take_snapshot

    now = utcnow()
    try:
        ctx = one_context(args)
    except ThreadsyncError as exc:  # a broken threadsync.yaml: show it, keep watching
        return empty_snapshot(root, now, [str(exc)])
    return take_snapshot(ctx.root, ctx.config, ctx.state_path, now, held_tokens=ctx.held_tokens)


def _watched(args: argparse.Namespace, first: Context) -> Watched:
    from threadsync.preview.watch import Watched

    try:
        ctx = one_context(args)
    except ThreadsyncError:
        ctx = first
    from threadsync.config import CONFIG_NAME

    config = Path(args.config) if getattr(args, "config", None) else ctx.root / CONFIG_NAME
    content = (ctx.root / ctx.config.content).absolute()
    files = frozenset({config.absolute(), ctx.state_path.absolute()})
    return Watched(content, files)


@contextlib.contextmanager
def _out_dir(args: argparse.Namespace) -> Iterator[Path]:
    if getattr(args, "out", None):
        yield Path(args.out)
        return
    tmp = Path(tempfile.mkdtemp(prefix="threadsync-watch-"))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def make_watcher(args: argparse.Namespace, out: Path) -> Watcher:
    """The watcher of ``run``, unstarted (tests start and stop it themselves)."""
    from threadsync.preview import Site
    from threadsync.preview.watch import Watcher

    ctx = one_context(args)  # a broken threadsync.yaml at start is an error, as elsewhere
    site = Site(out, account=display_name(args, ctx), live=True)
    return Watcher(
        site,
        lambda: _snapshot(args, ctx.root),
        lambda: _watched(args, ctx),
        port=int(getattr(args, "port", 8000)),
        echo=lambda line: print(line, flush=True),
        root=ctx.root,
    )


def run(args: argparse.Namespace, *, stop: threading.Event | None = None) -> int:
    """Serve until Ctrl-C (or until ``stop`` is set, for callers embedding it)."""
    with _out_dir(args) as out:
        try:
            watcher = make_watcher(args, out)
        except OSError as exc:  # most often: the port is taken
            raise ThreadsyncError(
                f"cannot serve on 127.0.0.1:{getattr(args, 'port', 8000)}: "
                f"{exc.strerror or exc}; choose another --port (0 picks a free one)"
            ) from exc
        try:
            watcher.start()
            print(f"Serving the preview at {watcher.url} (Ctrl-C to stop)", flush=True)
            if getattr(args, "open", False):
                open_in_browser(watcher.url)
            waiter = stop or threading.Event()
            while not waiter.wait(0.5):
                pass
        except KeyboardInterrupt:
            print("Stopped.", file=sys.stderr)
        finally:
            watcher.stop()
    return 0
