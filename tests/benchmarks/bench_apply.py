"""Benchmark: ``threadsync apply`` against the critical-path bound, and requests per post.

Run on demand (pytest's default run ignores tests/benchmarks)::

    python tests/benchmarks/bench_apply.py [--rounds R] [--timeline]

Against an in-process emulator whose containers take image 2 s, video 6 s and
carousel 1 s to process, it publishes 20 posts of mixed kinds (text, image,
video, carousel, thread of 3, quote, poll) from a fresh git repo with
``python -m threadsync apply --yes`` and apply's default options, and prints:

- requests per post by kind, from the emulator's request log: each request is
  attributed to the post whose container or media id it names (creates by
  their text or media URL, publishes by ``creation_id``, reads by the id in
  the path); the account, quota and token reads of the run are "per run";
- the wall time of the command (from start to exit, Python start-up included)
  and of its API work (first to last request);
- the critical-path bound measured in the same run: the longest processing
  delay plus one publish round trip per post part, the round trip being the
  median time of a plain ``publish_container`` of a text container against the
  same emulator; and the ratios to it (budget: ≤ 1.5);
- for comparison, a naive sequential create → wait → publish loop written with
  ``threadsync.api`` (default poll schedule);
- with ``--timeline``, when each post's first container was made and when it
  was published.

Each round uses a fresh emulator; the best round of each is reported.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

from threadsync.api import API, Credentials
from threadsync.api.types import Media, MediaType
from threadsync.emulator import Emulator

BUDGET = 1.5
PROCESSING = {"image": 2.0, "video": 6.0, "carousel": 1.0}
KINDS = ("text", "image", "video", "carousel", "thread", "quote", "poll")
# 20 posts, kinds interleaved the way a content calendar mixes them.
ORDER = [
    *("text", "image", "thread", "video", "poll", "carousel", "quote", "text", "image", "thread"),
    *("poll", "video", "carousel", "text", "quote", "image", "thread", "poll", "text", "carousel"),
]


def post_data(i: int, kind: str) -> tuple[str, dict[str, Any]]:
    """Post ``i``'s id and file data; its media when ``kind`` is image, video or carousel."""
    pid = f"p{i:02d}-{kind}"
    url = f"https://example.test/{pid}"
    data: dict[str, Any] = {"text": f"Post {i}: a {kind} post."}
    if kind == "image":
        data["media"] = [{"image": f"{url}/a.png", "alt": "An image."}]
    elif kind == "video":
        data["media"] = [{"video": f"{url}/a.mp4"}]
    elif kind == "carousel":
        data["media"] = [{"image": f"{url}/{n}.png"} for n in range(1, 4)]
    return pid, data


