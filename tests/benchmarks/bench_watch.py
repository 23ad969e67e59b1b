"""Benchmark: how soon a save shows in ``threadsync watch``, for a repository of 1,000 posts.

Run on demand (pytest's default run ignores tests/benchmarks)::

    python tests/benchmarks/bench_watch.py [--posts N] [--rounds R]

It writes N posts (text, links, polls, spoilers, scheduled posts, threads,
quotes, local images and carousels, a few drafts) to a temporary directory,
starts ``watch`` in-process on 127.0.0.1 (port 0), then R times: edits one
post file and polls the served page of that post every 5 ms until the edit
is in it.  The latency is the time from the write to the first response
holding the change.  Budget: 1 s.

Baseline, measured in the same run: one load + validate of the same N posts
(``load_config`` + ``load_project``, best of 3).  That is the work ``watch``
cannot skip on a save, since ids, quotes and replies are checked across
files; so ``latency / baseline`` is what watch adds on top (file events,
plan, rendering the changed card, the index, writing and serving), and a
ratio near 1 means there is little left to win outside the content loader.
A plain HTTP GET round trip to the same server is printed too, for scale.

In a browser, the open page notices the change at its next poll of
``/__threadsync/digest`` (every 250 ms), then reloads.
"""

from __future__ import annotations

import argparse
import os
import statistics
import struct
import sys
import tempfile
import time
import urllib.request
import zlib
from pathlib import Path

from threadsync.commands import watch_cmd as watch
from threadsync.config import load_config
from threadsync.content import load_project

BUDGET_S = 1.0
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = (b"\x00" + b"\x30\x60\x90" * width) * height
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def generate(root: Path, n: int) -> list[Path]:
    """N post files; returns the paths of the plain text posts (the ones edited)."""
    content = root / "content"
    (content / "_media").mkdir(parents=True)
    (content / "_media" / "a.png").write_bytes(_png(64, 48))
    (content / "_media" / "b.png").write_bytes(_png(48, 64))
    (content / "_vars.yaml").write_text("team: the bench team\n", encoding="utf-8")
    (root / "threadsync.yaml").write_text(
        "timezone: Europe/Berlin\n"
        "media: {base_url: 'https://raw.githubusercontent.com/{repo}/{sha}/{path}'}\n",
        encoding="utf-8",
    )
    editable = []
    for i in range(n):
        folder = content / f"{2026 + i % 3}" / f"{i % 12 + 1:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        kind = i % 10
        path = folder / f"{i:05d}-post.yaml"
        if kind in (0, 1, 2):
            body = (
                f"text: Post {i} with a link https://example.org/p/{i} and @someone.\n"
                "topic: Benchmarks\n"
            )
            editable.append(path)
        elif kind == 3:
            body = f"text: 'Hello from {{{{ team }}}}, post {i}'\n"
        elif kind == 4:
            body = (
                f"text: Poll {i}?\npoll: [Yes, No, Maybe]\n"
                f"publish_at: 2027-{i % 12 + 1:02d}-{i % 28 + 1:02d} 09:00:00\n"
            )
        elif kind == 5:
            body = f"text: 'Spoiler {i}: the butler did it'\nspoilers: [the butler did it]\n"
        elif kind == 6:
            path = folder / f"{i:05d}-post.md"
            body = (
                f"---\nid: md-{i}\n---\nThread {i}, part one.\n---\nPart two.\n---\nPart three.\n"
            )
        elif kind == 7:
            body = f"text: Quoting thread {i - 1}.\nquote: md-{i - 1}\n"
        elif kind == 8:
            media = "[../../_media/a.png, ../../_media/b.png]" if i % 20 == 8 else "[]"
            body = f"text: Pictures {i}.\nmedia: {media}\n" if media != "[]" else "text: x\n"
        else:
            body = f"text: Draft {i}.\ndraft: {'true' if i % 50 == 9 else 'false'}\n"
        path.write_text(body, encoding="utf-8")
    return editable


def load_once(root: Path) -> float:
    started = time.perf_counter()
    project = load_project(root, load_config(None, root))
    elapsed = time.perf_counter() - started
    if project.errors:
        raise SystemExit(f"unexpected errors: {[str(p) for p in project.errors[:5]]}")
    return elapsed


def get(url: str) -> str:
    with _OPENER.open(url, timeout=5) as response:
        return str(response.read().decode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="threadsync-bench-watch-") as tmp:
        root = Path(tmp)
        editable = generate(root, args.posts)
        os.chdir(root)
        baseline = min(load_once(root) for _ in range(3))
        wargs = argparse.ArgumentParser()
        watch.add_parser(wargs.add_subparsers(dest="command"))
        namespace = wargs.parse_args(["watch", "--port", "0", "--out", str(root / "site")])
        watcher = watch.make_watcher(watch.request_from(namespace), root / "site")
        watcher.echo = lambda line: None
        watcher.start()
        try:
            trips = []
            for _ in range(20):
                t = time.perf_counter()
                get(watcher.url + "__threadsync/version")
                trips.append(time.perf_counter() - t)
            latencies = []
            for r in range(args.rounds):
                path = editable[(r * 37) % len(editable)]
                post_id = str(path.relative_to(root / "content").with_suffix("")).replace(
                    os.sep, "/"
                )
                page = watcher.url + f"post-{watch_slug(post_id)}.html"
                marker = f"edited-{r}-{time.time_ns()}"
                time.sleep(0.3)  # let the previous round's events settle
                started = time.perf_counter()
                path.write_text(f"text: 'Changed in round {r}, {marker}'\n", encoding="utf-8")
                deadline = started + 10
                while marker not in get(page):
                    if time.perf_counter() > deadline:
                        raise SystemExit(f"round {r}: the change never showed in {page}")
                    time.sleep(0.005)
                latencies.append(time.perf_counter() - started)
            report = watcher.last_report
        finally:
            watcher.stop()
    median = statistics.median(latencies)
    print(f"posts: {args.posts}, rounds: {args.rounds}")
    print(f"baseline (load + validate once, best of 3): {baseline * 1000:.0f} ms")
    print(f"plain HTTP GET round trip (median of 20): {statistics.median(trips) * 1000:.1f} ms")
    print(
        "save → visible in the served page: "
        f"median {median * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms "
        f"(rounds: {', '.join(f'{x * 1000:.0f}' for x in latencies)})"
    )
    if report is not None:
        print(f"last rebuild: {report.rendered} of {report.cards} cards in {report.seconds:.3f} s")
    print(f"ratio (median latency / baseline): {median / baseline:.2f}")
    ok = max(latencies) <= BUDGET_S
    print(f"budget: every save visible within {BUDGET_S:.1f} s: {'ok' if ok else 'OVER'}")
    return 0 if ok else 1


def watch_slug(post_id: str) -> str:
    from threadsync.preview.model import slug_for

    return slug_for(post_id)


if __name__ == "__main__":
    sys.exit(main())
