"""Canary token and secret must not reach a URL, a log line, a repr or an exception message."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import requests
import responses

from threadsync.api import (
    API,
    Configuration,
    Credentials,
    PublishOutcomeUnknown,
    RetryPolicy,
    Threads,
    ThreadsAccessTokenExpired,
    ThreadsAPIError,
    ThreadsConnectionError,
    ThreadsError,
)
from threadsync.api._redact import REDACTED, Redactor

from .support import APP_SECRET, ROOT, TOKEN, V1, FakeTime

SHORT = "SHORTcanaryTOKEN987654"
CANARIES = (TOKEN, APP_SECRET, SHORT)


def assert_no_canary(text: str) -> None:
    for canary in CANARIES:
        assert canary not in text


def test_canaries_never_leak(
    rsps: responses.RequestsMock,
    caplog: pytest.LogCaptureFixture,
    creds: Credentials,
    config: Configuration,
) -> None:
    caplog.set_level(logging.DEBUG, logger="threadsync.api")
    fake = FakeTime()
    api = API(creds, retry=RetryPolicy(jitter=0.0), sleep=fake.sleep, clock=fake.clock)
    raised: list[ThreadsError] = []

    # Reads, with one retry logged on the way.
    rsps.get(f"{V1}/me", json={"error": {"message": "busy", "code": 2}}, status=500)
    rsps.get(f"{V1}/me", json={"id": "1789"})
    api.account()
    # A create and a publish whose failures echo the secrets back.
    rsps.post(f"{V1}/1789/threads", json={"id": "11"})
    api.create_container("hi")
    echo = {"error": {"message": f"Invalid token {TOKEN}", "code": 190, "error_user_msg": TOKEN}}
    rsps.post(f"{V1}/1789/threads_publish", json=echo, status=400)
    rsps.post(f"{V1}/1789/threads_publish", body=requests.ConnectionError(f"lost {TOKEN}"))
    for _ in range(2):
        try:
            api.publish_container("c1")
        except ThreadsError as exc:
            raised.append(exc)
    rsps.get(f"{V1}/p9", body=requests.ConnectionError(f"dns {TOKEN}"))
    try:
        API(creds, retry=RetryPolicy(max_attempts=1)).container("p9")
    except ThreadsError as exc:
        raised.append(exc)
    # debug_token sends a token as a parameter.
    rsps.get(f"{V1}/debug_token", json={"data": {"is_valid": True}})
    api.debug_token(SHORT)
    # OAuth: the app secret and the short token travel on these.
    rsps.post(f"{ROOT}/oauth/access_token", json={"access_token": SHORT, "user_id": 1})
    rsps.get(f"{ROOT}/access_token", json={"access_token": TOKEN, "expires_in": 5184000})
    Threads.complete_authorization(
        "https://app.example/callback?code=CODEcanary123&state=s", "s", config=config
    )
    rsps.get(
        f"{ROOT}/refresh_access_token",
        json={"error": {"message": f"cannot refresh {TOKEN}", "code": 190}},
        status=400,
    )
    try:
        Threads.refresh_long_lived_token(creds)
    except ThreadsError as exc:
        raised.append(exc)

    assert [type(e).__name__ for e in raised] == [
        "InvalidAccessToken",
        "PublishOutcomeUnknown",
        "ThreadsConnectionError",
        "InvalidAccessToken",
    ]
    assert isinstance(raised[1], PublishOutcomeUnknown)
    assert isinstance(raised[2], ThreadsConnectionError)
    for exc in raised:
        assert_no_canary(str(exc))
        assert_no_canary(repr(exc))
        if isinstance(exc, ThreadsAPIError):
            assert_no_canary(repr(exc.body))
            assert_no_canary(str(exc.error_user_msg))
        assert REDACTED in str(exc)
    for call in rsps.calls:
        assert_no_canary(call.request.url)
    for record in caplog.records:
        assert_no_canary(record.getMessage())
    assert_no_canary(caplog.text)
    assert "CODEcanary123" not in caplog.text
    debug_lines = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any("client_secret" in line and REDACTED in line for line in debug_lines)
    assert any("input_token" in line for line in debug_lines)
    assert any("retrying GET" in r.getMessage() for r in caplog.records)
    for obj in (creds, config, api):
        assert_no_canary(repr(obj))
        assert_no_canary(str(obj))


def test_redactor_patterns() -> None:
    red = Redactor([TOKEN, None, "short"])
    assert red.text(f"x {TOKEN} y") == f"x {REDACTED} y"
    assert red.text("short stays") == "short stays"  # too short to be a secret
    assert red.text("?access_token=abc&client_secret=def") == (
        f"?access_token={REDACTED}&client_secret={REDACTED}"
    )
    assert red.text("Authorization: Bearer abc.def") == f"Authorization: Bearer {REDACTED}"
    assert red.params({"code": "c", "q": TOKEN}) == {"code": REDACTED, "q": REDACTED}
    body = {"error": {"code": 190, "access_token": "zzz"}, "list": [TOKEN]}
    assert red.data(body) == {"error": {"code": 190, "access_token": REDACTED}, "list": [REDACTED]}


def test_expired_credentials_message_has_no_token(rsps: responses.RequestsMock) -> None:
    creds = Credentials.from_token(
        TOKEN, expiration=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    )
    with pytest.raises(ThreadsAccessTokenExpired) as info:
        API(creds).account()
    assert len(rsps.calls) == 0  # refused before any request
    assert_no_canary(str(info.value))


@pytest.mark.parametrize(
    "body",
    [
        {
            "error": {
                "message": TOKEN,
                "type": TOKEN,
                "code": 100,
                "error_subcode": 33,
                "error_user_title": TOKEN,
                "error_user_msg": TOKEN,
                "fbtrace_id": TOKEN,
            }
        },
        {"error_type": TOKEN, "code": 190, "error_message": TOKEN},
        {"error": TOKEN, "error_description": TOKEN},
    ],
)
def test_an_error_echoing_the_token_in_every_field_keeps_none_of_it(
    rsps: responses.RequestsMock, creds: Credentials, body: dict[str, object]
) -> None:
    rsps.get(f"{V1}/me", json=body, status=400)
    with pytest.raises(ThreadsAPIError) as info:
        API(creds, retry=RetryPolicy(max_attempts=1)).account()
    exc = info.value
    assert_no_canary(str(exc))
    assert_no_canary(repr(exc.body))
    for name in ("message", "error_type", "fbtrace_id", "error_user_title", "error_user_msg"):
        assert_no_canary(str(getattr(exc, name)))


def test_a_data_response_echoing_the_token_keeps_none_of_it_and_nothing_else_changes(
    rsps: responses.RequestsMock, creds: Credentials
) -> None:
    status = {"id": "c1", "status": "ERROR", "error_message": f"bad {TOKEN}", "note": "code=42"}
    rsps.get(f"{V1}/c1", json=status)
    body = API(creds).container("c1")
    assert body == {**status, "error_message": f"bad {REDACTED}"}  # no pattern applied
