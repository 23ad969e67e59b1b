"""In-process fixtures for the core's unit tests: an emulator, a project, an apply.

Everything runs in the test process against an :class:`Emulator` on
127.0.0.1.  Sleeps are injected: they are recorded and move the emulator's
clock forward instead of waiting, so a container that takes seconds to
process is ready after the poll that "waited" for it, in no real time.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from threadsync.api import API, Credentials
from threadsync.apply import Applier, ApplyReport
from threadsync.config import ApplyConfig, load_config
from threadsync.content import load_project
from threadsync.content.models import Post
from threadsync.diff import make_plan
from threadsync.emulator import Emulator
from threadsync.emulator.model import Post as EmuPost
from threadsync.journal import Journal
from threadsync.plan import Plan, Remote
from threadsync.publisher import ApplyOptions, PartPublisher, Published
from threadsync.refresh import root_keys
from threadsync.state import Attempt, State, StateStore

IMAGE = "https://example.test/{}.png"

# Seconds of the emulator's clock; sleeps advance that clock, so these cost no real time.
PROCESSING = {"image": 3.0, "video": 3.0, "carousel": 3.0}

# apply: as a test wants it: no settle delays, short polls, one worker unless asked.
FAST = ApplyConfig(
    workers=1,
    settle_video=0.0,
    poll_initial=0.5,
    poll_max=1.0,
    find_delay=0.5,
    rate_limit_delay=1.0,
    container_timeout=600.0,
)


class Sleeps:
    """A ``sleep`` that records each wait and moves the emulator's clock by it."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.emu.advance(seconds)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(processing=PROCESSING) as emulator:
        yield emulator


@pytest.fixture
def sleeps(emu: Emulator) -> Sleeps:
    return Sleeps(emu)


def client(emu: Emulator, sleep: Sleeps | None = None, token: str | None = None) -> API:
    """A client of the emulator, retrying with ``sleep`` (never a real wait)."""
    return API(
        Credentials.from_token(token or emu.token, emu.user_id),
        base_url=emu.url,
        sleep=sleep or Sleeps(emu),
    )


def emu_now(emu: Emulator) -> dt.datetime:
    return dt.datetime.fromtimestamp(emu.now(), dt.timezone.utc)


def calls(emu: Emulator, method: str, path_end: str) -> list[dict[str, Any]]:
    """The emulator's log of requests ``method`` whose path (without query) ends so."""
    return [
        r
        for r in emu.requests()
        if r["method"] == method and r["path"].split("?")[0].endswith(path_end)
    ]


def live(emu: Emulator) -> dict[str, dict[str, Any]]:
    """The account's posts that are not deleted, by text."""
    return {str(p["params"].get("text")): p for p in emu.posts() if not p["deleted"]}


def listings(emu: Emulator, edge: str) -> list[dict[str, Any]]:
    """The listings of ``edge`` ("/threads", "/replies") read: their first pages."""
    return [r for r in calls(emu, "GET", edge) if "after" not in r["params"]]


def use_quota(emu: Emulator, kind: str, count: int) -> None:
    """Spend ``count`` of the account's rolling 24 h ``kind`` quota ("post" or "reply").

    Straight in the emulator's store: hundreds of posts would cost seconds.
    """
    for _ in range(count):
        emu.core.store.count_quota(emu.user_id, kind)


def seed_posts(emu: Emulator, count: int, *, hours_ago: float = 24.0) -> list[tuple[str, float]]:
    """``count`` text posts made straight in the emulator's store, a minute apart.

    Thousands of HTTP creates would cost seconds; returns (media id, created at).
    """
    store = emu.core.store
    start = emu.now() - hours_ago * 3600
    made = []
    with store.lock:
        for i in range(count):
            media_id = store.next_id("media")
            at = start + 60 * i
            params = {"media_type": "TEXT", "text": f"Seeded post {i}"}
            store.posts[media_id] = EmuPost(media_id, emu.user_id, at, "TEXT_POST", params)
            made.append((media_id, at))
    return made


def post_on_account(emu: Emulator, text: str) -> str:
    """Publish a post straight on the emulated account (as if by another tool)."""
    api = client(emu)
    with api:
        container = api.create_container(text=text)
        return api.publish_container(container)


