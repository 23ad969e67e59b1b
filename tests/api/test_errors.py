"""Error mapping: one function picks the class from status and body."""

from __future__ import annotations

import pytest
import responses

from threadsync.api import (
    API,
    InvalidAccessToken,
    MediaNotReady,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    RateLimited,
    ThreadsAccessTokenExpired,
    ThreadsAPIError,
    ThreadsResponseError,
    ThreadsServerError,
    error_from_response,
)
from threadsync.api.errors import ContainerFailed
from threadsync.api.types import ContainerStatus, PublishingStatus

from .support import V1


def envelope(code: int, subcode: int | None = None, **extra: object) -> dict[str, object]:
    error: dict[str, object] = {"message": f"error {code}", "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error.update(extra)
    return {"error": error}


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (400, envelope(190), InvalidAccessToken),
        (401, envelope(190, 463), InvalidAccessToken),
        (400, envelope(4), RateLimited),
        (400, envelope(17), RateLimited),
        (400, envelope(32), RateLimited),
        (400, envelope(613), RateLimited),
        (429, {"error": {"message": "slow"}}, RateLimited),
        (400, envelope(24, 4279009), MediaNotReady),
        (400, envelope(10, 4279067), PermissionDenied),
        (403, envelope(200), PermissionDenied),
        (400, envelope(299), PermissionDenied),
        (500, envelope(1), ThreadsServerError),
        (503, None, ThreadsServerError),
        (400, envelope(100, 33), NotFound),
        (400, envelope(100), NotFound),
        (404, {"error": {"message": "no such thing"}}, NotFound),
        (400, envelope(100, 2207001), ThreadsAPIError),  # invalid parameter, not a missing object
        (400, envelope(9), QuotaExceeded),
        (400, envelope(24), ThreadsAPIError),
    ],
)
def test_mapping_picks_the_class(status: int, body: object, cls: type[ThreadsAPIError]) -> None:
    err = error_from_response(status, body, text="<html>oops</html>")
    assert type(err) is cls
    assert err.http_status == status


def test_envelope_fields_are_kept() -> None:
    body = envelope(
        24,
        4279009,
        is_transient=False,
        fbtrace_id="AbC123",
        error_user_title="Media Not Found",
        error_user_msg="The media with id 99 cannot be found.",
    )
    err = error_from_response(400, body)
    assert isinstance(err, MediaNotReady)
    assert (err.code, err.error_subcode, err.error_type) == (24, 4279009, "OAuthException")
    assert (err.is_transient, err.fbtrace_id) == (False, "AbC123")
    assert err.error_user_title == "Media Not Found"
    assert err.user_message == "The media with id 99 cannot be found."
    assert err.body == body and err.response == body
    text = str(err)
    for part in ("error 24", "HTTP 400", "code 24/4279009", "fbtrace_id AbC123", "Media Not Found"):
        assert part in text


def test_oauth_error_shape() -> None:
    body = {
        "error_type": "OAuthException",
        "code": 400,
        "error_message": "Matching code was not found or was already used",
    }
    err = error_from_response(400, body)
    assert type(err) is ThreadsAPIError
    assert err.message == "Matching code was not found or was already used"
    assert (err.code, err.error_type) == (400, "OAuthException")


def test_rfc_oauth_shape_and_empty_body() -> None:
    err = error_from_response(400, {"error": "invalid_request", "error_description": "bad"})
    assert err.message == "bad" and err.error_type == "invalid_request"
    assert error_from_response(418, {}).message == "HTTP 418 error"


def test_token_error_is_also_token_expired() -> None:
    err = error_from_response(400, envelope(190))
    assert isinstance(err, ThreadsAccessTokenExpired)
    assert isinstance(err, RuntimeError)
    assert isinstance(err, ThreadsResponseError)


def test_retryable_flags() -> None:
    assert error_from_response(400, envelope(4)).retryable
    assert error_from_response(500, envelope(100)).retryable
    assert error_from_response(400, envelope(2)).retryable
    assert error_from_response(400, envelope(100, is_transient=True)).retryable
    assert not error_from_response(400, envelope(100)).retryable
    assert not error_from_response(400, envelope(24, 4279009)).retryable


def test_retry_after_header() -> None:
    err = error_from_response(429, None, headers={"Retry-After": "12"})
    assert isinstance(err, RateLimited) and err.retry_after == 12.0
    no_hint = error_from_response(429, None, headers={"Retry-After": "Wed, 21 Oct 2015"})
    assert no_hint.retry_after is None


def test_string_codes_do_not_break_mapping() -> None:
    body = {"error": {"message": "THREADS_API__LINK_LIMIT_EXCEEDED", "code": "x"}}
    err = error_from_response(400, body)
    assert type(err) is ThreadsAPIError and err.code is None
    assert "THREADS_API__LINK_LIMIT_EXCEEDED" in str(err)


def test_container_failed_carries_error_message() -> None:
    status = ContainerStatus("c1", PublishingStatus.ERROR, None, "free text")
    err = ContainerFailed("failed", status=status)
    assert (err.container_id, err.error_message) == ("c1", "free text")


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (400, envelope(190, 460), InvalidAccessToken),
        (400, envelope(10), PermissionDenied),
        (400, envelope(613), RateLimited),
        (400, envelope(24, 4279009), MediaNotReady),
        (502, None, ThreadsServerError),
    ],
)
def test_client_raises_mapped_errors(
    rsps: responses.RequestsMock,
    api: API,
    status: int,
    body: object,
    cls: type[ThreadsAPIError],
) -> None:
    url = f"{V1}/r1/manage_reply"
    if body is None:
        rsps.post(url, body="<html>bad gateway</html>", status=status)
    else:
        rsps.post(url, json=body, status=status)
    with pytest.raises(cls):
        api.manage_reply("r1", hide=True)


@pytest.mark.parametrize(
    ("status", "body", "refusal"),
    [
        (400, envelope(100, 2207001), True),  # an invalid parameter: the post itself
        (400, envelope(100, 33), True),  # the object it names is gone
        (400, envelope(190), False),
        (400, envelope(4), False),
        (400, envelope(10), False),
        (400, envelope(24, 4279009), False),
        (400, envelope(9), False),
        (500, envelope(1), False),
        (400, envelope(100, is_transient=True), False),
    ],
)
def test_a_refusal_is_a_4xx_about_the_request_itself(
    status: int, body: object, refusal: bool
) -> None:
    """Apply marks a post failed on a refusal; every other error has a remedy of its own."""
    assert error_from_response(status, body).refusal is refusal
