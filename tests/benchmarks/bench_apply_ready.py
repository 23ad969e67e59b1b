"""Benchmark: apply reacts to readiness, against the critical path and a plain polling loop.

Run on demand (pytest's default run ignores tests/benchmarks)::

    python tests/benchmarks/bench_apply_ready.py [--rounds R] [--timeline]

The emulator's containers take text 0.3 s (Meta's text containers are
sometimes not ready at once), image 2 s, video 4 s and a carousel 1 s after
its items.  Twelve posts, in this order: text, image, thread of 3, text,
video, image, carousel of 3 images, text, image, text, image, text.
Each round, against a fresh in-process emulator with those times:

- apply: ``python -m threadsync apply --yes`` in a fresh git repository, with
  apply's default options.  Its wall time is taken from its first request (the
  account read) to its exit: the account, quota and look-up reads, every
  container, poll, settle, publish and permalink read, and the last state save
  are in it; the interpreter's start-up, imports, content loading and planning
  before the first request are not, since neither the bound nor the plain loop
  pays them.  The whole command's time, start-up included, is printed beside it;
- the critical-path bound, from round trips measured in the same round: every
  root can start processing at once (the worker pool starts them), so post k
  is published no sooner than ``max(publish of post k-1, its root ready) + one
  publish round trip``; a carousel is ready its items' time, one create round
  trip and its own time after the start; each later part of a thread is made
  only after the part before is published: one create round trip, 0.3 s, one
  publish round trip.  Round trips are the medians of plain creates and
  publishes of ready text containers against the same emulator;
- the plain loop: the same posts with ``threadsync.api``'s pythreads-named
  calls, one at a time, in this process: create the container(s), read the
  status at once and then every 1 s until FINISHED (a carousel's items, then
  the carousel), publish;
- requests per post by kind, from the emulator's log (as bench_apply.py).

It prints each round, then the median over the rounds of the two ratios,
each with its budget, and exits 1 when either misses its budget:

    apply: wall X s / critical path Y s = R (budget 1.2, goal 1.1)
    plain loop: Z s, apply is N× faster (budget ≥ 5×, goal ≥ 6×)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench_apply import (
    Posts,
    attribute,
    make_project,
    post_data,
    publish_round_trip,
    run_apply,
)

from threadsync.api import API, Credentials
from threadsync.api.types import Media, MediaType, PublishingStatus
from threadsync.emulator import Emulator

PROCESSING = {"text": 0.3, "image": 2.0, "video": 4.0, "carousel": 1.0}
BUDGET, GOAL = 1.2, 1.1
SPEEDUP_BUDGET, SPEEDUP_GOAL = 5.0, 6.0
# The example, interleaved as a content calendar mixes kinds: text, images,
# a video, a carousel and a thread.
ORDER = [
    *("text", "image", "thread3", "text", "video", "image"),
    *("carousel", "text", "image", "text", "image", "text"),
]
POLL = 1.0  # the plain loop's wait between status reads


def posts() -> Posts:
    """(id, kind, content file data) in plan order; ids sort in that order."""
    out: Posts = []
    for i, kind in enumerate(ORDER, 1):
        pid, data = post_data(i, kind)
        if kind.startswith("thread"):
            data["thread"] = [{"text": f"Post {i}, part {k}."} for k in range(2, int(kind[-1]) + 1)]
        out.append((pid, kind, data))
    return out


def create_round_trip(emu: Emulator, samples: int = 15) -> float:
    """The median time of one plain create of a text container."""
    times = []
    with API(Credentials.from_token(emu.token), base_url=emu.url) as api:
        for i in range(samples):
            started = time.perf_counter()
            api.create_container(f"create round trip {i}")
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def root_ready(data: dict[str, Any], create: float) -> float:
    """Seconds from the start until a post's root container can be published."""
    media = data.get("media") or []
    if len(media) > 1:
        return PROCESSING["image"] + create + PROCESSING["carousel"]
    if media:
        return PROCESSING["video" if "video" in media[0] else "image"]
    return PROCESSING["text"]


def critical_path(publish: float, create: float) -> float:
    done = 0.0
    for _pid, _kind, data in posts():
        done = max(done, root_ready(data, create)) + publish
        for _part in data.get("thread", []):
            done += create + PROCESSING["text"] + publish
    return done


def wait_finished(api: API, container_id: str) -> None:
    while api.container_status(container_id).status is not PublishingStatus.FINISHED:
        time.sleep(POLL)


