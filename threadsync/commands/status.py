"""``threadsync status``: what is published, due, scheduled, pending or failed; token and quota.

Works offline from the state file and the content.  With a token (or
``--emulator``) it also shows when the token expires and what is left of the
24 h publishing quota.  Broken content does not stop it: the state is still
shown, with a count of the content's errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from threadsync.commands._context import (
    Context,
    api_factory,
    for_each_account,
    utcnow,
)
from threadsync.commands._options import add_api_options, add_content_options
from threadsync.output.escape import terminal_text

SHOWN = 10  # lines per group in the text output; --all shows every one


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "status",
        help="show what is published, scheduled, pending or failed; the token and the quota",
        description=(
            "Show where every post stands: published (newest first), due (the next apply "
            "publishes it), scheduled (with its time), pending (an apply stopped part-way), "
            "failed (with the error), removed from the content, and drafts. Reads the state "
            "file and the content, offline. With THREADS_ACCESS_TOKEN (or --emulator) it also "
            "shows when the token expires and what is left of the 24 h publishing quota. "
            "With several accounts in threadsync.yaml, each is shown in turn (or only "
            "--account NAME)."
        ),
    )
    add_content_options(p, state=True)
    p.add_argument("--json", action="store_true", help="print the status as JSON")
    p.add_argument(
        "--all", action="store_true", help=f"list every post (default: {SHOWN} per group)"
    )
    add_api_options(p)


def run(args: argparse.Namespace) -> int:
    return for_each_account(args, run_one)


def run_one(args: argparse.Namespace, ctx: Context) -> int:
    from threadsync.content import load_project
    from threadsync.state import load_state
    from threadsync.status import summarize

    now = utcnow()
    state = load_state(ctx.state_path)
    project = load_project(ctx.root, ctx.config, now=now, held_tokens=ctx.held_tokens)
    status = summarize(project.posts, state, now)
    data = status.data()
    path = ctx.state_path
    data["state"]["path"] = (
        path.relative_to(ctx.root).as_posix() if path.is_relative_to(ctx.root) else str(path)
    )
    data["content_errors"] = len(project.errors)
    make_api = api_factory(args, required=False, ctx=ctx)
    data["account"] = _account_facts(make_api, state, now) if make_api else None
    if getattr(args, "json", False):
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(render_text(data, limit=None if getattr(args, "all", False) else SHOWN))
    return 0


def _account_facts(make_api: Any, state: Any, now: dt.datetime) -> dict[str, Any]:
    """The token's expiry and the quota; a failure is reported, not raised."""
    from threadsync.api.errors import ThreadsError
    from threadsync.api.reading import PUBLISHING_QUOTA_FIELDS

    facts: dict[str, Any] = {}
    api = make_api()
    try:
        try:
            account = api.get_account()
            facts["user_id"] = account.id
            facts["username"] = account.username
            state.check_account(account.id)
        except ThreadsError as exc:
            facts["error"] = str(exc)
            return facts
        try:
            expires = api.get_token_info().expires_at
            facts["token_expires_at"] = expires.isoformat() if expires else None
            facts["token_days_left"] = (
                round((expires - now).total_seconds() / 86400, 1) if expires else None
            )
        except ThreadsError as exc:
            facts["token_error"] = str(exc)
        try:
            limit = api.get_publishing_limit(fields=PUBLISHING_QUOTA_FIELDS)
            facts["quota"] = {
                "posts_remaining": limit.posts_remaining,
                "posts_total": limit.config.quota_total if limit.config else None,
                "replies_remaining": limit.replies_remaining,
                "replies_total": limit.reply_config.quota_total if limit.reply_config else None,
            }
        except ThreadsError as exc:
            facts["quota_error"] = str(exc)
    finally:
        api.close()
    return facts


_GROUPS = (
    ("published", "Published"),
    ("due", "Due (the next apply publishes them)"),
    ("scheduled", "Scheduled"),
    ("pending", "Pending (an apply stopped part-way; the next apply resumes them)"),
    ("failed", "Failed (edit the post, or run apply --retry-failed)"),
    ("removed", "Removed from the content (still on Threads; plan shows 'forget')"),
)


def _when(value: str | None) -> str:
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value)
    offset = moment.utcoffset()
    if offset is None:
        return f"{moment:%Y-%m-%d %H:%M}"
    zone = "UTC" if not offset else moment.isoformat()[-6:]
    return f"{moment:%Y-%m-%d %H:%M} {zone}"


def render_text(data: dict[str, Any], *, limit: int | None) -> str:
    state = data["state"]
    lines = [
        f"State: {terminal_text(state['path'])} (serial {state['serial']}"
        + (f", account {terminal_text(state['user_id'])}" if state["user_id"] else "")
        + ")"
    ]
    if data["content_errors"]:
        lines.append(
            f"! the content has {data['content_errors']} error(s); 'threadsync validate' "
            "lists them (their posts are left out below)"
        )
    for key, title in _GROUPS:
        items = data[key]
        if not items and key not in ("published", "due"):
            continue
        lines.append(f"{title}: {len(items)}")
        for item in items[:limit] if limit is not None else items:
            parts = [f"  {terminal_text(item['id'])}"]
            if item.get("when"):
                parts.append(_when(item["when"]))
            if item.get("text"):
                parts.append(f'"{terminal_text(item["text"])}"')
            if item.get("detail"):
                parts.append(f"({terminal_text(item['detail'])})")
            if item.get("permalink"):
                parts.append(terminal_text(item["permalink"]))
            lines.append("  ".join(parts))
        if limit is not None and len(items) > limit:
            lines.append(f"  ... and {len(items) - limit} more (--all lists them)")
    lines.append(f"Drafts: {data['summary']['drafts']}")
    lines.extend(_account_lines(data["account"]))
    return "\n".join(lines) + "\n"


def _account_lines(facts: dict[str, Any] | None) -> list[str]:
    if facts is None:
        return ["Token and quota: no access token (set THREADS_ACCESS_TOKEN, or use --emulator)"]
    if "error" in facts:
        return [f"Account: could not be read: {terminal_text(facts['error'])}"]
    name = f"@{facts['username']}" if facts.get("username") else facts.get("user_id", "?")
    lines = [f"Account: {terminal_text(name)}"]
    if "token_error" in facts:
        lines.append(f"Token: could not be read: {terminal_text(facts['token_error'])}")
    elif facts.get("token_expires_at"):
        days = facts["token_days_left"]
        note = "expired" if days <= 0 else f"{days} days left"
        hint = "; run 'threadsync auth refresh'" if days <= 7 else ""
        lines.append(f"Token: expires {_when(facts['token_expires_at'])} ({note}){hint}")
    else:
        lines.append("Token: no expiry reported")
    quota = facts.get("quota")
    if quota is not None:
        lines.append(
            "Quota (24 h): "
            f"{_of(quota['posts_remaining'], quota['posts_total'])} posts, "
            f"{_of(quota['replies_remaining'], quota['replies_total'])} replies left"
        )
    elif "quota_error" in facts:
        lines.append(f"Quota: could not be read: {terminal_text(facts['quota_error'])}")
    return lines


def _of(left: int | None, total: int | None) -> str:
    if left is None:
        return "?"
    return f"{left} of {total}" if total is not None else str(left)