def posts() -> list[tuple[str, str, dict[str, Any]]]:
    """(id, kind, content file data) in plan order; ids sort in that order."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    last_text: str | None = None
    for i, kind in enumerate(ORDER, 1):
        pid, data = post_data(i, kind)
        if kind == "thread":
            data["thread"] = [{"text": f"Post {i}, part {k}."} for k in (2, 3)]
        elif kind == "quote":
            assert last_text is not None
            data["quote"] = last_text
        elif kind == "poll":
            data["poll"] = ["Yes", "No", "Maybe"]
        if kind == "text":
            last_text = pid
        out.append((pid, kind, data))
    assert len(out) == 20 and set(ORDER) == set(KINDS)
    return out


Posts = list[tuple[str, str, dict[str, Any]]]


def make_project(root: Path, chosen: Posts | None = None) -> Path:
    (root / "content").mkdir(parents=True)
    (root / "threadsync.yaml").write_text("content: content\n", encoding="utf-8")
    for pid, _kind, data in chosen or posts():
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        (root / "content" / f"{pid}.yaml").write_text(text, encoding="utf-8")
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.test"]
    subprocess.run([*git, "-c", "init.defaultBranch=main", "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "posts"], cwd=root, check=True)
    return root


def run_command(emu: Emulator, root: Path, *args: str) -> tuple[float, str]:
    """Run ``python -m threadsync ARGS`` in ``root`` against ``emu``: (seconds, stdout)."""
    env = dict(os.environ, THREADS_ACCESS_TOKEN=emu.token, THREADS_API_URL=emu.url)
    for name in ("THREADS_USER_ID", "GITHUB_STEP_SUMMARY", "CI"):
        env.pop(name, None)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "threadsync", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=900,
        check=False,
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{args[0]} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return seconds, proc.stdout


def run_apply(emu: Emulator, root: Path) -> float:
    return run_command(emu, root, "apply", "--yes")[0]


def attribute(emu: Emulator, chosen: Posts | None = None) -> tuple[dict[str, int], int, int]:
    """Requests per post id, requests of the run itself, and unattributed requests."""
    owner: dict[str, str] = {}  # container or media id -> post id
    by_text = {}
    for pid, _kind, data in chosen or posts():
        by_text[data["text"]] = pid
        for part in data.get("thread", []):
            by_text[part["text"]] = pid

    def post_of(params: dict[str, str]) -> str | None:
        if params.get("text") in by_text:
            return by_text[params["text"]]
        url = params.get("image_url") or params.get("video_url") or ""
        return url.split("/")[3] if url.startswith("https://example.test/") else None

    for container in emu.containers():
        pid = post_of(container["params"])
        if pid:
            owner[container["id"]] = pid
    for post in emu.posts():
        pid = owner.get(post["container_id"] or "")
        if pid:
            owner[post["id"]] = pid
            for child in post["children"]:
                owner[child["id"]] = pid
    per_post: Counter[str] = Counter()
    per_run = other = 0
    for request in emu.requests():
        path = request["path"].split("?")[0].removeprefix("/v1.0/")
        params = request["params"]
        pid: str | None = None
        if path.endswith("/threads") and request["method"] == "POST":
            pid = post_of(params)
        elif path.endswith("/threads_publish"):
            pid = owner.get(params.get("creation_id", ""))
        elif path in owner:
            pid = owner[path]
        elif path in ("me", "debug_token") or path.endswith("threads_publishing_limit"):
            per_run += 1
            continue
        if pid is None:
            other += 1
        else:
            per_post[pid] += 1
    return dict(per_post), per_run, other


def timeline(emu: Emulator) -> list[tuple[str, float, float]]:
    """(post id, first container created, root published), seconds after the first request."""
    log = emu.requests()
    start = log[0]["time"]
    kinds = {pid: data for pid, _kind, data in posts()}
    out = []
    containers = emu.containers()
    for post in emu.posts():
        if post["reply_to"] is not None:
            continue
        text = post["params"].get("text")
        pid = next((p for p, d in kinds.items() if d["text"] == text), None)
        if pid is None:
            continue
        mine = [
            c["created_at"]
            for c in containers
            if c["params"].get("text") == text
            or f"/{pid}/" in (c["params"].get("image_url") or c["params"].get("video_url") or "")
        ]
        out.append((pid, min(mine) - start, post["created_at"] - start))
    return out


def publish_round_trip(emu: Emulator, samples: int = 15) -> float:
    """The median time of one plain publish of a ready text container."""
    times = []
    with API(Credentials.from_token(emu.token), base_url=emu.url) as api:
        for i in range(samples):
            container = api.create_container(f"round trip {i}")
            started = time.perf_counter()
            api.publish_container(container)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def naive(emu: Emulator) -> float:
    """Create, wait, publish, one post part at a time, with threadsync.api's defaults."""
    started = time.perf_counter()
    published: dict[str, str] = {}
    with API(Credentials.from_token(emu.token), base_url=emu.url) as api:
        for pid, kind, data in posts():
            reply_to: str | None = None
            texts = [data["text"]] + [p["text"] for p in data.get("thread", [])]
            for k, text in enumerate(texts):
                media = data.get("media") if k == 0 else None
                quote = published[data["quote"]] if k == 0 and "quote" in data else None
                poll = data.get("poll") if k == 0 else None
                if media and len(media) > 1:
                    children = [
                        api.create_container(
                            media=Media(MediaType.IMAGE, item["image"]), is_carousel_item=True
                        )
                        for item in media
                    ]
                    for child in children:
                        api.wait_until_finished(child)
                    container = api.create_carousel_container(children, text=text)
                else:
                    item = media[0] if media else None
                    what = None
                    if item is not None:
                        is_video = "video" in item
                        what = Media(
                            MediaType.VIDEO if is_video else MediaType.IMAGE,
                            item["video"] if is_video else item["image"],
                        )
                    container = api.create_container(
                        text,
                        media=what,
                        reply_to_id=reply_to,
                        quote_post_id=quote,
                        poll_options=poll,
                    )
                if kind not in ("text", "thread", "quote", "poll"):
                    api.wait_until_finished(container)
                reply_to = api.publish_container(container)
                if k == 0:
                    published[pid] = reply_to
    return time.perf_counter() - started


