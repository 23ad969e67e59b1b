"""Every exception the client raises, and the one function that picks the class.

All of them derive from :class:`ThreadsError`; pythreads' names keep their
pythreads bases (``RuntimeError``, ``ValueError``) so code written for it still
catches them::

    ThreadsError
    ├── ThreadsInvalidParameter (ValueError)      refused before sending: a bad argument
    ├── ThreadsConfigurationError (ValueError)    app id, secret or redirect URI missing
    ├── ThreadsAccessTokenExpired (RuntimeError)  the credentials' expiry has passed
    ├── ThreadsClientClosed (RuntimeError)        the API client was used after close()
    ├── ThreadsAuthenticationError (RuntimeError) the OAuth flow went wrong
    │   └── OAuth2Error                           the callback carried error=... or no code
    │       └── OAuthStateMismatch                the callback's state is not the one issued
    ├── ThreadsTransportError                     no HTTP response at all (retryable)
    │   ├── ThreadsConnectionError
    │   └── ThreadsTimeoutError
    ├── ThreadsResponseError                      a response we cannot use (not JSON, no id)
    │   ├── UnexpectedId                          an id that is not a digit string
    │   └── ThreadsAPIError                       an HTTP error status or a Graph error body
    │       ├── InvalidAccessToken                code 190; also a ThreadsAccessTokenExpired
    │       ├── PermissionDenied                  code 10, 200-299
    │       ├── RateLimited                       codes 4, 17, 32, 613 or HTTP 429; .retry_after
    │       ├── MediaNotReady                     code 24 / subcode 4279009 (publish too early)
    │       ├── NotFound                          code 100 / subcode 33, or HTTP 404: no such
    │       │                                     object (or one this token can't read)
    │       ├── QuotaExceeded                     code 9: the 24 h publishing quota is used up
    │       └── ThreadsServerError                HTTP 5xx
    ├── PublishOutcomeUnknown                     threads_publish failed ambiguously: read
    │                                             the container's status before retrying
    └── ContainerError                            wait_until_finished gave up
        ├── ContainerFailed                       status ERROR; .error_message is Meta's text
        ├── ContainerExpired                      status EXPIRED (not published within 24 h)
        └── ContainerWaitTimeout                  not FINISHED by the deadline

:func:`error_from_response` maps an HTTP status and body to a class. Messages
never hold the token or app secret: the transport passes a redactor.
Codes: https://developers.facebook.com/docs/graph-api/guides/error-handling
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from threadsync.api._redact import Redactor

if TYPE_CHECKING:
    from threadsync.api.types import ContainerStatus

RATE_LIMIT_CODES = frozenset({4, 17, 32, 613})
TRANSIENT_CODES = frozenset({1, 2})  # Graph: "unknown" and "service unavailable"; retry
TOKEN_CODES = frozenset({190})
MEDIA_NOT_READY_SUBCODES = frozenset({4279009, 4279004})  # container, carousel child
# Threads does not document its quota error; code 9 ("Application request limit
# reached") is the Graph code for it, and what the emulator answers.
QUOTA_CODES = frozenset({9})
NOT_FOUND_CODE = 100  # with subcode 33 (ref §5), or none: "Object ... does not exist"
NOT_FOUND_SUBCODES = frozenset({33, None})
_SNIPPET = 200


class ThreadsError(Exception):
    """Base of every exception of ``threadsync.api``."""

    @property
    def retryable(self) -> bool:
        """Whether sending the same request again may succeed."""
        return False


class ThreadsInvalidParameter(ThreadsError, ValueError):
    """An argument the API would refuse; nothing was sent."""


class ThreadsConfigurationError(ThreadsError, ValueError):
    """OAuth needs an app id, app secret and redirect URI, and one is missing."""


class ThreadsAccessTokenExpired(ThreadsError, RuntimeError):
    """The access token has expired (or Meta says it is invalid): get a new one."""


class ThreadsClientClosed(ThreadsError, RuntimeError):
    """The API client was used after ``close()`` (or after its ``with`` block)."""


class ThreadsAuthenticationError(ThreadsError, RuntimeError):
    """The OAuth flow did not produce a token."""


class OAuth2Error(ThreadsAuthenticationError):
    """The authorization callback carried an error, or no usable code."""

    def __init__(self, message: str, *, error: str = "", description: str = "") -> None:
        super().__init__(message)
        self.error = error
        self.description = description


class OAuthStateMismatch(OAuth2Error):
    """The callback's ``state`` differs from the one issued: possible CSRF."""


