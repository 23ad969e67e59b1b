"""Insights (ref §8) with deterministic synthetic numbers.

Counts the emulator knows are real (replies, quotes, reposts); likes, views,
shares and clicks are derived from a CRC of the media id and metric name, so
the same post always reports the same numbers.
"""

from __future__ import annotations

import zlib
from typing import Any

from .call import Call
from .clock import graph_time
from .model import DAY, Post, User
from .paging import parse_time
from .render import visible
from .text import urls_in
from .wire import SUB_INSIGHTS, GraphError, Response, invalid, json_response, no_permission

MEDIA_METRICS = ("views", "likes", "replies", "reposts", "quotes", "shares")
USER_METRICS = (
    "views",
    "likes",
    "replies",
    "reposts",
    "quotes",
    "clicks",
    "followers_count",
    "follower_demographics",
)
BREAKDOWNS = {
    "country": ["US", "GB", "FR", "JP"],
    "city": ["Menlo Park, California", "London, England", "Paris, Ile-de-France"],
    "age": ["18-24", "25-34", "35-44", "45-54"],
    "gender": ["F", "M", "U"],
}
EARLIEST = 1712991600  # ref §8 "Time window": earlier timestamps are rejected


def synthetic(key: str, name: str, top: int) -> int:
    return zlib.crc32(f"{key}:{name}".encode()) % top


def _metrics(call: Call, allowed: tuple[str, ...]) -> list[str]:
    raw = call.params.get("metric", "")
    names = [m.strip() for m in raw.split(",") if m.strip()]
    if not names:
        raise invalid("Param metric is required.", subcode=SUB_INSIGHTS)
    for i, name in enumerate(names):
        if name not in allowed:
            raise GraphError(
                f"(#100) metric[{i}] must be one of the following values: {', '.join(allowed)}",
                code=100,
                subcode=SUB_INSIGHTS,
            )
    return names


def _entry(owner_id: str, name: str, period: str) -> dict[str, Any]:
    return {
        "name": name,
        "period": period,
        "title": name.replace("_", " ").capitalize(),
        "description": f"The number of {name.replace('_', ' ')} (emulated).",
        "id": f"{owner_id}/insights/{name}/{period}",
    }


def _replies(call: Call, post: Post) -> int:
    # ref §8: on a root post every reply counts; on a reply only direct ones
    posts = [r for r in call.store.posts.values() if visible(r)]
    if post.reply_to is None:
        return sum(1 for r in posts if r.root == post.id)
    return sum(1 for r in posts if r.reply_to == post.id)


def media_value(call: Call, post: Post, name: str) -> int:
    posts = call.store.posts.values()
    if name == "replies":
        return _replies(call, post)
    if name == "quotes":
        return sum(1 for p in posts if p.quote_of == post.id and visible(p))
    if name == "reposts":
        return sum(1 for p in posts if p.reposted == post.id and p.deleted_at is None)
    if name == "views":
        return 100 + synthetic(post.id, name, 900)
    return synthetic(post.id, name, 100)


def media_insights(call: Call, post: Post) -> Response:
    """``GET /{media}/insights?metric=`` (ref §8 "Media")."""
    call.need("threads_manage_insights")
    if post.owner != call.user.id:
        raise no_permission()
    names = _metrics(call, MEDIA_METRICS)
    if post.media_type == "REPOST_FACADE":  # ref §8: an empty data array
        return json_response({"data": []})
    data = []
    for name in names:
        entry = _entry(post.id, name, "lifetime")
        entry["values"] = [{"value": media_value(call, post, name)}]
        data.append(entry)
    return json_response({"data": data})


def _window(call: Call) -> tuple[float, float]:
    now = call.now
    since_raw, until_raw = call.params.get("since"), call.params.get("until")
    until = parse_time(until_raw, "until") if until_raw else now
    # ref §8: with no since/until the range is yesterday through today
    since = parse_time(since_raw, "since") if since_raw else (now // DAY - 1) * DAY
    if since < EARLIEST or until < EARLIEST:
        raise invalid(f"since and until must be at or after {EARLIEST}.", subcode=SUB_INSIGHTS)
    if since >= until:
        raise invalid("since must be before until.", subcode=SUB_INSIGHTS)
    return since, until


def _not_available() -> GraphError:
    return GraphError(
        "THREADS_API__FEATURE_NOT_AVAILABLE",
        code=100,
        subcode=SUB_INSIGHTS,
        user_title="THREADS_API__FEATURE_NOT_AVAILABLE",
        user_msg="This metric needs a linked Instagram account.",
    )


def _demographics(call: Call, user: User, entry: dict[str, Any]) -> None:
    breakdown = call.params.get("breakdown", "")
    if breakdown not in BREAKDOWNS:  # ref §8: exactly one of country, city, age, gender
        raise invalid(
            "follower_demographics needs breakdown = country, city, age or gender (one).",
            subcode=SUB_INSIGHTS,
        )
    if user.follower_count < 100:
        raise invalid("follower_demographics needs at least 100 followers.", subcode=SUB_INSIGHTS)
    results = [
        {"dimension_values": [v], "value": synthetic(user.id, v, user.follower_count // 4 + 1)}
        for v in BREAKDOWNS[breakdown]
    ]
    entry["total_value"] = {"breakdowns": [{"dimension_keys": [breakdown], "results": results}]}


def user_insights(call: Call, user: User) -> Response:
    """``GET /{user}/threads_insights?metric=&since=&until=&breakdown=`` (ref §8 "User")."""
    call.need("threads_manage_insights")
    names = _metrics(call, USER_METRICS)
    if "breakdown" in call.params and "follower_demographics" not in names:
        raise invalid("breakdown is only for follower_demographics.", subcode=SUB_INSIGHTS)
    since, until = _window(call)
    own = [
        p
        for p in call.store.posts.values()
        if p.owner == user.id
        and visible(p)
        and p.reply_to is None
        and p.parent is None
        and since <= p.created_at <= until
    ]
    data = []
    for name in names:
        entry = _entry(user.id, name, "day")
        if name == "views":  # a time series, one value per day
            values, day = [], since
            while day < until:
                end = min(day + DAY, until)
                count = sum(media_value(call, p, "views") for p in own if day <= p.created_at < end)
                values.append({"value": count, "end_time": graph_time(end)})
                day = end
            entry["values"] = values
        elif name == "clicks":  # ref §8: link_total_values
            links = sorted({u for p in own for u in urls_in(p.params.get("text", ""))})
            entry["link_total_values"] = [
                {"value": synthetic(user.id, u, 50), "link_url": u} for u in links
            ]
        elif name in ("followers_count", "follower_demographics"):
            if not user.has_instagram:
                raise _not_available()
            if name == "followers_count":
                entry["total_value"] = {"value": user.follower_count}
            else:
                _demographics(call, user, entry)
        else:
            top_level = name == "replies"
            total = sum(media_value(call, p, name) for p in own)
            if top_level:  # ref §8: replies counts top-level replies only
                total = sum(
                    1
                    for r in call.store.posts.values()
                    if visible(r) and r.reply_to in {p.id for p in own}
                )
            entry["total_value"] = {"value": total}
        data.append(entry)
    return json_response({"data": data})