def round_once(workdir: Path, index: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    with Emulator(processing=PROCESSING) as emu:
        root = make_project(workdir / f"round-{index}")
        result["wall"] = run_apply(emu, root)
        log = emu.requests()
        result["api"] = log[-1]["time"] - next(
            r["time"] for r in log if r["path"].split("?")[0].endswith("/threads")
        )
        result["per_post"], result["per_run"], result["other"] = attribute(emu)
        result["timeline"] = timeline(emu)
        result["requests"] = len(log)
        result["round_trip"] = publish_round_trip(emu)
    with Emulator(processing=PROCESSING) as emu:
        result["naive"] = naive(emu)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="rounds to run (best is shown)")
    parser.add_argument(
        "--timeline", action="store_true", help="show when each post's containers were made"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-apply-") as tmp:
        rounds = [round_once(Path(tmp), i) for i in range(args.rounds)]
    best = min(rounds, key=lambda r: r["wall"])
    parts = sum(1 + len(data.get("thread", [])) for _pid, _kind, data in posts())
    longest = max(PROCESSING.values())
    bound = longest + parts * best["round_trip"]

    kinds = {pid: kind for pid, kind, _data in posts()}
    per_kind: dict[str, list[int]] = defaultdict(list)
    for pid, count in best["per_post"].items():
        per_kind[kinds[pid]].append(count)
    print(f"threadsync apply: 20 posts ({parts} parts), processing {PROCESSING}")
    print(f"requests: {best['requests']} in all; per run (account, quota, token): "
          f"{best['per_run']}; unattributed: {best['other']}")  # fmt: skip
    print("requests per post by kind:")
    for kind in KINDS:
        counts = per_kind.get(kind, [])
        if counts:
            mean = sum(counts) / len(counts)
            print(f"  {kind:<9} {mean:5.1f}  (posts: {len(counts)}, each: {sorted(counts)})")
    print(f"publish round trip (median of 15): {best['round_trip'] * 1000:.1f} ms")
    print(f"critical-path bound: {longest:.1f} s + {parts} x round trip = {bound:.2f} s")
    ratio = best["wall"] / bound
    print(f"apply wall time: {best['wall']:.2f} s (command start to exit) -> ratio {ratio:.2f}")
    print(f"apply API time:  {best['api']:.2f} s (first create to last request) -> "
          f"ratio {best['api'] / bound:.2f}")  # fmt: skip
    print(f"naive sequential create-wait-publish loop (threadsync.api): {best['naive']:.2f} s")
    print(f"all rounds (wall s): {[round(r['wall'], 2) for r in rounds]}")
    if args.timeline:
        print("timeline of the best round (s after the first request):")
        for pid, created, published in best["timeline"]:
            print(f"  {pid:<12} first container {created:6.2f}  published {published:6.2f}")
    verdict = "within" if ratio <= BUDGET else "OVER"
    print(f"budget: ratio <= {BUDGET}: {verdict}")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