class ThreadsTransportError(ThreadsError):
    """No HTTP response arrived: the request may or may not have reached Meta.

    ``base_url`` is the server that could not be reached, and ``cause`` the
    reason in a few words ("connection refused", "timed out"), when known.
    """

    def __init__(
        self, message: str, *, base_url: str | None = None, cause: str | None = None
    ) -> None:
        super().__init__(message)
        self.base_url = base_url
        self.cause = cause

    @property
    def retryable(self) -> bool:
        return True


class ThreadsConnectionError(ThreadsTransportError):
    """The connection failed or dropped."""


class ThreadsTimeoutError(ThreadsTransportError):
    """Connecting or reading took longer than the timeout."""


class ThreadsResponseError(ThreadsError):
    """A response the client cannot use. ``response``/``body`` hold its decoded JSON."""

    def __init__(self, message: str, *, body: Any = None, http_status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.body = body
        self.http_status = http_status

    @property
    def response(self) -> Any:
        """The decoded body, under pythreads' attribute name."""
        return self.body


class UnexpectedId(ThreadsResponseError):
    """A container, media or user id that is not a string of digits: never used, never stored.

    Every Threads id is one; anything else (``"../../x"``, ``"12\\n34"``) is
    a broken or hostile server, and ids end up in paths, URLs and the state file.
    """


class ThreadsAPIError(ThreadsResponseError):
    """Meta answered with an error: a Graph envelope, an OAuth error, or a bad status."""

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        code: int | None = None,
        error_subcode: int | None = None,
        error_type: str | None = None,
        is_transient: bool = False,
        fbtrace_id: str | None = None,
        error_user_title: str | None = None,
        error_user_msg: str | None = None,
        retry_after: float | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message, body=body, http_status=http_status)
        self.code = code
        self.error_subcode = error_subcode
        self.error_type = error_type
        self.is_transient = is_transient
        self.fbtrace_id = fbtrace_id
        self.error_user_title = error_user_title
        self.error_user_msg = error_user_msg
        self.retry_after = retry_after

    @property
    def user_message(self) -> str:
        """The text Meta meant for people, else the developer message."""
        return self.error_user_msg or self.message

    @property
    def retryable(self) -> bool:
        return self.is_transient or self.code in TRANSIENT_CODES

    @property
    def refusal(self) -> bool:
        """A definite 4xx refusal of the request itself: sending it again won't help.

        Not the token, the rate, permissions, the quota or an early publish,
        which have classes of their own and their own remedies.
        """
        if isinstance(self, InvalidAccessToken | RateLimited | PermissionDenied):
            return False
        if isinstance(self, MediaNotReady | QuotaExceeded):
            return False
        status = self.http_status or 0
        return 400 <= status < 500 and not self.is_transient

    def __str__(self) -> str:
        details = []
        if self.http_status is not None:
            details.append(f"HTTP {self.http_status}")
        if self.code is not None:
            sub = f"/{self.error_subcode}" if self.error_subcode is not None else ""
            details.append(f"code {self.code}{sub}")
        if self.error_type:
            details.append(self.error_type)
        if self.fbtrace_id:
            details.append(f"fbtrace_id {self.fbtrace_id}")
        text = self.message
        user = ": ".join(p for p in (self.error_user_title, self.error_user_msg) if p)
        if user and user not in text:
            text = f"{text} ({user})"
        return f"{text} [{', '.join(details)}]" if details else text


class InvalidAccessToken(ThreadsAPIError, ThreadsAccessTokenExpired):
    """Code 190: the token is expired, revoked or malformed. Log in again or refresh."""


class PermissionDenied(ThreadsAPIError):
    """Codes 10 and 200-299: a scope or an access tier is missing."""


class RateLimited(ThreadsAPIError):
    """Too many calls. ``retry_after`` holds the server's hint in seconds, if it gave one."""

    @property
    def retryable(self) -> bool:
        return True


class MediaNotReady(ThreadsAPIError):
    """Publishing a container Meta has not finished with (24/4279009). Wait, then retry."""


class NotFound(ThreadsAPIError):
    """The object does not exist, or this token can't read it (Graph code 100/33, HTTP 404).

    Meta answers this for a deleted post, an unknown id, and the status of
    some published containers.
    """


