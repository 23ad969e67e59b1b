"""What goes back on the wire: responses and the Graph error envelope.

Error bodies follow ref §5 "Envelope": ``{"error": {"message", "type", "code",
"error_subcode", "is_transient", "error_user_title", "error_user_msg",
"fbtrace_id"}}``.  Every error the emulator raises itself (not a fault rule) carries an
``error_subcode``: the reference's value where it documents one, otherwise one
of the emulator's own ``SUB_*`` values below (Meta's are UNVERIFIED).
"""

from __future__ import annotations

import json
import secrets
import string
from dataclasses import dataclass, field
from typing import Any

# Emulator-chosen subcodes for rules whose real subcode the reference does not give.
SUB_INVALID_PARAMETER = 4279900  # a create parameter is malformed or not allowed here
SUB_TEXT_TOO_LONG = 4279901  # text over 500 characters (ref §3)
SUB_LINK_LIMIT = 4279902  # more than 5 unique links (ref §3 "Link limit")
SUB_CAROUSEL = 4279903  # carousel children count or kind (ref §3 "Carousel")
SUB_CHILD_NOT_READY = 4279004  # a carousel child not FINISHED (other clients name it; Meta doesn't)
SUB_POLL = 4279905  # poll_attachment (ref §3)
SUB_TEXT_ONLY = 4279906  # an attachment allowed on TEXT posts only
SUB_TOPIC_TAG = 4279907  # topic_tag (ref §3 "Topic tags")
SUB_TARGET = 4279908  # reply_to_id / quote_post_id / location_id that does not exist
SUB_GEO = 4279909  # allowlisted_country_codes (ref §3, THREADS_API__GEO_GATING_*)
SUB_ALREADY_PUBLISHED = 4279910  # creation_id already published (ref §10: UNVERIFIED)
SUB_QUOTA_POSTS = 4279911  # 250 posts / 24 h (ref §4: the real error is UNVERIFIED)
SUB_QUOTA_REPLIES = 4279912  # 1000 replies / 24 h
SUB_QUOTA_DELETES = 4279913  # 100 deletes / 24 h
SUB_REFRESH = 4279914  # refresh of a short-lived or too-young token (ref §2: UNVERIFIED)
SUB_PAGING = 4279915  # bad limit / cursor / since / until
SUB_INSIGHTS = 4279916  # bad metric / breakdown / period

CODE_QUOTA = 9  # emulator's choice for an exhausted daily quota (ref §4: UNVERIFIED)

_ALPHABET = string.ascii_letters + string.digits


def fbtrace_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(11))


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_response(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    merged = {"Content-Type": "application/json; charset=UTF-8"}
    merged.update(headers or {})
    return Response(status, body, merged)


class GraphError(Exception):
    """An error answered in the Graph envelope (HTTP 400 unless said otherwise)."""

    def __init__(
        self,
        message: str,
        *,
        code: int,
        subcode: int | None = None,
        type_: str = "OAuthException",
        status: int = 400,
        transient: bool = False,
        user_title: str | None = None,
        user_msg: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.subcode = subcode
        self.type = type_
        self.status = status
        self.transient = transient
        self.user_title = user_title
        self.user_msg = user_msg
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {"message": self.message, "type": self.type, "code": self.code}
        if self.subcode is not None:
            err["error_subcode"] = self.subcode
        err["is_transient"] = self.transient
        if self.user_title is not None:
            err["error_user_title"] = self.user_title
        if self.user_msg is not None:
            err["error_user_msg"] = self.user_msg
        err["fbtrace_id"] = fbtrace_id()
        return {"error": err}

    def response(self) -> Response:
        return json_response(self.body(), self.status, self.headers)


class OAuthCodeError(Exception):
    """The code exchange's own error shape (ref §2 "Code → short-lived token")."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def response(self) -> Response:
        body = {"error_type": "OAuthException", "code": 400, "error_message": self.message}
        return json_response(body, 400)


def invalid(
    user_msg: str, *, title: str = "Invalid Parameter", subcode: int = SUB_INVALID_PARAMETER
) -> GraphError:
    """Code 100 "Invalid parameter" with the specific rule in the user fields."""
    return GraphError(
        "Invalid parameter", code=100, subcode=subcode, user_title=title, user_msg=user_msg
    )


def unsupported(method: str, obj_id: str) -> GraphError:
    """Unknown or unreadable object: 100/33, type THApiException (ref §5)."""
    return GraphError(
        f"Unsupported {method.lower()} request. Object with ID '{obj_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation",
        code=100,
        subcode=33,
        type_="THApiException",
    )


def media_not_found(container_id: str) -> GraphError:
    """Publish of a container that is missing or not ready: 24/4279009 (ref §3 "Observed race")."""
    return GraphError(
        "The requested resource does not exist",
        code=24,
        subcode=4279009,
        user_title="Media Not Found",
        user_msg=f"The media with id {container_id} cannot be found.",
    )


def no_permission(subcode: int = 10) -> GraphError:
    """Code 10 (ref §5); the emulator uses subcode 10 when no finer one is known."""
    return GraphError(
        "Application does not have permission for this action", code=10, subcode=subcode
    )


def nonexisting_field(name: str, node: str) -> GraphError:
    return GraphError(
        f"(#100) Tried accessing nonexisting field ({name}) on node type ({node})",
        code=100,
        subcode=SUB_INVALID_PARAMETER,
    )


def quota_exceeded(what: str, total: int, subcode: int) -> GraphError:
    return GraphError(
        "Application request limit reached",
        code=CODE_QUOTA,
        subcode=subcode,
        user_title="Limit Reached",
        user_msg=f"The profile has reached its limit of {total} {what} in 24 hours.",
    )
