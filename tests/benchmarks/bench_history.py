"""Benchmark: what one published post costs with 10,000 posts in the state, against none.

Run on demand (pytest's default run ignores tests/benchmarks)::

    python tests/benchmarks/bench_history.py [--history N] [--rounds R]

An account's history must not make each new post slower: apply journals a
step by appending one line to the state's log, not by rewriting the state
file (which grows with the history).  For a history of 0 and of N published
posts (default 10,000), it times, as real ``threadsync`` processes against an
in-process emulator:

- ``plan`` and ``apply --yes --force`` of a batch of 10 new text posts, and of
  60: ``apply wall - plan wall`` is what publishing the batch cost, without
  the once-per-run work both commands do (loading the content and the state);
- the difference between the 60 batch and the 10 batch, divided by 50, is the
  cost of one published post; one fold of the log at the end of apply and
  the look-up before create drop out of the difference too.

Each wall is the median of R rounds (default 5: a shared VM is noisy); it
prints each history's cost per post and their ratio: budget 1.2, goal 1.05.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from threadsync.config import load_config
from threadsync.content import load_project
from threadsync.emulator import Emulator
from threadsync.state import PartState, PostState, State, atomic_write, dump_state

BUDGET, GOAL = 1.2, 1.05
SMALL, LARGE = 10, 60
CONFIG = "limits: {max_posts_per_apply: 1000}\napply: {lookup: true}\n"


def make_history(root: Path, history: int) -> None:
    """``history`` published posts: their files, and a state recording each."""
    (root / "content" / "old").mkdir(parents=True)
    (root / "threadsync.yaml").write_text(CONFIG)
    for i in range(history):
        (root / "content" / "old" / f"p{i:05}.yaml").write_text(f"text: Old post number {i}.\n")
    state = State(lineage="bench", serial=1, user_id=None)
    if history:
        project = load_project(root, load_config(None, root))
        for post in project.posts:
            state.posts[post.id] = PostState(
                status="published",
                content_hash=post.content_hash,
                path=post.path,
                parts=[PartState(media_id=str(10**15 + len(state.posts)))],
            )
    atomic_write(root / ".threadsync" / "state.json", dump_state(state))


def add_batch(root: Path, count: int, tag: str) -> None:
    (root / "content" / "new").mkdir(exist_ok=True)
    for i in range(count):
        (root / "content" / "new" / f"{tag}{i:03}.yaml").write_text(
            f"text: New post {tag} {i}, published now.\n"
        )


def wall(root: Path, emu: Emulator, *args: str) -> float:
    env = dict(
        os.environ,
        THREADS_ACCESS_TOKEN=emu.token,
        THREADS_API_URL=emu.url,
        THREADS_USER_ID=emu.user_id,
        NO_COLOR="1",
    )
    env.pop("CI", None)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "threadsync", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"threadsync {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return seconds


def batch_walls(
    template: Path, workdir: Path, emu: Emulator, count: int, tag: str
) -> tuple[float, float]:
    """(plan wall, apply wall) of ``count`` new posts on a copy of ``template``."""
    root = workdir / f"{template.name}-{tag}"
    shutil.copytree(template, root)
    add_batch(root, count, tag)
    plan = wall(root, emu, "plan", "--force")
    apply = wall(root, emu, "apply", "--yes", "--force")
    state = json.loads((root / ".threadsync" / "state.json").read_text())
    published = sum(1 for e in state["posts"].values() if e["status"] == "published")
    assert published >= count, "the batch was not published"
    shutil.rmtree(root)
    return plan, apply


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--history", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="threadsync-bench-history-") as tmp:
        workdir = Path(tmp)
        templates = {}
        for history in (0, options.history):
            template = workdir / f"h{history}"
            make_history(template, history)
            templates[history] = template
        # walls[history][count] = ([plan walls], [apply walls]) over the rounds
        walls: dict[int, dict[int, tuple[list[float], list[float]]]] = {
            h: {SMALL: ([], []), LARGE: ([], [])} for h in templates
        }
        with Emulator() as emu:
            for round_ in range(options.rounds):
                for history, template in templates.items():
                    for count in (SMALL, LARGE):
                        tag = f"h{history}r{round_}n{count}-"  # new texts: nothing to adopt
                        plan, apply = batch_walls(template, workdir, emu, count, tag)
                        emu.advance(25 * 3600)  # a new 24 h quota window for the next batch
                        walls[history][count][0].append(plan)
                        walls[history][count][1].append(apply)
                        print(
                            f"round {round_ + 1}, history {history:>6}, {count} posts: "
                            f"plan {plan:.2f} s, apply {apply:.2f} s",
                            flush=True,
                        )

    def per_post(history: int) -> float:
        """(apply - plan) of the large batch minus that of the small, per post (medians)."""
        costs = {
            count: statistics.median(a) - statistics.median(p)
            for count, (p, a) in walls[history].items()
        }
        return (costs[LARGE] - costs[SMALL]) / (LARGE - SMALL)

    base, big = per_post(0), per_post(options.history)
    ratio = big / base
    print(f"cost per published post, history 0: {base * 1000:.1f} ms")
    print(f"cost per published post, history {options.history:,}: {big * 1000:.1f} ms")
    print(f"ratio {ratio:.2f} (budget {BUDGET}, goal {GOAL})")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
