"""Cursor pagination and time windows for list endpoints (ref §6 "User posts").

``limit`` defaults to 25 and is capped at 100; ``before``/``after`` are opaque
cursors and mutually exclusive; ``since``/``until`` take Unix seconds or a
date such as ``2023-10-15``.  Pages carry ``paging.cursors`` only: the docs
say user-post and mention lists give no ``next``/``previous`` URLs.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from .model import Post
from .wire import SUB_PAGING, invalid

T = TypeVar("T")
EARLIEST_SINCE = 1688540400  # ref §6: since >= 1688540400
DEFAULT_LIMIT = 25
MAX_LIMIT = 100


def _bad(msg: str) -> Exception:
    return invalid(msg, subcode=SUB_PAGING)


def parse_time(value: str, name: str) -> float:
    text = value.strip()
    try:
        return float(int(text))
    except ValueError:
        pass
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _bad(f"Param {name} must be a Unix time or a date like 2023-10-15.") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.timestamp()


def time_window(params: dict[str, str], earliest: float = EARLIEST_SINCE) -> tuple[float, float]:
    since = parse_time(params["since"], "since") if params.get("since") else None
    until = parse_time(params["until"], "until") if params.get("until") else None
    if since is not None and since < earliest:
        raise _bad(f"Param since must be at or after {int(earliest)}.")
    if since is not None and until is not None and since >= until:
        raise _bad("Param since must be before until.")
    return (
        since if since is not None else float("-inf"),
        until if until is not None else float("inf"),
    )


def parse_limit(params: dict[str, str]) -> int:
    raw = params.get("limit", "")
    if raw == "":
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise _bad("Param limit must be a positive integer.") from None
    if limit < 1:
        raise _bad("Param limit must be a positive integer.")
    return min(limit, MAX_LIMIT)


def post_key(post: Post) -> tuple[float, int]:
    return (post.created_at, int(post.id))


def _encode(key: tuple[float, int]) -> str:
    return base64.urlsafe_b64encode(f"{key[0]!r}:{key[1]}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[float, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, ident = raw.split(":")
        return (float(at), int(ident))
    except ValueError:
        raise _bad("The cursor is not valid.") from None


def paginate(
    params: dict[str, str],
    items: list[T],
    key: Callable[[T], tuple[float, int]],
    newest_first: bool,
    render: Callable[[T], dict[str, Any]],
) -> dict[str, Any]:
    """One page of ``items`` (already in output order) as ``{"data", "paging"}``."""
    limit = parse_limit(params)
    before, after = params.get("before"), params.get("after")
    if before and after:
        raise _bad("Params before and after are mutually exclusive.")

    def later_in_list(k: tuple[float, int], ck: tuple[float, int]) -> bool:
        return k < ck if newest_first else k > ck

    if after:
        ck = _decode(after)
        page = [i for i in items if later_in_list(key(i), ck)][:limit]
    elif before:
        ck = _decode(before)
        page = [i for i in items if later_in_list(ck, key(i))][-limit:]
    else:
        page = items[:limit]
    body: dict[str, Any] = {"data": [render(i) for i in page]}
    if page:
        body["paging"] = {
            "cursors": {"before": _encode(key(page[0])), "after": _encode(key(page[-1]))}
        }
    return body


def in_window(post: Post, window: tuple[float, float]) -> bool:
    return window[0] <= post.created_at <= window[1]
