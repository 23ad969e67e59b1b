"""Writes: containers, publishing, delete, repost, reply moderation (ref §3, §6, §7)."""

from __future__ import annotations

import re

from . import limits
from .call import Call
from .clock import parse_duration
from .model import Container, Post
from .params import parse_bool
from .render import container_status, visible
from .rules import Spec, validate_create
from .wire import (
    SUB_ALREADY_PUBLISHED,
    SUB_CAROUSEL,
    SUB_CHILD_NOT_READY,
    SUB_TARGET,
    Response,
    invalid,
    json_response,
    media_not_found,
    no_permission,
    unsupported,
)

# The processing markers, read from image_url / video_url (documented in __init__.py).
_ERROR_MARKER = re.compile(r"emulator-error=([A-Za-z_]+)")
_DELAY_MARKER = re.compile(r"emulator-processing=([0-9.]+(?:ms|s|m|h)?)")
_RESULT_TYPES = {
    "TEXT": "TEXT_POST",
    "IMAGE": "IMAGE",
    "VIDEO": "VIDEO",
    "CAROUSEL": "CAROUSEL_ALBUM",
}


def live_post(call: Call, media_id: str) -> Post | None:
    post = call.store.posts.get(media_id)
    if post is None or not visible(post) or post.parent is not None:
        return None
    return post


def _processing(call: Call, spec: Spec) -> tuple[float, str | None]:
    """Seconds of IN_PROGRESS, and the error it ends in (ref §3 "Container status")."""
    kind = {"TEXT": "text", "IMAGE": "image", "VIDEO": "video", "CAROUSEL": "carousel"}.get(
        spec.media_type
    )
    delay = call.store.processing.get(kind, 0.0) if kind else 0.0
    url = spec.media_url or ""
    marker = _DELAY_MARKER.search(url)
    if marker:
        delay = parse_duration(marker.group(1))
    error = _ERROR_MARKER.search(url)
    return delay, (error.group(1).upper() if error else None)


def _check_targets(call: Call, spec: Spec) -> None:
    params = call.params
    if "location_id" in params:  # ref §3 "location_id": needs threads_location_tagging
        call.need("threads_location_tagging")
        if params["location_id"] not in call.store.locations:
            raise invalid("location_id does not name a location.", subcode=SUB_TARGET)
    if "quote_post_id" in params and live_post(call, params["quote_post_id"]) is None:
        raise invalid("quote_post_id does not name a post.", subcode=SUB_TARGET)
    if "reply_to_id" in params:
        target = live_post(call, params["reply_to_id"])
        if target is None or target.media_type == "REPOST_FACADE":
            raise invalid("reply_to_id does not name a post.", subcode=SUB_TARGET)
        root = call.store.posts[target.root or target.id]
        # ref §3 "Reply creation": own root post, or keyword_search / manage_mentions
        scopes = call.token.scopes
        if root.owner != call.user.id and not (
            "threads_keyword_search" in scopes or "threads_manage_mentions" in scopes
        ):
            raise no_permission()
    for child_id in spec.children:  # ref §3 "Carousel": FINISHED carousel items of this user
        child = call.store.containers.get(child_id)
        if child is None or child.owner != call.user.id or not child.is_carousel_item:
            raise invalid(f"{child_id} is not a carousel item of this user.", subcode=SUB_CAROUSEL)
        status, _ = container_status(call.store, child)
        if status != "FINISHED":
            raise invalid(
                f"Carousel item {child_id} is {status}, not FINISHED.",
                title="Media Not Ready",
                subcode=SUB_CHILD_NOT_READY,
            )


def create_container(call: Call) -> Response:
    """``POST /{user}/threads`` (ref §3)."""
    call.need("threads_content_publish")
    spec = validate_create(call.params, call.user)
    _check_targets(call, spec)
    delay, error = _processing(call, spec)
    now = call.now
    container = Container(
        id=call.store.next_id("container"),
        owner=call.user.id,
        created_at=now,
        media_type=spec.media_type,
        params={k: v for k, v in call.params.items() if k != "access_token"},
        ready_at=now + delay,
        error=error,
        is_carousel_item=spec.flag("is_carousel_item"),
        children=spec.children,
    )
    call.store.containers[container.id] = container
    if spec.flag("auto_publish_text"):  # ref §3: publishes at creation; the id is the post's
        return json_response({"id": _publish(call, container).id})
    return json_response({"id": container.id})


