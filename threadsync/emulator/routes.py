"""Routing: which handler answers a method and path, after auth and scopes.

Data paths are versioned (``/v1.0/...``) and also accepted without the
version (ref §1: UNVERIFIED whether Meta does).  The token paths are
documented unversioned (``/oauth/access_token``, ``/access_token``,
``/refresh_access_token``), but Graph treats the version as an optional
prefix and Meta's sample app sends it, so each answers the same under
``/v1.0`` (ref §1).  ``/oauth/authorize`` is threads.net's consent page, never
under a version.
"""

from __future__ import annotations

from . import discovery, insights, limits, oauth, publish, reads
from .call import Call
from .model import User
from .state import Store
from .wire import GraphError, OAuthCodeError, Response, unsupported

VERSION = "v1.0"


def dispatch(
    store: Store, method: str, path: str, params: dict[str, str], headers: dict[str, str]
) -> Response:
    segments = [s for s in path.split("/") if s]
    versioned = bool(segments) and segments[0] == VERSION
    if versioned:
        segments = segments[1:]
    with store.lock:
        try:
            token_route = _token_paths(store, method, segments, params, headers, versioned)
            if token_route is not None:
                return token_route
            return _data(store, method, segments, params, headers)
        except (GraphError, OAuthCodeError) as exc:
            return exc.response()
        finally:
            if method != "GET":
                store.dirty = True
            store.flush()


def _token_paths(
    store: Store,
    method: str,
    segs: list[str],
    params: dict[str, str],
    headers: dict[str, str],
    versioned: bool,
) -> Response | None:
    token = oauth.request_token(params, headers)
    if segs == ["oauth", "authorize"] and method == "GET" and not versioned:
        return oauth.authorize(store, params)
    if segs == ["oauth", "access_token"] and method in ("GET", "POST"):
        return oauth.oauth_access_token(store, params)
    if segs == ["access_token"] and method == "GET":
        return oauth.exchange(store, params, token)
    if segs == ["refresh_access_token"] and method == "GET":
        return oauth.refresh(store, params, token)
    return None


def _data(
    store: Store, method: str, segs: list[str], params: dict[str, str], headers: dict[str, str]
) -> Response:
    token_value = oauth.request_token(params, headers)
    if segs == ["debug_token"] and method == "GET":
        return oauth.debug_token(store, params, token_value)
    token = oauth.resolve_token(store, token_value)
    call = Call(store, method, segs, params, token)
    call.need("threads_basic")  # ref §2: basic on every call
    path = "/".join(segs)
    if not segs:
        raise unsupported(method, "")
    if len(segs) == 1 and method == "GET":
        edge = _TOP_LEVEL.get(segs[0])
        if edge is not None:
            return edge(call)
    user = _own_user(call, segs[0])
    if user is not None:
        return _user_route(call, user, method, segs, path)
    return _media_route(call, method, segs, path)


_TOP_LEVEL = {
    "keyword_search": discovery.keyword_search,
    "profile_lookup": discovery.profile_lookup,
    "profile_posts": discovery.profile_posts,
    "location_search": discovery.location_search,
}


def _own_user(call: Call, segment: str) -> User | None:
    """``me`` or the caller's numeric id (ref §3: ``me`` works in place of the user id)."""
    if segment in ("me", call.user.id):
        return call.user
    return None


def _user_route(call: Call, user: User, method: str, segs: list[str], path: str) -> Response:
    if len(segs) == 1 and method == "GET":
        return reads.get_object(call, "me")
    edge = segs[1] if len(segs) == 2 else None
    if method == "GET":
        getter = {
            "threads": reads.user_threads,
            "replies": reads.user_replies,
            "ghost_posts": reads.ghost_posts,
            "mentions": discovery.mentions,
            "threads_insights": insights.user_insights,
        }.get(edge or "")
        if getter is not None:
            return getter(call, user)
        if edge == "threads_publishing_limit":
            return limits.publishing_limit(call)
    if method == "POST" and edge == "threads":
        return publish.create_container(call)
    if method == "POST" and edge == "threads_publish":
        return publish.publish(call)
    raise unsupported(method, path)


def _media_route(call: Call, method: str, segs: list[str], path: str) -> Response:
    obj_id = segs[0]
    if len(segs) == 1 and method == "GET":
        return reads.get_object(call, obj_id)
    if len(segs) == 2 and method == "POST" and segs[1] == "manage_pending_reply":
        return publish.manage_pending_reply(call, obj_id)
    post = call.store.posts.get(obj_id)
    if post is None or post.deleted_at is not None or post.parent is not None:
        raise unsupported(method, path)
    if len(segs) == 1 and method == "DELETE":
        return publish.delete(call, post)
    edge = segs[1] if len(segs) == 2 else ""
    if method == "GET":
        getter = {
            "replies": reads.media_replies,
            "conversation": reads.conversation,
            "pending_replies": reads.pending_replies,
            "insights": insights.media_insights,
        }.get(edge)
        if getter is not None:
            return getter(call, post)
    if method == "POST":
        poster = {"repost": publish.repost, "manage_reply": publish.manage_reply}.get(edge)
        if poster is not None:
            return poster(call, post)
    raise unsupported(method, path)
