"""Benchmark: the requests ``threadsync plan --refresh`` makes for a 10,000-post account.

Run on demand (pytest's default run ignores tests/benchmarks)::

    python tests/benchmarks/bench_refresh.py [--posts N] [--rounds R]

It writes N text posts to a temporary project and a state file recording
each as published (its media id, content hash and time), and seeds an
in-process emulator's account with the same N posts, one every 5 minutes,
straight in its store (N HTTP creates and publishes would take minutes).  One
recorded post is deleted on the account, so the refresh has drift to find.
Then, R times, it runs ``python -m threadsync plan --refresh`` against the
emulator and counts the requests the emulator logged, by kind: listing pages
(threads, replies), reads of one post by id, and the account, quota and token
reads plan makes with any token.  It checks that the plan reports the deleted
post as drift, and prints::

    plan --refresh of 10,000 posts: N requests (budget ≤ 110, goal ≤ 101)

Each post costs nothing of its own: the account is read 100 posts a page,
plus the empty page that ends a listing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bench_apply import run_command

from threadsync.config import load_config
from threadsync.content import load_project
from threadsync.emulator import Emulator
from threadsync.emulator.model import Post as EmuPost
from threadsync.state import PartState, PostState, State, StateStore

BUDGET, GOAL = 110, 101
SPACING = 300.0  # seconds between two seeded posts


def make_project(root: Path, n: int) -> None:
    (root / "content").mkdir(parents=True)
    (root / "threadsync.yaml").write_text("content: content\n", encoding="utf-8")
    for i in range(n):
        text = f"text: Post {i}, already on the account.\n"
        (root / "content" / f"p{i:05d}.yaml").write_text(text, encoding="utf-8")


def seed(emu: Emulator, root: Path, n: int) -> str:
    """The account's posts and the state that records them; returns the post deleted since."""
    posts = load_project(root, load_config(None, root)).by_id()
    store = emu.core.store
    start = emu.now() - n * SPACING - 3600
    state = State(user_id=emu.user_id)
    with store.lock:
        for i in range(n):
            post = posts[f"p{i:05d}"]
            media_id = store.next_id("media")
            at = start + i * SPACING
            params = {"media_type": "TEXT", "text": post.parts[0].text}
            store.posts[media_id] = EmuPost(media_id, emu.user_id, at, "TEXT_POST", params)
            published = dt_from(at)
            state.posts[post.id] = PostState(
                status="published",
                content_hash=post.content_hash,
                path=post.path,
                parts=[PartState(media_id=media_id, published_at=published)],
            )
        gone = state.posts[f"p{n // 2:05d}"].media_id
        assert gone is not None
        store.posts[gone].deleted_at = emu.now()
        store.dirty = True
    saved = StateStore(root / ".threadsync" / "state.json", root)
    saved.state = state
    saved.save()
    return f"p{n // 2:05d}"


def dt_from(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)


def kind_of(path: str) -> str:
    path = path.split("?")[0].removeprefix("/v1.0/")
    if path.endswith("/threads"):
        return "threads listing pages"
    if path.endswith("/replies"):
        return "replies listing pages"
    if path.endswith("threads_publishing_limit"):
        return "quota"
    if path in ("me", "debug_token"):
        return "account and token"
    return "posts read by id"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000, help="posts on the account")
    parser.add_argument("--rounds", type=int, default=3, help="plan --refresh runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-refresh-") as tmp, Emulator() as emu:
        root = Path(tmp) / "project"
        make_project(root, args.posts)
        gone = seed(emu, root, args.posts)
        counts = []
        for i in range(args.rounds):
            emu.clear_requests()
            seconds, out = run_command(emu, root, "plan", "--refresh", "--no-color")
            if f"{gone}: was deleted on Threads outside threadsync (drift)" not in out:
                raise SystemExit(f"the deleted post was not reported as drift:\n{out}")
            log = emu.requests()
            by_kind = Counter(kind_of(r["path"]) for r in log)
            counts.append(len(log))
            print(f"round {i + 1}: {len(log)} requests in {seconds:.2f} s: {dict(by_kind)}")
    total = max(counts)
    print(f"drift found: {gone} (deleted on the account), every round")
    print(
        f"plan --refresh of {args.posts:,} posts: {total} requests "
        f"(budget ≤ {BUDGET}, goal ≤ {GOAL})"
    )
    ok = total <= BUDGET
    print("within budget" if ok else "OVER budget")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
