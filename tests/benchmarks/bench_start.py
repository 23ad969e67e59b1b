"""Benchmark: how long an offline ``threadsync plan`` of a one-post repository takes, start to exit.

Run on demand (pytest's default run ignores tests/benchmarks)::

    python tests/benchmarks/bench_start.py [--runs N] [--keep DIR]

A user runs threadsync from a normal install, not from an editable one in a
venv full of development tools (whose import hooks and many packages slow
every start), so this builds a wheel of the working tree, installs it in a
fresh venv (as ``.ci/run``'s packaging check does), and times, each N times
(default 15), interleaved:

- ``python -c pass`` of that venv: the interpreter's own start, the floor;
- ``threadsync --version``: the CLI's start, without a command;
- ``threadsync plan`` in a fresh git repository with one post and no token:
  every import an offline plan needs, the config, the content, the state
  and the plan printed.

It prints the median and the fastest run of each, and holds the plan's median
to the budget: under 0.3 s.  The same plan through this interpreter's
editable install is printed too, for comparison.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET = 0.3
REPO = Path(__file__).resolve().parents[2]


def _wall(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def _install(into: Path) -> Path:
    """A fresh venv holding a wheel of the working tree; returns its bin directory."""
    wheels = into / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(wheels),
            str(REPO),
        ],
        check=True,
    )
    subprocess.run([sys.executable, "-m", "venv", str(into / "venv")], check=True)
    bin_dir = into / "venv" / "bin"
    wheel = next(wheels.glob("threadsync-*.whl"))
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel)], check=True
    )
    return bin_dir


def _project(root: Path) -> Path:
    repo = root / "one-post"
    (repo / "content").mkdir(parents=True)
    (repo / "content" / "hello.yaml").write_text("text: Hello from a benchmark\n", encoding="utf-8")
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run([*git, "init", "--quiet"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "--quiet", "-m", "one post"], cwd=repo, check=True)
    return repo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", type=Path, help="build the venv here and keep it")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="threadsync-bench-start-") as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        bin_dir = _install(root)
        repo = _project(root)
        # No token and no GitHub context: the plan stays offline.
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("THREADS_", "GITHUB_", "PYDANTIC_"))
        }
        cases = {
            "python -c pass": [str(bin_dir / "python"), "-c", "pass"],
            "threadsync --version": [str(bin_dir / "threadsync"), "--version"],
            "threadsync plan": [str(bin_dir / "threadsync"), "plan"],
            "plan, editable install": [sys.executable, "-m", "threadsync", "plan"],
        }
        for cmd in cases.values():  # warm the page cache and the bytecode
            _wall(cmd, repo, env)
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, cmd in cases.items():
                times[name].append(_wall(cmd, repo, env))
    for name, runs in times.items():
        print(
            f"{name:<24} median {statistics.median(runs):.3f} s  fastest {min(runs):.3f} s"
            f"  ({args.runs} runs)"
        )
    plan = statistics.median(times["threadsync plan"])
    ok = plan < BUDGET
    print(f"offline plan: {plan:.3f} s (budget < {BUDGET} s: {'ok' if ok else 'OVER'})")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