def plain_loop(emu: Emulator) -> float:
    """Create, poll every second until FINISHED, publish: one part at a time."""
    started = time.perf_counter()
    with API(Credentials.from_token(emu.token), base_url=emu.url) as api:
        for _pid, _kind, data in posts():
            reply_to: str | None = None
            texts = [data["text"]] + [p["text"] for p in data.get("thread", [])]
            for k, text in enumerate(texts):
                media = data.get("media", []) if k == 0 else []
                if len(media) > 1:
                    items = [
                        api.create_container(
                            media=Media(MediaType.IMAGE, item["image"]), is_carousel_item=True
                        )
                        for item in media
                    ]
                    for item in items:
                        wait_finished(api, item)
                    container = api.create_carousel_container(items, text=text)
                else:
                    what = None
                    if media:
                        video = "video" in media[0]
                        kind = MediaType.VIDEO if video else MediaType.IMAGE
                        what = Media(kind, media[0]["video" if video else "image"])
                    container = api.create_container(text, media=what, reply_to_id=reply_to)
                wait_finished(api, container)
                reply_to = api.publish_container(container)
    return time.perf_counter() - started


def round_once(workdir: Path, index: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    chosen = posts()
    with Emulator(processing=PROCESSING) as emu:
        root = make_project(workdir / f"round-{index}", chosen)
        started = time.time()
        result["command"] = run_apply(emu, root)
        ended = time.time()
        log = emu.requests()  # times from the emulator's clock: time.time(), never advanced
        result["startup"] = log[0]["time"] - started
        result["wall"] = ended - log[0]["time"]
        result["requests"] = len(log)
        result["per_post"], result["per_run"], result["other"] = attribute(emu, chosen)
        result["timeline"] = [
            (p["params"].get("text", ""), p["created_at"] - log[0]["time"]) for p in emu.posts()
        ]
        emu.set_processing(text=0)  # round trips of containers ready at once
        result["publish"] = publish_round_trip(emu)
        result["create"] = create_round_trip(emu)
    result["bound"] = critical_path(result["publish"], result["create"])
    with Emulator(processing=PROCESSING) as emu:
        result["plain"] = plain_loop(emu)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds to run (median is judged)")
    parser.add_argument("--timeline", action="store_true", help="when each post went out")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-apply-ready-") as tmp:
        rounds = []
        for i in range(args.rounds):
            r = round_once(Path(tmp), i)
            rounds.append(r)
            print(
                f"round {i + 1}: apply wall {r['wall']:.2f} s (the command {r['command']:.2f} s, "
                f"{r['startup']:.2f} s before its first request), critical path "
                f"{r['bound']:.2f} s (publish {r['publish'] * 1000:.1f} ms, create "
                f"{r['create'] * 1000:.1f} ms), plain loop {r['plain']:.2f} s",
                flush=True,
            )
    parts = sum(1 + len(data.get("thread", [])) for _pid, _kind, data in posts())
    print(f"12 posts ({parts} parts), processing {PROCESSING}")
    kinds = {pid: kind for pid, kind, _data in posts()}
    last = rounds[-1]
    per_kind: dict[str, list[int]] = defaultdict(list)
    for pid, count in last["per_post"].items():
        per_kind[kinds[pid]].append(count)
    print(
        f"requests (last round): {last['requests']} in all; per run (account, quota, token): "
        f"{last['per_run']}; other (the look-up's listing): {last['other']}"
    )
    print("requests per post by kind, each with its permalink read:")
    for kind in dict.fromkeys(ORDER):
        counts = per_kind.get(kind, [])
        print(f"  {kind:<9} {sorted(counts)}")
    if args.timeline:
        print("published (s after the first request), last round:")
        for text, at in last["timeline"]:
            print(f"  {at:6.2f}  {text}")
    ratios = [r["wall"] / r["bound"] for r in rounds]
    speedups = [r["plain"] / r["wall"] for r in rounds]
    wall = statistics.median(r["wall"] for r in rounds)
    bound = statistics.median(r["bound"] for r in rounds)
    plain = statistics.median(r["plain"] for r in rounds)
    ratio, speedup = statistics.median(ratios), statistics.median(speedups)
    command = statistics.median(r["command"] / r["bound"] for r in rounds)
    print(f"per round: wall/critical path {[round(x, 2) for x in ratios]}, "
          f"speed-up {[round(x, 2) for x in speedups]}")  # fmt: skip
    print(f"median of {len(rounds)} rounds (the whole command / critical path: {command:.2f}):")
    print(
        f"apply: wall {wall:.2f} s / critical path {bound:.2f} s = {ratio:.2f} "
        f"(budget {BUDGET}, goal {GOAL})"
    )
    print(
        f"plain loop: {plain:.2f} s, apply is {speedup:.2f}× faster "
        f"(budget ≥ {SPEEDUP_BUDGET:g}×, goal ≥ {SPEEDUP_GOAL:g}×)"
    )
    ok = ratio <= BUDGET and speedup >= SPEEDUP_BUDGET
    print("within budget" if ok else "OVER budget")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
