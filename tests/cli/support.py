"""Helpers of the end-to-end CLI tests (imported by conftest.py and the tests)."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from threadsync.api import API, Credentials, Media, MediaType
from threadsync.emulator import Emulator

STATE = Path(".threadsync/state.json")
GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "threadsync tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "threadsync tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


@dataclass(frozen=True)
class Result:
    rc: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith("error:")]


Run = Callable[..., Result]


class Project:
    """A content repository in a tmp dir; the current directory while the test runs."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def post(self, post_id: str, text: str, suffix: str = ".yaml") -> Path:
        return self.write(f"content/{post_id}{suffix}", text)

    def remove(self, rel: str) -> None:
        (self.root / rel).unlink()

    def rename(self, old: str, new: str) -> None:
        (self.root / old).rename(self.root / new)

    def git(self, *args: str) -> str:
        out = subprocess.run(
            ["git", *args], cwd=self.root, capture_output=True, text=True, check=True, env=GIT_ENV
        )
        return out.stdout

    def commit(self, message: str = "content") -> None:
        self.git("add", "-A")
        self.git("-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty", "-m", message)

    @property
    def state_path(self) -> Path:
        return self.root / STATE

    @property
    def backup_path(self) -> Path:
        return self.root / ".threadsync/state.json.bak"

    @property
    def lock_path(self) -> Path:
        return self.root / ".threadsync/state.lock"

    def state(self) -> dict[str, Any]:
        """What the state records: the state file with its unfolded log, if any, as JSON."""
        from threadsync.state import dump_state, load_state

        if not self.state_path.exists() and not self.log_path.exists():
            raise FileNotFoundError(self.state_path)
        return dict(json.loads(dump_state(load_state(self.state_path))))

    @property
    def log_path(self) -> Path:
        return self.state_path.with_name(self.state_path.name + ".log")

    def write_state(self, data: dict[str, Any] | str | bytes) -> bytes:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, dict):
            data = json.dumps(data, indent=2)
        raw = data.encode() if isinstance(data, str) else data
        self.state_path.write_bytes(raw)
        return raw


class Outside:
    """Publishes on the emulated account the way another app would: not through threadsync."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.api = API(Credentials.from_token(emu.token, emu.user_id), base_url=emu.url)

    def publish(self, text: str, *, reply_to: str | None = None, image: str | None = None) -> str:
        media = Media(MediaType.IMAGE, image) if image else None
        container = self.api.create_container(text, media=media, reply_to_id=reply_to)
        self.api.wait_until_finished(container)
        return self.api.publish_container(container)

    def delete(self, media_id: str) -> None:
        self.api.delete(media_id)

    def close(self) -> None:
        self.api.close()


def live_texts(emu: Emulator) -> list[str]:
    """The text of every post on the emulated account that is not deleted, oldest first."""
    return [str(p["params"].get("text")) for p in emu.posts() if not p["deleted"]]


@contextmanager
def lock_held(state_path: Path) -> Iterator[Callable[[float], None]]:
    """Another run holding the state lock, in a thread; yields ``release_in(seconds)``."""
    from threadsync.lock import state_lock

    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with state_lock(state_path, "apply"):
            taken.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert taken.wait(10), "the lock was never taken"
        yield lambda seconds: threading.Timer(seconds, release.set).start()
    finally:
        release.set()
        holder.join(10)
