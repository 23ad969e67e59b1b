"""Rolling 24 h quotas (ref §4) and ``GET /{user}/threads_publishing_limit``."""

from __future__ import annotations

from typing import Any

from .call import Call
from .fields import select_plain
from .wire import (
    SUB_QUOTA_DELETES,
    SUB_QUOTA_POSTS,
    SUB_QUOTA_REPLIES,
    Response,
    json_response,
    quota_exceeded,
)

DURATION = 86400
# kind -> (quota total, words for the error, emulator subcode); ref §4 "Per-profile ... quotas"
LIMITS = {
    "post": (250, "published posts", SUB_QUOTA_POSTS),
    "reply": (1000, "replies", SUB_QUOTA_REPLIES),
    "delete": (100, "deletes", SUB_QUOTA_DELETES),
    "location_search": (500, "location searches", 0),
}
_PUBLISH = ("threads_content_publish",)
_REPLY = ("threads_content_publish", "threads_manage_replies")
# field -> (quota kind, is a config field, scopes); ref §4 "Scopes": publish fields need
# content_publish, reply fields add manage_replies, delete and location fields their own
_FIELDS = {
    "quota_usage": ("post", False, _PUBLISH),
    "config": ("post", True, _PUBLISH),
    "reply_quota_usage": ("reply", False, _REPLY),
    "reply_config": ("reply", True, _REPLY),
    "delete_quota_usage": ("delete", False, ("threads_delete",)),
    "delete_config": ("delete", True, ("threads_delete",)),
    "location_search_quota_usage": ("location_search", False, ("threads_location_tagging",)),
    "location_search_config": ("location_search", True, ("threads_location_tagging",)),
}


def check(call: Call, kind: str) -> None:
    """Raise the quota error if one more ``kind`` would go over the limit."""
    total, words, subcode = LIMITS[kind]
    if call.store.quota_used(call.user.id, kind) >= total:
        raise quota_exceeded(words, total, subcode)


def publishing_limit(call: Call) -> Response:
    """Ref §4: one-element ``data`` array; ``quota_usage`` by default."""
    values: dict[str, Any] = {}
    for name, (kind, is_config, _scope) in _FIELDS.items():
        total = LIMITS[kind][0]
        if is_config:
            values[name] = {"quota_total": total, "quota_duration": DURATION}
        else:
            values[name] = call.store.quota_used(call.user.id, kind)
    chosen = select_plain(
        call.params.get("fields"), values, "ThreadsPublishingLimit", "quota_usage"
    )
    for name in chosen:
        for scope in _FIELDS[name][2]:
            call.need(scope)
    return json_response({"data": [chosen]})
