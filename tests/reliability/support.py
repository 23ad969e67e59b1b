"""Harness for the reliability tests: projects, CLI runs, and exactly-once checks.

Every test project is a real git repo in a tmp dir with hand-written content
files, and every apply is a real ``threadsync`` process pointed at an
in-process :class:`~threadsync.emulator.Emulator` (``THREADS_API_URL``).

Apply's timing knobs (settle delays, poll schedule, "media not ready" delay)
default to production values that would make these tests slow.  The harness
writes fast values into threadsync.yaml's ``apply:`` section, where every one
of them can be set, and runs ``launch.py``, which calls
``threadsync.cli.main``: the process, its state file, its lock and its exit
code are those of ``python -m threadsync``.

Python's start-up and threadsync's imports cost about a second of CPU per
run, and these tests make hundreds of runs.  So :func:`run_cli` forks each
run from a :class:`Zygote` (``launch.py --zygote``) that imported threadsync
once: every run is still its own process, with its own cwd, environment,
state lock and exit code.  :func:`start_cli` (used where a test kills a run
or needs its pid) always starts a fresh ``python``; set
``THREADSYNC_TEST_SUBPROCESS=1`` to run everything that way.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from threadsync.emulator import Emulator

# Emulator processing times: tiny, so tests wait on logic rather than clocks.
FAST_PROCESSING = {"image": 0.05, "video": 0.05, "carousel": 0.05}

# Fast values of apply's timing options; the names of threadsync.yaml's ``apply:`` keys.
FAST_APPLY = {
    "workers": 4,
    "settle_video": 0.0,
    "settle_reply": 0.0,
    "poll_initial": 0.02,
    "poll_max": 0.1,
    "container_timeout": 30.0,
    "find_delay": 0.1,
    "rate_limit_delay": 0.5,
}

LAUNCH = Path(__file__).with_name("launch.py")


def cli_command(*args: str) -> list[str]:
    """The command line of ``threadsync ARGS`` with the fast apply timing (``launch.py``)."""
    return [sys.executable, str(LAUNCH), *args]


# --- projects ----------------------------------------------------------------------------


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.test", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def write_config(root: Path, config: Mapping[str, Any] | None = None) -> None:
    data: dict[str, Any] = dict(config or {})
    section = dict(FAST_APPLY)
    section.update(data.get("apply", {}))
    data["apply"] = section
    (root / "threadsync.yaml").write_text(
        yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )


def write_post(root: Path, post_id: str, data: Mapping[str, Any]) -> None:
    path = root / "content" / f"{post_id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True), "utf-8")


def make_project(
    root: Path,
    posts: Mapping[str, Mapping[str, Any]],
    config: Mapping[str, Any] | None = None,
) -> Path:
    """A git repo holding ``content/<id>.yaml`` for each post (ids sort in plan order)."""
    root.mkdir(parents=True, exist_ok=True)
    write_config(root, config)
    for post_id, data in posts.items():
        write_post(root, post_id, data)
    _git(root, "-c", "init.defaultBranch=main", "init", "-q")
    commit(root, "content")
    return root


def commit(root: Path, message: str) -> None:
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "--allow-empty", "-m", message)


def copy_project(template: Path, dest: Path) -> Path:
    shutil.copytree(template, dest)
    return dest


# --- running the CLI ---------------------------------------------------------------------


def cli_env(emu: Emulator, **extra: str) -> dict[str, str]:
    """os.environ as the suite's fixtures left it, plus the emulator's address and token."""
    env = dict(os.environ)
    env.update(THREADS_ACCESS_TOKEN=emu.token, THREADS_API_URL=emu.url, NO_COLOR="1")
    env.pop("FORCE_COLOR", None)
    env.pop("CI", None)
    env.update(extra)
    return env


KILLPOINT = Path(__file__).with_name("killpoint.py")


def killed_apply(root: Path, emu: Emulator, point: str) -> subprocess.CompletedProcess[str]:
    """``apply --yes`` in ``root`` under ``killpoint.py``, SIGKILLed at ``point`` (``KILL_AT``)."""
    return subprocess.run(
        [sys.executable, str(KILLPOINT), "apply", "--yes"],
        cwd=root,
        env=cli_env(emu, KILL_AT=point),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@dataclass
class Run:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def __str__(self) -> str:
        return (
            f"threadsync {' '.join(self.args)} -> exit {self.returncode} in {self.seconds:.1f} s\n"
            f"--- stdout\n{self.stdout}--- stderr\n{self.stderr}"
        )


def run_cli(
    root: Path,
    emu: Emulator,
    *args: str,
    timeout: float = 60.0,
    env: Mapping[str, str] | None = None,
    zygote: Zygote | None = None,
    fresh: bool = False,
) -> Run:
    """Run ``threadsync ARGS`` in ``root``: forked by a zygote, or (``fresh``) a new process."""
    environ = dict(env) if env is not None else cli_env(emu)
    zygote = None if fresh else zygote or _shared_zygote
    if zygote is not None:
        return zygote.run(root, args, environ, timeout=timeout)
    started = time.monotonic()
    proc = subprocess.run(
        cli_command(*args),
        cwd=root,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return Run(args, proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


def apply(root: Path, emu: Emulator, *args: str, **kw: Any) -> Run:
    return run_cli(root, emu, "apply", "--yes", *args, **kw)


def start_cli(
    root: Path, emu: Emulator, *args: str, env: Mapping[str, str] | None = None
) -> subprocess.Popen[str]:
    """Start ``threadsync ARGS`` as a fresh process (never from the zygote)."""
    return subprocess.Popen(
        cli_command(*args),
        cwd=root,
        env=dict(env) if env is not None else cli_env(emu),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


class Forked:
    """A CLI run forked by the zygote: the parts of ``Popen`` the tests use."""

    def __init__(self, pid: int, out: Path, err: Path) -> None:
        self.pid = pid
        self.out = out
        self.err = err
        self.returncode: int | None = None
        self._killed = False

    def _alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def poll(self) -> int | None:
        if self.returncode is None:
            dead = not self._alive()  # first: an exit code is written before the exit
            rc = Path(f"{self.out}.rc")
            if rc.exists():
                self.returncode = int(rc.read_text())
            elif dead:
                self.returncode = -signal.SIGKILL if self._killed else -1
        return self.returncode

    def kill(self) -> None:
        if self.poll() is None:
            self._killed = True
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.01)
        assert self.returncode is not None
        return self.returncode

    def communicate(self, timeout: float) -> tuple[str, str]:
        self.wait(timeout)
        return self.out.read_text("utf-8"), self.err.read_text("utf-8")


class Zygote:
    """``launch.py --zygote``: forks CLI runs from a process that imported threadsync once."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._count = 0
        self.proc = subprocess.Popen(
            [sys.executable, str(LAUNCH), "--zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        ready = self.proc.stdout.readline().strip()
        if ready != "ready":
            self.close()
            raise RuntimeError(f"the zygote did not start: {ready!r}")

    def spawn(self, root: Path, args: Sequence[str], env: Mapping[str, str]) -> Forked:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        with self._lock:
            self._count += 1
            out = self.workdir / f"run-{self._count}.out"
            err = self.workdir / f"run-{self._count}.err"
            request = {
                "args": list(args),
                "cwd": str(root),
                "env": dict(env),
                "out": str(out),
                "err": str(err),
            }
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            pid = int(self.proc.stdout.readline())
        return Forked(pid, out, err)

    def run(
        self, root: Path, args: Sequence[str], env: Mapping[str, str], *, timeout: float = 60.0
    ) -> Run:
        started = time.monotonic()
        child = self.spawn(root, args, env)
        try:
            stdout, stderr = child.communicate(timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            raise
        assert child.returncode is not None
        return Run(tuple(args), child.returncode, stdout, stderr, time.monotonic() - started)

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def apply_until_done(
    root: Path, emu: Emulator, *, max_runs: int = 5, zygote: Zygote | None = None
) -> list[Run]:
    """Run apply again until it exits 0; every run is returned (the last one succeeded)."""
    runs: list[Run] = []
    for _ in range(max_runs):
        run = apply(root, emu, zygote=zygote)
        runs.append(run)
        if run.returncode == 0:
            return runs
    raise AssertionError(
        f"apply did not succeed in {max_runs} runs; the last:\n{runs[-1]}\n"
        + "\n".join(f"run {i + 1}: exit {r.returncode}" for i, r in enumerate(runs))
    )


# --- the world after apply -----------------------------------------------------------------


def load_state(root: Path) -> dict[str, Any]:
    """What the state records: the state file with its unfolded log (a killed run's), as JSON."""
    from threadsync.state import dump_state
    from threadsync.state import load_state as load

    path = root / ".threadsync" / "state.json"
    if not path.exists() and not path.with_name("state.json.log").exists():
        raise FileNotFoundError(path)
    return dict(json.loads(dump_state(load(path))))


def live_posts(emu: Emulator) -> list[dict[str, Any]]:
    return [p for p in emu.posts() if not p["deleted"]]


def publish_requests(emu: Emulator) -> list[dict[str, Any]]:
    return [
        r
        for r in emu.requests()
        if r["method"] == "POST" and r["path"].split("?")[0].endswith("/threads_publish")
    ]


def create_requests(emu: Emulator) -> list[dict[str, Any]]:
    return [
        r
        for r in emu.requests()
        if r["method"] == "POST" and r["path"].split("?")[0].endswith("/threads")
    ]


@dataclass(frozen=True)
class Expected:
    """One content post as the tests write it: its id and the text of each part."""

    id: str
    texts: tuple[str, ...]
    kind: str = "TEXT_POST"  # the emulator's media_type of the root
    children: int = 0  # carousel items
    quote: str | None = None  # content id quoted by the root
    reply_to: str | None = None  # content id the root replies to


@dataclass
class Spec:
    """A plan as content files plus what the emulator must hold after apply."""

    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    expected: list[Expected] = field(default_factory=list)

    def add(self, post_id: str, data: dict[str, Any], *, kind: str = "TEXT_POST") -> None:
        texts = [str(data["text"])] + [str(p["text"]) for p in data.get("thread", [])]
        media = data.get("media") or []
        children = len(media) if len(media) > 1 else 0
        if children:
            kind = "CAROUSEL_ALBUM"
        elif media:
            kind = "VIDEO" if "video" in media[0] else "IMAGE"
        self.files[post_id] = data
        self.expected.append(
            Expected(post_id, tuple(texts), kind, children, data.get("quote"), data.get("reply_to"))
        )

    @property
    def ids(self) -> list[str]:
        return [e.id for e in self.expected]


def mixed_spec(prefix: str = "p", tag: str = "") -> Spec:
    """Text, image, video, carousel of 3, thread of 3, a quote and a poll, in plan order."""
    t = f" {tag}" if tag else ""
    spec = Spec()
    spec.add(f"{prefix}01-text", {"text": f"A plain text post{t}."})
    spec.add(
        f"{prefix}02-image",
        {
            "text": f"An image post{t}.",
            "media": [{"image": "https://example.test/media/one.png", "alt": "One."}],
        },
    )
    spec.add(
        f"{prefix}03-video",
        {"text": f"A video post{t}.", "media": [{"video": "https://example.test/media/v.mp4"}]},
    )
    spec.add(
        f"{prefix}04-carousel",
        {
            "text": f"A carousel of three{t}.",
            "media": [
                {"image": "https://example.test/media/c1.png", "alt": "First."},
                {"image": "https://example.test/media/c2.jpg"},
                {"video": "https://example.test/media/c3.mp4"},
            ],
        },
    )
    spec.add(
        f"{prefix}05-thread",
        {
            "text": f"Thread, part one{t}.",
            "thread": [{"text": f"Thread, part two{t}."}, {"text": f"Thread, part three{t}."}],
        },
    )
    spec.add(
        f"{prefix}06-quote", {"text": f"Quoting the text post{t}.", "quote": f"{prefix}01-text"}
    )
    spec.add(f"{prefix}07-poll", {"text": f"Which one{t}?", "poll": ["Red", "Blue", "Green"]})
    return spec


def text_spec(*ids: str) -> Spec:
    spec = Spec()
    for post_id in ids:
        spec.add(post_id, {"text": f"The post {post_id}."})
    return spec


def check_exactly_once(
    emu: Emulator,
    root: Path,
    expected: Sequence[Expected],
    *,
    others: int = 0,
    in_order: bool = True,
) -> list[str]:
    """Everything that must hold after a successful apply; returns the problems found.

    ``others`` is the number of live posts on the account that are not content
    (filler posts made by a test).  ``in_order``: ``expected`` is in plan order
    and was published in one go, so the roots' ids and times increase.
    """
    problems: list[str] = []
    posts = live_posts(emu)
    by_id = {p["id"]: p for p in posts}
    texts = Counter(p["params"].get("text") for p in posts)
    for exp in expected:
        for text in exp.texts:
            if texts[text] != 1:
                problems.append(f"{exp.id}: {text!r} is on the account {texts[text]} times")
    want_total = sum(len(e.texts) for e in expected) + others
    if len(posts) != want_total:
        problems.append(f"{len(posts)} live posts on the account, expected {want_total}")

    state = load_state(root)
    entries = state["posts"]
    media_of: dict[str, list[str | None]] = {}
    for exp in expected:
        entry = entries.get(exp.id)
        if entry is None:
            problems.append(f"{exp.id}: not in the state file")
            continue
        if entry["status"] != "published":
            problems.append(f"{exp.id}: state status {entry['status']!r}")
        ids = [p.get("media_id") for p in entry["parts"]]
        media_of[exp.id] = ids
        if len(ids) != len(exp.texts):
            problems.append(f"{exp.id}: {len(ids)} parts in state, expected {len(exp.texts)}")
        for k, (media_id, text) in enumerate(zip(ids, exp.texts, strict=False)):
            post = by_id.get(media_id or "")
            if post is None:
                problems.append(f"{exp.id} part {k + 1}: media id {media_id} is not on the account")
                continue
            if post["params"].get("text") != text:
                problems.append(f"{exp.id} part {k + 1}: {media_id} has another text")
            if k == 0:
                if exp.reply_to is None and post["reply_to"] is not None:
                    problems.append(f"{exp.id}: the root is a reply to {post['reply_to']}")
                if post["media_type"] != exp.kind:
                    problems.append(f"{exp.id}: media_type {post['media_type']}, not {exp.kind}")
                if len(post["children"]) != exp.children:
                    problems.append(f"{exp.id}: {len(post['children'])} carousel items")
            elif post["reply_to"] != ids[k - 1]:
                problems.append(
                    f"{exp.id} part {k + 1}: replies to {post['reply_to']}, not {ids[k - 1]}"
                )
    for exp in expected:
        root_post = by_id.get(media_of.get(exp.id, [None])[0] or "")
        if root_post is None:
            continue
        if exp.quote and exp.quote in media_of:
            quoted = media_of[exp.quote][0]
            if root_post["quote_of"] != quoted:
                problems.append(f"{exp.id}: quotes {root_post['quote_of']}, not {quoted}")
        if exp.reply_to and exp.reply_to in media_of:
            target = media_of[exp.reply_to][0]
            if root_post["reply_to"] != target:
                problems.append(f"{exp.id}: replies to {root_post['reply_to']}, not {target}")

    # Plan order: each root after the previous one (emulator ids and times both increase).
    roots = [by_id.get(media_of.get(e.id, [None])[0] or "") for e in expected]
    for before, after, exp in zip(roots, roots[1:], expected[1:], strict=False):
        if not in_order or before is None or after is None:
            continue
        if int(after["id"]) <= int(before["id"]) or after["created_at"] < before["created_at"]:
            problems.append(f"{exp.id} was published before the post ahead of it in the plan")

    recorded = {m for e in entries.values() for p in e["parts"] if (m := p.get("media_id"))}
    unrecorded = sorted(set(by_id) - recorded)
    if len(unrecorded) > others:
        problems.append(f"posts on the account that the state does not record: {unrecorded}")
    return problems


def wait_for_fired(emu: Emulator, rule_id: int, timeout: float, proc: Any = None) -> bool:
    """Wait until fault rule ``rule_id`` has fired (its request is in the handler)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for rule in emu.faults():
            if rule["id"] == rule_id and rule["fired"]:
                return True
        if proc is not None and proc.poll() is not None:
            return False
        time.sleep(0.005)
    return False


_shared_zygote: Zygote | None = None


def start_shared_zygote(workdir: Path) -> None:
    """Fork :func:`run_cli`'s runs from one zygote, unless THREADSYNC_TEST_SUBPROCESS is set."""
    global _shared_zygote
    if not os.environ.get("THREADSYNC_TEST_SUBPROCESS"):
        _shared_zygote = Zygote(workdir)


def stop_shared_zygote() -> None:
    global _shared_zygote
    zygote, _shared_zygote = _shared_zygote, None
    if zygote is not None:
        zygote.close()
