"""The flows of ``threadsync state``: list, show, rm, mv and compact, each under the lock.

As the flows in ``runner.py``: a frozen request in, a ``Run`` of one outcome
per account out, nothing printed.  Every action holds the state lock, so it
never reads or writes a state an apply is changing.  A change is saved through
``StateStore`` (atomic, the previous version kept as ``.bak``, the log of a
stopped apply folded in), and only when it was accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from threadsync.project import Target, Where
from threadsync.runner import Run

if TYPE_CHECKING:
    from threadsync.state import PostState, State, StateStore


@dataclass(frozen=True)
class StateRequest:
    where: Where = field(default_factory=Where)
    lock_timeout: float = 0.0  # how long to wait for another run's lock


@dataclass(frozen=True)
class Listing:
    shown: str  # the state file, as the user sees it
    state: State


@dataclass(frozen=True)
class Shown:
    shown: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Edited:
    """What ``rm`` or ``mv`` did: the entry, as it was, and the state's new serial."""

    shown: str
    post_id: str
    entry: PostState
    serial: int
    folded: int | None  # lines of a stopped apply's log folded in with it
    new_id: str | None = None  # mv


@dataclass(frozen=True)
class CompactResult:
    lines: int | None  # changes folded in; None: there was no log


def listing(request: StateRequest) -> Run[Listing]:
    def work(target: Target) -> Listing:
        with _locked(request, target, "state list"):
            return Listing(target.shown_state(), _read(target))

    return Run(_targets(request.where), work)


def show(request: StateRequest, post_id: str) -> Run[Shown]:
    from threadsync.state_edit import entry_data, entry_of

    def work(target: Target) -> Shown:
        with _locked(request, target, "state show"):
            entry = entry_of(_read(target), post_id, target.shown_state())
        return Shown(target.shown_state(), entry_data(post_id, entry))

    return Run(_targets(request.where, "state show reads one account's state"), work)


def remove(request: StateRequest, post_id: str) -> Run[Edited]:
    """Forget one post: its entry goes, the post stays on Threads."""
    from threadsync.state_edit import forget

    return _edit(
        request, "state rm", post_id, None, lambda state, shown: forget(state, post_id, shown)
    )


def move(request: StateRequest, old_id: str, new_id: str) -> Run[Edited]:
    """Rename one post's entry, as plan's ``move`` does for a renamed file."""
    from threadsync.state_edit import rename

    def change(state: State, shown: str) -> PostState:
        return rename(state, old_id, new_id, shown)

    return _edit(request, "state mv", old_id, new_id, change)


def compact(request: StateRequest) -> Run[CompactResult]:
    """Fold each account's unfolded log into its state file."""

    def work(target: Target) -> CompactResult:
        with _locked(request, target, "state compact"):
            store = _store(target, "state compact")
            lines = store.unfolded_lines
            store.compact()
        return CompactResult(lines)

    return Run(_targets(request.where), work)


def _edit(
    request: StateRequest,
    command: str,
    post_id: str,
    new_id: str | None,
    change: Callable[[State, str], PostState],
) -> Run[Edited]:
    """``change`` one account's state and save it; a refused change writes nothing."""

    def work(target: Target) -> Edited:
        shown = target.shown_state()
        with _locked(request, target, command):
            store = _store(target, command)
            folded = store.unfolded_lines
            entry = change(store.state, shown)
            store.save()
        return Edited(shown, post_id, entry, store.state.serial, folded, new_id)

    return Run(_targets(request.where, f"{command} changes one account's state"), work)


@contextmanager
def _locked(request: StateRequest, target: Target, command: str) -> Iterator[None]:
    from threadsync.lock import state_lock

    max_age = dt.timedelta(minutes=target.config.limits.lock_max_age)
    with state_lock(
        target.state_path, command, wait=request.lock_timeout, max_age=max_age, root=target.root
    ):
        yield


def _read(target: Target) -> State:
    from threadsync.state import load_state

    return load_state(target.state_path, target.root)


def _store(target: Target, command: str) -> StateStore:
    from threadsync.state import StateStore

    return StateStore(target.state_path, target.root, command=command)


def _targets(where: Where, one: str | None = None) -> list[Target]:
    from threadsync.project import targets

    return targets(where, one=one)