def image_post(text: str, name: str, extra: str = "") -> str:
    """A post file's text: ``text`` and one image named ``name`` (``extra``: more item keys)."""
    return f"text: {text}\nmedia: [{{image: '{IMAGE.format(name)}'{extra}}}]\n"


def write_content(root: Path, files: dict[str, str]) -> None:
    """Write ``content/<name>`` files (dedented); an empty text removes the file."""
    for rel, text in files.items():
        path = root / "content" / rel
        if not text:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def load_posts(root: Path, now: dt.datetime, files: dict[str, str] | None = None) -> list[Post]:
    """The posts of ``root``'s content dir (after writing ``files``), which must be valid."""
    write_content(root, files or {})
    (root / "content").mkdir(exist_ok=True)
    content = load_project(root, load_config(None, root), now=now)
    assert content.errors == [], content.errors
    return content.posts


@dataclass
class Project:
    """A content dir and state file in a tmp dir; loads posts and runs applies in-process."""

    root: Path
    emu: Emulator
    sleeps: Sleeps
    options: ApplyOptions = field(default_factory=lambda: ApplyOptions.from_config(FAST))
    progress: list[tuple[str, str]] = field(default_factory=list)

    @property
    def state_path(self) -> Path:
        return self.root / ".threadsync" / "state.json"

    def write(self, files: dict[str, str]) -> None:
        write_content(self.root, files)

    def posts(self) -> dict[str, Post]:
        return {p.id: p for p in load_posts(self.root, emu_now(self.emu))}

    def store(self) -> StateStore:
        return StateStore(self.state_path, self.root)

    def state(self) -> State:
        return self.store().state

    def plan(self, *, prune: bool = False, remote: Remote | None = None) -> Plan:
        posts = self.posts()
        keys = root_keys(list(posts.values())) if remote is not None else None
        return make_plan(
            list(posts.values()),
            self.state(),
            emu_now(self.emu),
            prune=prune,
            remote=remote,
            root_keys=keys,
        )

    def with_options(self, **changes: Any) -> None:
        self.options = replace(self.options, **changes)

    def apply(self, plan: Plan | None = None, *, token: str | None = None) -> ApplyReport:
        """Apply ``plan`` (default: a fresh one) with a journal on the state file."""
        made = plan if plan is not None else self.plan()
        applier = Applier(
            made,
            self.posts(),
            Journal(self.store()),
            lambda: client(self.emu, self.sleeps, token),
            self.options,
            sleep=self.sleeps,
            now=lambda: emu_now(self.emu),
            progress=lambda post_id, message: self.progress.append((post_id, message)),
        )
        return applier.run()


@pytest.fixture
def project(tmp_path: Path, emu: Emulator, sleeps: Sleeps) -> Project:
    return Project(tmp_path, emu, sleeps)


def statuses(report: ApplyReport) -> dict[str, str]:
    return {r.id: r.status for r in report.results}


class Rig:
    """A publisher of one project's posts, its journal and its client."""

    def __init__(self, project: Project, api: API) -> None:
        self.project = project
        self.api = api
        self.journal = Journal(project.store())
        self.publisher = PartPublisher(
            api,
            self.journal,
            project.options,
            sleep=project.sleeps,
            now=lambda: emu_now(project.emu),
            progress=lambda post_id, message: project.progress.append((post_id, message)),
        )

    def with_options(self, **changes: Any) -> None:
        self.project.with_options(**changes)
        self.publisher.options = self.project.options

    def post(self, post_id: str) -> Post:
        """The content post, with the pending state entry apply would give it."""
        post = self.project.posts()[post_id]
        self.journal.begin(post.id, post.content_hash, post.path, len(post.parts))
        return post

    def publish(self, post: Post, index: int = 0, reply_to: str | None = None) -> str | None:
        """What apply does for one part: prepare a container, then publish it."""
        outcome = self.publisher.prepare(post, index, reply_to, None)
        if isinstance(outcome, Published):
            return outcome.media_id
        return self.publisher.publish(post, index, outcome)

    def attempts(self, post_id: str, index: int = 0) -> list[Attempt]:
        return self.journal.part(post_id, index).attempts


@pytest.fixture
def rig(project: Project) -> Iterator[Rig]:
    with client(project.emu, project.sleeps) as api:
        yield Rig(project, api)
