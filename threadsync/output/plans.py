"""A plan in each of its formats: terminal text, JSON (the contract), Markdown."""

from __future__ import annotations

import json

from threadsync.output.plan_markdown import render_plan_markdown
from threadsync.output.plan_text import render_plan_text
from threadsync.plan import Plan


def render_plan(plan: Plan, fmt: str, *, color: bool = False) -> str:
    if fmt == "json":
        return json.dumps(plan.data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_plan_markdown(plan)
    return render_plan_text(plan, color=color)