def publish(call: Call) -> Response:
    """``POST /{user}/threads_publish?creation_id=`` (ref §3)."""
    call.need("threads_content_publish")
    creation_id = call.params.get("creation_id", "")
    if not creation_id:
        raise invalid("Param creation_id is required.")
    container = call.store.containers.get(creation_id)
    if container is None or container.owner != call.user.id:
        raise media_not_found(creation_id)
    status, _ = container_status(call.store, container)
    if status == "PUBLISHED":  # never a second post (ref §10: the real answer is UNVERIFIED)
        raise invalid(
            f"The container {creation_id} is already published.",
            title="Media Already Published",
            subcode=SUB_ALREADY_PUBLISHED,
        )
    if status != "FINISHED":  # ref §3 "Observed race": 24 / 4279009
        raise media_not_found(creation_id)
    if container.is_carousel_item:
        raise invalid("A carousel item is published through its carousel.", subcode=SUB_CAROUSEL)
    return json_response({"id": _publish(call, container).id})


def _publish(call: Call, c: Container) -> Post:
    store, now = call.store, call.now
    target = live_post(call, c.params["reply_to_id"]) if "reply_to_id" in c.params else None
    if "reply_to_id" in c.params and target is None:
        raise invalid("reply_to_id no longer names a post.", subcode=SUB_TARGET)
    limits.check(call, "reply" if target else "post")  # ref §3: the limit is enforced here
    children = [store.containers[cid] for cid in c.children]
    for child in children:
        if container_status(store, child)[0] != "FINISHED":
            raise media_not_found(child.id)
    post = Post(
        id=store.next_id("media"),
        owner=c.owner,
        created_at=now,
        media_type=_RESULT_TYPES[c.media_type],
        params=dict(c.params),
        container_id=c.id,
        quote_of=c.params.get("quote_post_id"),
        ghost=c.params.get("is_ghost_post", "").lower() in ("true", "1"),
    )
    if target is not None:  # a reply's container always publishes as a reply (peer §5)
        post.reply_to = target.id
        post.root = target.root or target.id
        root = store.posts[post.root]
        if _truthy(root.params.get("enable_reply_approvals")) and root.owner != post.owner:
            post.approval = "pending"
    for child in children:
        media = Post(
            id=store.next_id("media"),
            owner=c.owner,
            created_at=now,
            media_type=_RESULT_TYPES[child.media_type],
            params=dict(child.params),
            container_id=child.id,
            parent=post.id,
        )
        store.posts[media.id] = media
        post.children.append(media.id)
        child.published_at, child.published_post = now, media.id
    store.posts[post.id] = post
    c.published_at, c.published_post = now, post.id
    store.count_quota(post.owner, "reply" if target else "post")
    return post


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("true", "1")


def delete(call: Call, post: Post) -> Response:
    """``DELETE /{media}`` (ref §7 "Delete": own posts, 100 a day)."""
    call.need("threads_delete")
    if post.owner != call.user.id:
        raise no_permission()
    limits.check(call, "delete")
    post.deleted_at = call.now
    call.store.count_quota(call.user.id, "delete")
    return json_response({"success": True, "deleted_id": post.id})


def repost(call: Call, post: Post) -> Response:
    """``POST /{media}/repost`` (ref §7 "Repost": read back as REPOST_FACADE)."""
    call.need("threads_content_publish")
    if post.media_type == "REPOST_FACADE":
        raise unsupported("POST", post.id)
    for other in call.store.posts.values():
        if other.reposted == post.id and other.owner == call.user.id and other.deleted_at is None:
            raise invalid(f"The post {post.id} is already reposted.", subcode=SUB_TARGET)
    facade = Post(
        id=call.store.next_id("media"),
        owner=call.user.id,
        created_at=call.now,
        media_type="REPOST_FACADE",
        reposted=post.id,
    )
    call.store.posts[facade.id] = facade
    return json_response({"id": facade.id})


def _root_owner_only(call: Call, post: Post) -> Post:
    if post.reply_to is None or post.root is None:
        raise invalid(f"{post.id} is not a reply.")
    root = call.store.posts[post.root]
    if root.owner != call.user.id:
        raise no_permission()
    return root


def manage_reply(call: Call, post: Post) -> Response:
    """``POST /{reply}/manage_reply?hide=`` (ref §6 "Hide a reply": top-level replies only)."""
    call.need("threads_manage_replies")
    hide = parse_bool(call.params, "hide")
    if hide is None:
        raise invalid("Param hide is required.")
    _root_owner_only(call, post)
    if post.reply_to != post.root:
        raise invalid("Only top-level replies can be hidden.")
    post.hide_status = "HIDDEN" if hide else "UNHUSHED"
    call.store.dirty = True
    return json_response({"success": True})


def manage_pending_reply(call: Call, reply_id: str) -> Response:
    """``POST /{reply}/manage_pending_reply?approve=`` (ref §6 "Reply approvals")."""
    call.need("threads_manage_replies")
    post = call.store.posts.get(reply_id)
    if post is None or post.deleted_at is not None or post.approval not in ("pending", "ignored"):
        raise unsupported("POST", reply_id)
    approve = parse_bool(call.params, "approve")
    if approve is None:
        raise invalid("Param approve is required.")
    _root_owner_only(call, post)
    post.approval = "approved" if approve else "ignored"
    call.store.dirty = True
    return json_response({"success": True})
