"""The emulator without its HTTP server: state, faults, log, and admin actions.

Both the ``/__emulator__/`` endpoints (admin.py) and the ``Emulator`` methods
call these, so the two always agree.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, TypeAlias

from .clock import Clock, graph_time, parse_duration
from .faults import FaultPlan
from .log import RequestLog
from .model import ALL_SCOPES, Post
from .render import container_status, permalink
from .state import DEFAULT_APP_ID, DEFAULT_APP_SECRET, Store

PROCESSING_KINDS = ("text", "image", "video", "carousel")
Processing: TypeAlias = "str | Mapping[str, float | str] | None"


def parse_processing(spec: Processing) -> dict[str, float]:
    """``text=0.3s,image=1s,video=5s,carousel=1s`` (or a mapping) to seconds per kind."""
    if spec is None:
        return {}
    if isinstance(spec, str):
        pairs: dict[str, float | str] = {}
        for item in filter(None, (p.strip() for p in spec.split(","))):
            name, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"processing item {item!r} is not KIND=DURATION")
            pairs[name.strip().lower()] = value
    else:
        pairs = dict(spec)
    out: dict[str, float] = {}
    for kind, amount in pairs.items():
        if kind not in PROCESSING_KINDS:
            raise ValueError(
                f"processing kind {kind!r} is not one of {', '.join(PROCESSING_KINDS)}"
            )
        out[kind] = parse_duration(amount) if isinstance(amount, str) else float(amount)
        if out[kind] < 0:
            raise ValueError("a processing time cannot be negative")
    return out


class Core:
    def __init__(
        self,
        *,
        token: str | None = None,
        processing: Processing = None,
        data: str | os.PathLike[str] | None = None,
        app_id: str = DEFAULT_APP_ID,
        app_secret: str = DEFAULT_APP_SECRET,
    ) -> None:
        self.clock = Clock()
        self.store = Store(
            self.clock,
            data_path=data,
            processing=parse_processing(processing),
            token=token,
            app_id=app_id,
            app_secret=app_secret,
        )
        self.faults = FaultPlan()
        self.log = RequestLog()

    # -- reading the world -------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        store = self.store
        with store.lock:
            user = store.users[store.primary_user]
            return {
                "user_id": user.id,
                "username": user.username,
                "access_token": store.primary_token,
                "app_id": store.app_id,
                "app_secret": store.app_secret,
                "processing": dict(store.processing),
                "now": self.clock.now(),
            }

    def _post(self, post: Post) -> dict[str, Any]:
        store = self.store
        user = store.users[post.owner]
        children = [store.posts[c] for c in post.children]
        return {
            "id": post.id,
            "owner": post.owner,
            "username": user.username,
            "media_type": post.media_type,
            "timestamp": graph_time(post.created_at),
            "created_at": post.created_at,
            "permalink": permalink(user.username, post.id),
            "container_id": post.container_id,
            "params": dict(post.params),
            "children": [
                {"id": c.id, "media_type": c.media_type, "params": dict(c.params)} for c in children
            ],
            "reply_to": post.reply_to,
            "root": post.root,
            "quote_of": post.quote_of,
            "reposted": post.reposted,
            "hide_status": post.hide_status,
            "approval": post.approval,
            "ghost": post.ghost,
            "deleted": post.deleted_at is not None,
        }

    def posts(self) -> list[dict[str, Any]]:
        """Every published post (carousel children inside their parent), oldest first."""
        with self.store.lock:
            posts = [p for p in self.store.posts.values() if p.parent is None]
            posts.sort(key=lambda p: (p.created_at, int(p.id)))
            return [self._post(p) for p in posts]

    def containers(self) -> list[dict[str, Any]]:
        store = self.store
        with store.lock:
            out = []
            for c in store.containers.values():
                status, error = container_status(store, c)
                out.append(
                    {
                        "id": c.id,
                        "owner": c.owner,
                        "media_type": c.media_type,
                        "status": status,
                        "error_message": error,
                        "created_at": c.created_at,
                        "ready_at": c.ready_at,
                        "is_carousel_item": c.is_carousel_item,
                        "children": list(c.children),
                        "published_post": c.published_post,
                        "params": dict(c.params),
                    }
                )
            return out

    def requests(self) -> list[dict[str, Any]]:
        return self.log.entries()

    # -- changing the world ------------------------------------------------------------------
    def reset(self) -> None:
        self.faults.clear()
        self.log.clear()
        self.store.reset()

    def advance(self, seconds: float) -> float:
        now = self.clock.advance(seconds)
        with self.store.lock:
            self.store.dirty = True
            self.store.flush()
        return now

    def set_processing(self, spec: Processing = None, **kinds: float | str) -> dict[str, float]:
        values = {**parse_processing(spec), **parse_processing(kinds)}
        with self.store.lock:
            self.store.processing.update(values)
            self.store.dirty = True
            self.store.flush()
            return dict(self.store.processing)

    def add_user(self, username: str, **fields: Any) -> dict[str, Any]:
        with self.store.lock:
            user = self.store.add_user(username, **fields)
            self.store.flush()
            return dict(user.__dict__)

    def mint_token(
        self,
        kind: str = "long",
        *,
        age: float = 0.0,
        scopes: list[str] | None = None,
        user_id: str | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        """A token for ``kind`` "short" (1 h) or "long" (60 days), issued ``age`` seconds ago."""
        if kind not in ("short", "long"):
            raise ValueError("token kind must be short or long")
        store = self.store
        with store.lock:
            uid = user_id or store.primary_user
            if username is not None:
                uid = store.add_user(username).id
            if uid not in store.users:
                raise ValueError(f"no emulated user {uid}")
            issued = self.clock.now() - float(age)
            tok = store.issue_token(uid, kind, list(scopes or ALL_SCOPES), issued_at=issued)
            store.flush()
            return {
                "access_token": tok.value,
                "user_id": uid,
                "kind": kind,
                "issued_at": tok.issued_at,
                "expires_at": tok.expires_at,
                "scopes": tok.scopes,
            }
