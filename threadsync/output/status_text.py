"""Where every post stands, as terminal text (``status``; its JSON is the data itself)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from threadsync.output.escape import terminal_text

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
        return [
            "Token and quota: no access token (set THREADS_ACCESS_TOKEN, or run 'threadsync "
            "auth login'; or use --emulator)"
        ]
    source = (
        f" (token from {terminal_text(facts['token_source'])})" if "token_source" in facts else ""
    )
    if "error" in facts:
        return [f"Account: could not be read{source}: {terminal_text(facts['error'])}"]
    name = f"@{facts['username']}" if facts.get("username") else facts.get("user_id", "?")
    lines = [f"Account: {terminal_text(name)}{source}"]
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
