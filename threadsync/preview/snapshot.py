"""Everything one build of the preview needs, read at one moment: content, state, plan.

Unlike ``plan``, a preview must go on with invalid content (to show the
errors on their cards) and with an unreadable state file (to show the posts
anyway), so failures here become lines of the page's banner, not exceptions.
It never touches the network: the plan is made offline, as ``plan`` without
a token does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from threadsync.config import Config
from threadsync.content import Post, Problem, load_project
from threadsync.diff import make_plan
from threadsync.plan import Plan
from threadsync.preview.invalid import is_post_file
from threadsync.safewrite import UnsafePath
from threadsync.state import State, StateError, load_state


@dataclass
class Snapshot:
    root: Path
    posts: list[Post]
    problems_by_path: dict[str, list[Problem]]
    invalid_paths: list[str]
    state: State
    plan: Plan
    tz: dt.tzinfo
    warn_ratio: float
    now: dt.datetime
    banner: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for ps in self.problems_by_path.values() for p in ps if p.is_error)

    @property
    def warnings(self) -> int:
        return sum(1 for ps in self.problems_by_path.values() for p in ps if not p.is_error)

    @property
    def problems(self) -> list[Problem]:
        return [p for ps in self.problems_by_path.values() for p in ps]


def empty_snapshot(root: Path, now: dt.datetime, banner: list[str]) -> Snapshot:
    """A snapshot with nothing but a message: threadsync.yaml itself is broken."""
    return Snapshot(
        root, [], {}, [], State(), make_plan([], State(), now), dt.timezone.utc, 0.9, now, banner
    )


def take_snapshot(
    root: Path,
    config: Config,
    state_path: Path,
    now: dt.datetime,
    *,
    held_tokens: Collection[str] = (),
) -> Snapshot:
    project = load_project(root, config, now=now, held_tokens=held_tokens)
    banner: list[str] = []
    try:
        state = load_state(state_path, root)
    except (StateError, UnsafePath) as exc:
        banner.append(f"{exc} (the preview shows every post as unpublished)")
        state = State()
    plan = make_plan(project.posts, state, now, prune=config.prune)
    by_path: dict[str, list[Problem]] = {}
    for problem in project.problems:
        by_path.setdefault(problem.path, []).append(problem)
    valid = {p.path for p in project.posts}
    invalid = sorted(
        path
        for path, ps in by_path.items()
        if path not in valid and is_post_file(path) and any(p.is_error for p in ps)
    )
    shown = valid | set(invalid)
    banner += [str(p) for path, ps in by_path.items() if path not in shown for p in ps]
    banner += [str(n) for n in plan.notices if n.id is None]
    return Snapshot(
        root=root,
        posts=project.posts,
        problems_by_path=by_path,
        invalid_paths=invalid,
        state=state,
        plan=plan,
        tz=config.tzinfo() or dt.timezone.utc,
        warn_ratio=config.limits.text_warn_ratio,
        now=now,
        banner=banner,
    )
