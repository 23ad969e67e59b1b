"""Kill points in the state's compaction: what a killed fold leaves is folded in once.

Apply journals every step to ``state.json.log`` and folds it into
``state.json`` when it ends.  A SIGKILL before, during and after that fold
must lose nothing and replay nothing twice: the next ``plan`` (which only
reads) already sees every post as published, ``threadsync state compact``
(what the workflows run before they commit) leaves a whole state file and no
log, and the next apply publishes nothing again.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from threadsync.emulator import Emulator

from .support import (
    apply,
    check_exactly_once,
    killed_apply,
    load_state,
    make_project,
    mixed_spec,
    publish_requests,
    run_cli,
)

pytestmark = pytest.mark.slow
POINTS = ("before-fold", "mid-fold", "after-fold")


@pytest.mark.parametrize("point", POINTS)
def test_a_fold_killed_at_any_point_loses_nothing_and_replays_nothing(
    emu: Emulator, tmp_path: Path, point: str
) -> None:
    spec = mixed_spec()
    root = make_project(tmp_path / "p", spec.files)
    killed = killed_apply(root, emu, point)
    assert killed.returncode == -9, killed.stderr  # SIGKILL, at the fold
    published = len(publish_requests(emu))
    state_dir = root / ".threadsync"
    assert (state_dir / "state.json.log").exists()

    # A reader folds the log in memory: nothing is left to publish.
    plan = run_cli(root, emu, "plan", "--json")
    assert plan.returncode == 0, plan
    actions = [c["action"] for c in json.loads(plan.stdout)["changes"]]
    assert actions == [], f"after a kill at {point}, plan wants {actions}"
    assert (state_dir / "state.json.log").exists()  # a reader never writes

    compacted = run_cli(root, emu, "state", "compact")
    assert compacted.returncode == 0, compacted
    assert not (state_dir / "state.json.log").exists()
    on_disk = json.loads((state_dir / "state.json").read_text())
    assert sorted(on_disk["posts"]) == sorted(spec.ids)  # the file alone holds it all

    again = apply(root, emu)
    assert again.returncode == 0, again
    assert len(publish_requests(emu)) == published
    assert check_exactly_once(emu, root, spec.expected) == []


@pytest.mark.parametrize("point", POINTS)
def test_the_next_apply_folds_a_killed_fold_before_anything_new(
    emu: Emulator, tmp_path: Path, point: str
) -> None:
    spec = mixed_spec()
    root = make_project(tmp_path / "p", spec.files)
    assert killed_apply(root, emu, point).returncode == -9
    serial = load_state(root)["serial"]
    again = apply(root, emu)
    assert again.returncode == 0, again
    assert check_exactly_once(emu, root, spec.expected) == []
    assert not (root / ".threadsync" / "state.json.log").exists()
    assert load_state(root)["serial"] == serial + 1  # folded once, not twice
