"""Saved plans: ``plan --out FILE`` then ``apply FILE`` applies exactly what was reviewed.

A saved plan records the state's lineage and serial and a digest of the
content it was made from.  If either has changed since, the plan is stale and
apply refuses it (like Terraform's "Saved plan is stale").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from threadsync.plan import FORMAT_VERSION, Action, Change, Plan, PlanError
from threadsync.safewrite import write_atomic


@dataclass(frozen=True)
class SavedPlan:
    lineage: str
    serial: int
    content_digest: str
    changes: tuple[tuple[str, Action], ...]  # (id, action), in order
    prune: bool
    retry_failed: bool
    refresh: bool


def save_plan(
    plan: Plan, path: Path, *, retry_failed: bool, refresh: bool, root: Path | None = None
) -> None:
    """Write the plan atomically; never through a link under ``root`` (the project)."""
    data = dict(plan.data)
    data["options"] = {"prune": plan.prune, "retry_failed": retry_failed, "refresh": refresh}
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    write_atomic(path, text.encode(), root=root, what="the saved plan", command="plan")


def load_saved_plan(path: Path) -> SavedPlan:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise TypeError("not a JSON object")
        if data.get("format_version") != FORMAT_VERSION:
            raise PlanError(
                f"{path} is a plan of format {data.get('format_version')!r}, "
                f"not {FORMAT_VERSION}; make it again with this threadsync"
            )
        state = data["state"]
        options = data.get("options", {})
        return SavedPlan(
            lineage=str(state["lineage"]),
            serial=int(state["serial"]),
            content_digest=str(data["content_digest"]),
            changes=tuple((str(c["id"]), Action(c["action"])) for c in data["changes"]),
            prune=bool(options.get("prune", False)),
            retry_failed=bool(options.get("retry_failed", False)),
            refresh=bool(options.get("refresh", False)),
        )
    except FileNotFoundError as exc:
        raise PlanError(f"no saved plan at {path}; make one with 'threadsync plan --out'") from exc
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise PlanError(
            f"{path} is not a saved plan ({exc}); make it again with 'threadsync plan --out'"
        ) from exc


def check_fresh(saved: SavedPlan, fresh: Plan) -> Plan:
    """The fresh plan cut down to the saved one, or PlanError if anything moved.

    The saved plan's scheduled posts stay in it, as ``wait``, to be shown as
    ``plan`` showed them (apply does nothing with a ``wait``): one that fell
    due since is not published by this plan, which never said to.
    """
    if (saved.lineage, saved.serial) != (fresh.lineage, fresh.serial):
        raise PlanError(
            f"the saved plan is stale: it was made against state serial {saved.serial}, "
            f"and the state is now at serial {fresh.serial}"
            + ("" if saved.lineage == fresh.lineage else " of another lineage")
            + "; run 'threadsync plan' again"
        )
    if saved.content_digest != fresh.content_digest:
        raise PlanError(
            "the saved plan is stale: the content changed since it was made; "
            "run 'threadsync plan' again"
        )
    wanted = {(i, a) for i, a in saved.changes if a is not Action.WAIT}
    kept = tuple(c for c in fresh.changes if (c.id, c.action) in wanted)
    if {(c.id, c.action) for c in kept} != wanted:
        raise PlanError(
            "the saved plan no longer matches what apply would do; run 'threadsync plan' again"
        )
    waiting = {i for i, a in saved.changes if a is Action.WAIT}
    waits = tuple(_still_waiting(c) for c in fresh.changes if c.id in waiting)
    return replace(fresh, changes=kept + waits)


def _still_waiting(change: Change) -> Change:
    if change.action is Action.WAIT:
        return change
    return replace(
        change,
        action=Action.WAIT,
        reason="due now, but the saved plan waits for it; run 'threadsync plan' again to "
        "publish it",
    )
