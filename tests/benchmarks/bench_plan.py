"""Benchmark: a full ``threadsync plan`` of 10,000 posts against merely parsing them.

Run on demand (pytest's default run ignores tests/benchmarks)::

    python tests/benchmarks/bench_plan.py [--posts N] [--rounds R] [--profile]

It writes N posts to a temporary directory (YAML and Markdown: text,
templated text, polls, remote images and carousels, scheduled posts, threads,
quotes, ~1% drafts) and a state file of N entries:

- most posts are recorded as published with their current content hash;
- every 33rd recorded post has another hash (edited after publishing: a
  warning, or a replace for ``on_change: replace`` posts);
- every 21st post is new (not recorded): a create, or a wait when scheduled;
  every 10th of those has a recorded entry under its old id with the same hash
  (a renamed file: a move);
- the rest of the N entries are ids whose file is gone (a forget).

Then, in the same run and interleaved, it times:

- parse: walk the content dir, read every post file and parse it (a YAML
  file, or a Markdown file's front matter) with ``yaml.CSafeLoader``;
- plan: ``threadsync plan --no-color --force`` run in-process through
  ``threadsync.cli.main`` (config + load + render + validate + state + plan +
  text output, written to an in-memory stream).  ``--force`` because the plan
  publishes far more than ``limits.max_posts_per_apply``.

It prints the best CPU time of each over R rounds (default 7: on a shared VM
single runs vary by ±15%, and the best of several is the stable figure) and
their ratio (budget ≤ 1.5, goal 1.2); where the plan's time goes, phase by phase,
through the functions the command calls (``--no-phases`` skips this); and the
memory of one plan:
the ``tracemalloc`` peak (Python allocations) in this process, and the growth
of the peak RSS (``VmHWM`` in /proc/self/status) of a fresh child process
around one plan.  ``ru_maxrss`` is not used for the child: on Linux it
inherits the parent's high-water mark across fork and exec.  The memory
budget, 300 MB, is checked against both figures.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from baseline import parse_only

from threadsync.cli import build_parser
from threadsync.cli import main as cli_main
from threadsync.commands.plan_cmd import request_from
from threadsync.config import load_config
from threadsync.content import load_project
from threadsync.output.plans import render_plan
from threadsync.project import load_content, targets, utcnow
from threadsync.runner import make_plan_for
from threadsync.state import (
    PartState,
    PostState,
    State,
    atomic_write,
    dump_state,
    load_state,
)

PLAN_ARGS = ["plan", "--no-color", "--force"]

RATIO_BUDGET = 1.5
RATIO_GOAL = 1.2
MEMORY_BUDGET_MB = 300.0
PUBLISHED_AT = "2026-01-01T00:00:00+00:00"


def generate_content(root: Path, n: int) -> None:
    content = root / "content"
    (content / "_partials").mkdir(parents=True)
    (content / "_partials" / "sig.j2").write_text("— {{ team }}\n", encoding="utf-8")
    (content / "_vars.yaml").write_text("team: the bench team\nproduct: Bench\n", encoding="utf-8")
    (root / "threadsync.yaml").write_text(
        "timezone: Europe/Berlin\nvars: {site: https://example.org}\n", encoding="utf-8"
    )
    for i in range(n):
        folder = content / f"{2020 + i % 7}" / f"{i % 12 + 1:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{i:05d}-post-{i}"
        kind = i % 10
        # ~1% drafts, never among the Markdown threads that YAML threads quote
        draft = "draft: true\n" if i % 97 == 0 and kind not in (6, 7) else ""
        if kind in (0, 1, 2):
            body = (
                f"text: Post {i} about things worth saying, with a link https://example.org/p/{i} "
                "and a few more words to make it a normal length.\n"
                f"topic: Benchmarks\nreply_control: everyone\n{draft}"
            )
            (folder / f"{name}.yaml").write_text(body, encoding="utf-8")
        elif kind == 3:
            body = (
                "text: |\n"
                f"  Hello from {{{{ product }}}} post {i}! Read more at {{{{ site }}}}/{i}\n"
                '  {% include "sig.j2" %}\n'
                f"vars:\n  n: {i}\n{draft}"
            )
            (folder / f"{name}.yaml").write_text(body, encoding="utf-8")
        elif kind == 4:
            body = (
                f"text: Poll number {i}. Which one do you prefer?\n"
                "poll: [Apples, Oranges, Pears]\n"
                f"publish_at: 2099-{i % 12 + 1:02d}-{i % 28 + 1:02d} 09:00:00\n{draft}"
            )
            (folder / f"{name}.yaml").write_text(body, encoding="utf-8")
        elif kind == 5:
            body = (
                f"text: 'A picture for post {i} 🎩'\n"
                "on_change: replace\n"
                "media:\n"
                f"  - image: https://cdn.example.org/img/{i}.jpg\n"
                f"    alt: Picture {i}\n{draft}"
            )
            (folder / f"{name}.yaml").write_text(body, encoding="utf-8")
        elif kind in (6, 7):
            body = (
                "---\n"
                f"id: md-{i}\n"
                "topic: Writing\n"
                f"publish_at: 2026-{i % 12 + 1:02d}-{i % 28 + 1:02d}T10:00:00+00:00\n"
                f"{draft}"
                "---\n"
                f"The first part of thread {i}. It has a couple of sentences in it.\n"
                "---\n"
                f"The second part of thread {i}, a reply to the first.\n"
                "---\n"
                "The third and last part.\n"
            )
            (folder / f"{name}.md").write_text(body, encoding="utf-8")
        elif kind == 8:
            body = (
                "---\n"
                f"{draft}"
                "spoiler_media: false\n"
                "---\n"
                f"Two pictures for post {i}.\n"
                f"![First](https://cdn.example.org/a/{i}.png)\n"
                f"![Second](https://cdn.example.org/b/{i}.png)\n"
            )
            (folder / f"{name}.md").write_text(body, encoding="utf-8")
        else:
            body = (
                f"text: A thread written in YAML, number {i}.\n"
                "thread:\n"
                "  - text: Second part.\n"
                "  - text: Third part.\n"
                f"    quote: md-{i - 3}\n{draft}"
            )
            (folder / f"{name}.yaml").write_text(body, encoding="utf-8")


def _published(content_hash: str, path: str, parts: int, seed: int) -> PostState:
    return PostState(
        status="published",
        content_hash=content_hash,
        path=path,
        parts=[
            PartState(
                media_id=str(18_000_000_000_000_000 + seed * 10 + k),
                permalink=f"https://www.threads.net/@bench/post/B{seed:07d}{k}",
                published_at=PUBLISHED_AT,  # type: ignore[arg-type]
            )
            for k in range(parts)
        ],
        updated_at=PUBLISHED_AT,  # type: ignore[arg-type]
    )


def generate_state(root: Path, entries: int) -> dict[str, int]:
    """Write a state file of ``entries`` entries; returns how many of each kind."""
    config = load_config(None, root)
    project = load_project(root, config)
    if project.errors:
        for problem in project.errors[:10]:
            print(problem, file=sys.stderr)
        raise SystemExit(f"the generated content has {len(project.errors)} error(s)")
    state = State(user_id="17841400000000001")
    counts = {"recorded": 0, "edited": 0, "new": 0, "renamed": 0, "removed": 0, "drafts": 0}
    for i, post in enumerate(project.posts):
        if post.draft:
            counts["drafts"] += 1
            continue
        if i % 21 == 20:
            counts["new"] += 1
            if i % 210 == 209:
                counts["renamed"] += 1
                state.posts[f"old-name/{post.id}"] = _published(
                    post.content_hash, f"content/old-name/{post.id}.yaml", len(post.parts), i
                )
            continue
        edited = i % 33 == 0
        counts["edited"] += edited
        counts["recorded"] += 1
        content_hash = "0" * 64 if edited else post.content_hash
        state.posts[post.id] = _published(content_hash, post.path, len(post.parts), i)
    k = 0
    while len(state.posts) < entries:
        state.posts[f"gone/{k:05d}"] = _published(
            "f" * 64, f"content/gone/{k:05d}.yaml", 1, 10**6 + k
        )
        k += 1
    counts["removed"] = k
    state.serial = 4242
    atomic_write(root / ".threadsync" / "state.json", dump_state(state))
    return counts


def run_plan(root: Path) -> str:
    """``threadsync plan --no-color --force`` in-process, in ``root``; returns its stdout."""
    out, err = io.StringIO(), io.StringIO()
    previous = os.getcwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = cli_main(PLAN_ARGS)
    finally:
        os.chdir(previous)
    if rc != 0:
        raise SystemExit(f"plan failed ({rc}): {err.getvalue()}")
    return out.getvalue()


def phases(root: Path) -> dict[str, float]:
    """CPU seconds of each step of the plan command, through the functions it calls."""
    args = build_parser().parse_args(PLAN_ARGS)
    times: dict[str, float] = {}
    previous = os.getcwd()
    os.chdir(root)
    try:
        c = time.process_time()
        request = request_from(args)
        ctx = targets(request.where)[0]
        now = utcnow()
        project = load_content(ctx, now)
        times["load + render + validate content"] = time.process_time() - c
        c = time.process_time()
        state = load_state(ctx.state_path)
        times["read state (json + pydantic)"] = time.process_time() - c
        gc.disable()
        try:
            c = time.process_time()
            load_state(ctx.state_path)
            times["  the same with gc paused"] = time.process_time() - c
        finally:
            gc.enable()
        c = time.process_time()
        for post in project.posts:
            post.content_hash  # noqa: B018 (computed on first use, then cached)
        times["content hashes"] = time.process_time() - c
        c = time.process_time()
        plan = make_plan_for(request, ctx, project, state, now)
        times["make_plan"] = time.process_time() - c
        c = time.process_time()
        render_plan(plan, "text", color=False)
        times["render text"] = time.process_time() - c
    finally:
        os.chdir(previous)
    return times


def _vm_hwm_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def _child_memory(root: Path) -> None:
    """In a fresh process: peak RSS before and after one plan, as JSON on stdout."""
    before = _vm_hwm_kb()
    run_plan(root)
    after = _vm_hwm_kb()
    print(json.dumps({"before_kb": before, "after_kb": after}))


def measure_rss(root: Path) -> dict[str, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREADS_")}
    proc = subprocess.run(
        [sys.executable, __file__, "--child-memory", str(root)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="profile one plan run")
    parser.add_argument("--no-phases", action="store_true", help="skip the per-phase times")
    parser.add_argument("--child-memory", metavar="ROOT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_memory:
        _child_memory(Path(args.child_memory))
        return 0
    for name in [k for k in os.environ if k.startswith("THREADS_")]:
        del os.environ[name]  # the plan stays offline: no token, no API
    with tempfile.TemporaryDirectory(prefix="threadsync-bench-plan-") as tmp:
        root = Path(tmp)
        generate_content(root, args.posts)
        counts = generate_state(root, args.posts)
        parsed = parse_only(root / "content")
        output = run_plan(root)  # warm-up, and a check of what the plan says
        summary = [ln for ln in output.splitlines() if ln.startswith(("Plan:", "State:"))]
        warnings = sum(1 for ln in output.splitlines() if ln.startswith("  ! "))

        if args.profile:
            prof = cProfile.Profile()
            prof.enable()
            run_plan(root)
            prof.disable()
            stats = pstats.Stats(prof)
            stats.sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(35)

        # CPU time (user + system) is the measure, as in bench_validate.py: other
        # processes on a shared machine change wall-clock times far more than CPU
        # time.  Wall-clock is printed too.  Best of R interleaved rounds.
        best = {"parse": float("inf"), "plan": float("inf")}
        wall = dict(best)
        steps: dict[str, float] = {}
        for _ in range(args.rounds):
            for name, fn in (
                ("parse", lambda: parse_only(root / "content")),
                ("plan", lambda: run_plan(root)),
            ):
                c0, w0 = time.process_time(), time.perf_counter()
                fn()
                best[name] = min(best[name], time.process_time() - c0)
                wall[name] = min(wall[name], time.perf_counter() - w0)
            if not args.no_phases:
                for step, seconds in phases(root).items():
                    steps[step] = min(steps.get(step, float("inf")), seconds)

        tracemalloc.start()
        run_plan(root)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak_mb = peak / 1e6
        rss = measure_rss(root)
        rss_mb = (rss["after_kb"] - rss["before_kb"]) / 1024

    ratio = best["plan"] / best["parse"]
    ratio_ok = ratio <= RATIO_BUDGET
    memory_ok = peak_mb < MEMORY_BUDGET_MB and rss_mb < MEMORY_BUDGET_MB
    state_note = ", ".join(f"{v} {k}" for k, v in counts.items())
    print(f"posts:    {args.posts} files ({parsed} parsed); state: {args.posts} entries")
    print(f"          ({state_note})")
    print(f"plan:     {' / '.join(summary)}  {warnings} warning(s)")
    print(
        f"parse:    {best['parse']:.3f} s CPU ({wall['parse']:.3f} s wall)  "
        f"walk + read + yaml.CSafeLoader, best of {args.rounds}"
    )
    print(
        f"plan:     {best['plan']:.3f} s CPU ({wall['plan']:.3f} s wall)  "
        f"threadsync plan in-process, best of {args.rounds}"
    )
    print(
        f"ratio:    {ratio:.2f} CPU, {wall['plan'] / wall['parse']:.2f} wall  "
        f"(budget {RATIO_BUDGET}: {'ok' if ratio_ok else 'OVER'}; goal {RATIO_GOAL}: "
        f"{'met' if ratio <= RATIO_GOAL else 'not met'})"
    )
    for step, seconds in steps.items():
        print(f"  {step:<36} {seconds:.3f} s CPU  ({seconds / best['parse']:.2f} x parse)")
    print(
        f"memory:   tracemalloc peak {peak_mb:.1f} MB; child peak RSS growth {rss_mb:.1f} MB "
        f"({rss['before_kb'] / 1024:.1f} -> {rss['after_kb'] / 1024:.1f} MB)  "
        f"(budget {MEMORY_BUDGET_MB:.0f} MB: {'ok' if memory_ok else 'OVER'})"
    )
    return 0 if ratio_ok and memory_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
