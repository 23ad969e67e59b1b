"""Reads (ref §6): objects by id and the list endpoints of users and media."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .call import Call
from .fields import parse_fields
from .model import DAY, Post, User
from .paging import in_window, paginate, post_key, time_window
from .params import parse_bool
from .render import MediaView, render_container, render_location, render_profile, visible
from .wire import Response, invalid, json_response, unsupported


def media_list(
    call: Call, posts: list[Post], *, newest_first: bool = True, view: MediaView | None = None
) -> Response:
    """A page of media, with ``fields`` (default ``id``), cursors and since/until."""
    view = view or MediaView(call.store, call.user.id)
    fields = parse_fields(call.params.get("fields"))
    window = time_window(call.params)
    chosen = [p for p in posts if in_window(p, window)]
    chosen.sort(key=post_key, reverse=newest_first)

    def render(post: Post) -> dict[str, Any]:
        return view.render(post, fields)

    return json_response(paginate(call.params, chosen, post_key, newest_first, render))


def get_object(call: Call, obj_id: str) -> Response:
    """``GET /{id}``: a profile, a media object, a container or a location."""
    store, params = call.store, call.params
    if obj_id == "me" or obj_id == call.user.id:
        return json_response(render_profile(store, call.user, parse_fields(params.get("fields"))))
    post = store.posts.get(obj_id)
    if post is not None and post.deleted_at is None:
        fields = parse_fields(params.get("fields"))
        return json_response(MediaView(store, call.user.id).render(post, fields))
    container = store.containers.get(obj_id)
    if container is not None and container.owner == call.user.id:
        # ref §3 "Container status": id and status by default
        fields = parse_fields(params.get("fields"), "id,status")
        return json_response(render_container(store, container, fields))
    location = store.locations.get(obj_id)
    if location is not None:
        return json_response(render_location(location, parse_fields(params.get("fields"))))
    raise unsupported("GET", obj_id)


def _is_ghost_archived(call: Call, post: Post) -> bool:
    return post.ghost and call.now >= post.created_at + DAY


def user_threads(call: Call, user: User) -> Response:
    """``GET /{user}/threads``: top-level posts and reposts, never replies (ref §6)."""
    posts = [
        p
        for p in call.store.posts.values()
        if p.owner == user.id
        and p.deleted_at is None
        and p.reply_to is None
        and p.parent is None
        and not _is_ghost_archived(call, p)
    ]
    return media_list(call, posts)


def ghost_posts(call: Call, user: User) -> Response:
    """``GET /{user}/ghost_posts`` (ref §6 "Ghost posts", from GO)."""
    posts = [
        p
        for p in call.store.posts.values()
        if p.owner == user.id and p.deleted_at is None and p.ghost
    ]
    return media_list(call, posts)


def user_replies(call: Call, user: User) -> Response:
    """``GET /{user}/replies``: the user's own replies (ref §6 "User's own replies")."""
    call.need("threads_read_replies")
    posts = [
        p
        for p in call.store.posts.values()
        if p.owner == user.id and p.deleted_at is None and p.reply_to is not None
    ]
    return media_list(call, posts)


def _reverse(call: Call) -> bool:
    value = parse_bool(call.params, "reverse")
    return True if value is None else value  # ref §6: reverse defaults to true


def media_replies(call: Call, post: Post) -> Response:
    """``GET /{media}/replies``: direct replies only (ref §6 "Replies to a post")."""
    call.need("threads_read_replies")
    replies = [r for r in call.store.posts.values() if r.reply_to == post.id and visible(r)]
    return media_list(call, replies, newest_first=_reverse(call))


def conversation(call: Call, post: Post) -> Response:
    """``GET /{media}/conversation``: every reply below the post, flat (ref §6)."""
    call.need("threads_read_replies")
    below: list[Post] = []
    frontier = {post.id}
    while frontier:
        found = [r for r in call.store.posts.values() if r.reply_to in frontier and visible(r)]
        below.extend(found)
        frontier = {r.id for r in found}
    return media_list(call, below, newest_first=_reverse(call))


def pending_replies(call: Call, post: Post) -> Response:
    """``GET /{media}/pending_replies?approval_status=pending|ignored`` (ref §6)."""
    call.need("threads_read_replies")
    if post.owner != call.user.id:
        raise unsupported("GET", f"{post.id}/pending_replies")
    wanted = call.params.get("approval_status", "pending")
    if wanted not in ("pending", "ignored"):
        raise invalid("Param approval_status must be pending or ignored.")
    held = [
        r
        for r in call.store.posts.values()
        if r.root == post.id and r.approval == wanted and r.deleted_at is None
    ]
    return media_list(call, held, newest_first=_reverse(call))


def filtered(call: Call, match: Callable[[Post], bool]) -> list[Post]:
    return [
        p
        for p in call.store.posts.values()
        if visible(p) and p.parent is None and p.media_type != "REPOST_FACADE" and match(p)
    ]