class QuotaExceeded(ThreadsAPIError):
    """The 24 h publishing quota is used up: what is left waits for the window to roll on."""


class ThreadsServerError(ThreadsAPIError):
    """HTTP 5xx from Meta."""

    @property
    def retryable(self) -> bool:
        return True


class PublishOutcomeUnknown(ThreadsError):
    """``threads_publish`` failed in a way that may still have published.

    The connection dropped, the read timed out, or Meta answered 5xx. Sending
    the publish again could post twice, so read the container first:
    ``api.container_status(err.container_id)`` reading PUBLISHED means it went out.
    """

    def __init__(self, message: str, *, container_id: str | None) -> None:
        super().__init__(message)
        self.container_id = container_id


class ContainerError(ThreadsError):
    """A container did not become publishable."""

    def __init__(self, message: str, *, status: ContainerStatus | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.container_id = status.id if status is not None else None


class ContainerFailed(ContainerError):
    """Status ERROR. ``error_message`` is Meta's text, kept even when not a known code."""

    @property
    def error_message(self) -> str | None:
        return self.status.error_message if self.status is not None else None


class ContainerExpired(ContainerError):
    """Status EXPIRED: not published within 24 h of creation. Create it again."""


class ContainerWaitTimeout(ContainerError):
    """The container was still not FINISHED when the wait's deadline passed."""


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def _as_str(value: object) -> str | None:
    return None if value is None else str(value)


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """``Retry-After`` in seconds; the HTTP-date form is ignored."""
    raw = (headers or {}).get("Retry-After")
    if raw is None:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        return None
    return max(seconds, 0.0)


def error_from_response(
    http_status: int,
    body: Any,
    *,
    text: str = "",
    headers: Mapping[str, str] | None = None,
    redactor: Redactor | None = None,
) -> ThreadsAPIError:
    """Build the exception for an error response; ``body`` is None when not JSON."""
    red = redactor or Redactor()
    fields: dict[str, Any] = {}
    if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
        err = body["error"]  # the Graph envelope
        fields = {
            "message": err.get("message"),
            "code": _as_int(err.get("code")),
            "error_subcode": _as_int(err.get("error_subcode")),
            "error_type": _as_str(err.get("type")),
            "is_transient": err.get("is_transient") is True,
            "fbtrace_id": _as_str(err.get("fbtrace_id")),
            "error_user_title": _as_str(err.get("error_user_title")),
            "error_user_msg": _as_str(err.get("error_user_msg")),
        }
    elif isinstance(body, Mapping) and ("error_message" in body or "error_type" in body):
        fields = {  # OAuth endpoints: {"error_type", "code", "error_message"}
            "message": body.get("error_message"),
            "code": _as_int(body.get("code")),
            "error_type": _as_str(body.get("error_type")),
        }
    elif isinstance(body, Mapping) and isinstance(body.get("error"), str):
        fields = {  # RFC 6749 style: {"error", "error_description"}
            "message": body.get("error_description") or body["error"],
            "error_type": body["error"],
        }
    elif body is None:
        snippet = " ".join(text.split())[:_SNIPPET]
        fields = {"message": f"HTTP {http_status} with a body that is not JSON: {snippet!r}"}
    if not fields.get("message"):
        fields["message"] = f"HTTP {http_status} error"
    for key, value in fields.items():  # every text field: a server may echo the token anywhere
        if isinstance(value, str):
            fields[key] = red.text(value)
    retry_after = parse_retry_after(headers)
    code, subcode = fields.get("code"), fields.get("error_subcode")
    cls: type[ThreadsAPIError]
    if code in TOKEN_CODES:
        cls = InvalidAccessToken
    elif code in RATE_LIMIT_CODES or http_status == 429:
        cls = RateLimited
    elif subcode in MEDIA_NOT_READY_SUBCODES:
        cls = MediaNotReady
    elif code in QUOTA_CODES:
        cls = QuotaExceeded
    elif code == 10 or (isinstance(code, int) and 200 <= code <= 299):
        cls = PermissionDenied
    elif http_status >= 500:
        cls = ThreadsServerError
    elif (code == NOT_FOUND_CODE and subcode in NOT_FOUND_SUBCODES) or http_status == 404:
        cls = NotFound
    else:
        cls = ThreadsAPIError
    message = fields.pop("message")
    return cls(
        message,
        http_status=http_status,
        retry_after=retry_after,
        body=red.data(body),
        **fields,
    )
