"""The transport: encoding, headers, timeouts, retries with recorded sleeps, error bodies."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import requests
import responses

from threadsync.api import (
    API,
    Credentials,
    RateLimited,
    RetryPolicy,
    ThreadsAPIError,
    ThreadsConnectionError,
    ThreadsInvalidParameter,
    ThreadsResponseError,
    ThreadsServerError,
    ThreadsTimeoutError,
)
from threadsync.api.retry import PollSchedule
from threadsync.api.transport import encode_params, encode_value

from .support import TOKEN, V1, FakeTime, assert_authorized, form, query

ME = f"{V1}/1789"
ERROR_500 = {"error": {"message": "boom", "type": "OAuthException", "code": 2}}


def test_encoding_rules() -> None:
    when = dt.datetime(2024, 7, 1, tzinfo=dt.timezone.utc)
    assert encode_params(
        {
            "yes": True,
            "no": False,
            "skip": None,
            "n": 3,
            "ids": ["1", "2"],
            "obj": {"option_a": "é"},
            "objs": [{"offset": 0, "length": 2}],
            "when": when,
            "day": dt.date(2024, 7, 1),
        }
    ) == {
        "yes": "true",
        "no": "false",
        "n": "3",
        "ids": "1,2",
        "obj": '{"option_a":"é"}',
        "objs": '[{"offset":0,"length":2}]',
        "when": str(int(when.timestamp())),
        "day": "2024-07-01",
    }
    with pytest.raises(ThreadsInvalidParameter, match="object"):
        encode_value(object())


def test_get_sends_bearer_query_timeout_and_user_agent(
    rsps: responses.RequestsMock, api: API
) -> None:
    rsps.get(ME, json={"id": "1789"})
    api.account("1789")
    call = rsps.calls[0]
    assert_authorized(call)
    assert call.request.headers["User-Agent"].startswith("threadsync/")
    assert "fields" in query(call)
    assert call.request.req_kwargs["timeout"] == (10.0, 30.0)


def test_timeout_is_configurable(rsps: responses.RequestsMock, creds: Credentials) -> None:
    rsps.get(f"{V1}/me", json={"id": "1"})
    rsps.get(f"{V1}/me", json={"id": "1"})
    API(creds, timeout=(2.0, 7.5)).account()
    API(creds, timeout=4).account()
    assert rsps.calls[0].request.req_kwargs["timeout"] == (2.0, 7.5)
    assert rsps.calls[1].request.req_kwargs["timeout"] == (4.0, 4.0)


def test_secret_parameters_of_a_get_go_in_the_body(rsps: responses.RequestsMock, api: API) -> None:
    rsps.get(f"{V1}/me", json={"id": "1"})
    api.transport.request("GET", "me", params={"client_secret": TOKEN, "fields": "id"})
    call = rsps.calls[0]
    assert query(call) == {"fields": "id"}
    assert form(call) == {"client_secret": TOKEN}
    assert_authorized(call)


def test_get_retries_5xx_with_exponential_backoff(
    rsps: responses.RequestsMock, api: API, fake_time: FakeTime
) -> None:
    for _ in range(3):
        rsps.get(ME, json=ERROR_500, status=500)
    rsps.get(ME, json={"id": "1789"})
    assert api.account("1789") == {"id": "1789"}
    assert len(rsps.calls) == 4
    assert fake_time.sleeps == [0.5, 1.0, 2.0]


def test_get_retry_count_is_bounded(
    rsps: responses.RequestsMock, api: API, fake_time: FakeTime
) -> None:
    for _ in range(4):
        rsps.get(ME, json=ERROR_500, status=503)
    with pytest.raises(ThreadsServerError) as info:
        api.account("1789")
    assert info.value.http_status == 503
    assert len(rsps.calls) == 4
    assert len(fake_time.sleeps) == 3


def test_retry_total_time_is_bounded(rsps: responses.RequestsMock, creds: Credentials) -> None:
    fake = FakeTime()
    policy = RetryPolicy(max_attempts=10, initial_delay=4.0, jitter=0.0, total_timeout=10.0)
    client = API(creds, retry=policy, sleep=fake.sleep, clock=fake.clock)
    for _ in range(2):
        rsps.get(ME, json=ERROR_500, status=500)
    with pytest.raises(ThreadsServerError):
        client.account("1789")
    assert fake.sleeps == [4.0]  # 4 + 8 would pass the 10 s budget
    assert len(rsps.calls) == 2


def test_connection_error_and_timeout_are_retried_then_raised(
    rsps: responses.RequestsMock, api: API, fake_time: FakeTime
) -> None:
    rsps.get(ME, body=requests.ConnectionError("reset by peer"))
    rsps.get(ME, body=requests.ReadTimeout("read timed out"))
    rsps.get(ME, json={"id": "1789"})
    assert api.account("1789")["id"] == "1789"
    assert fake_time.sleeps == [0.5, 1.0]


def test_transport_failures_have_their_own_classes(
    rsps: responses.RequestsMock, creds: Credentials
) -> None:
    client = API(creds, retry=RetryPolicy(max_attempts=1))
    rsps.get(ME, body=requests.ConnectionError("refused"))
    with pytest.raises(ThreadsConnectionError, match="refused"):
        client.account("1789")
    rsps.get(ME, body=requests.ConnectTimeout("slow"))
    with pytest.raises(ThreadsTimeoutError):
        client.account("1789")


def test_is_transient_is_retried(
    rsps: responses.RequestsMock, api: API, fake_time: FakeTime
) -> None:
    body = {"error": {"message": "try later", "code": 100, "is_transient": True}}
    rsps.get(ME, json=body, status=400)
    rsps.get(ME, json={"id": "1789"})
    api.account("1789")
    assert fake_time.sleeps == [0.5]


def test_rate_limit_honours_retry_after(
    rsps: responses.RequestsMock, api: API, fake_time: FakeTime
) -> None:
    body = {"error": {"message": "Application request limit reached", "code": 4}}
    rsps.get(ME, json=body, status=400, headers={"Retry-After": "7"})
    rsps.get(ME, json=body, status=429)
    rsps.get(ME, json={"id": "1789"})
    api.account("1789")
    assert fake_time.sleeps == [7.0, 1.0]


def test_rate_limit_error_carries_retry_after_when_out_of_attempts(
    rsps: responses.RequestsMock, creds: Credentials
) -> None:
    client = API(creds, retry=RetryPolicy(max_attempts=1))
    rsps.get(
        ME, json={"error": {"message": "slow down", "code": 17}}, headers={"Retry-After": "30"}
    )
    with pytest.raises(RateLimited) as info:
        client.account("1789")
    assert info.value.retry_after == 30.0


def test_definite_client_errors_are_not_retried(
    rsps: responses.RequestsMock, api: API, fake_time: FakeTime
) -> None:
    rsps.get(ME, json={"error": {"message": "bad field", "code": 100}}, status=400)
    with pytest.raises(ThreadsAPIError):
        api.account("1789")
    assert len(rsps.calls) == 1
    assert fake_time.sleeps == []


def test_posts_are_not_retried_by_default(
    rsps: responses.RequestsMock, api: API, fake_time: FakeTime
) -> None:
    rsps.post(f"{V1}/r1/manage_reply", json=ERROR_500, status=500)
    with pytest.raises(ThreadsServerError):
        api.manage_reply("r1", hide=True)
    assert len(rsps.calls) == 1
    assert fake_time.sleeps == []


def test_jitter_keeps_delays_within_bounds(
    rsps: responses.RequestsMock, creds: Credentials
) -> None:
    fake = FakeTime()
    policy = RetryPolicy(max_attempts=3, initial_delay=1.0, jitter=0.5)
    client = API(creds, retry=policy, sleep=fake.sleep, clock=fake.clock)
    client.transport._rand = lambda: 0.999
    rsps.get(ME, json=ERROR_500, status=500)
    rsps.get(ME, json=ERROR_500, status=500)
    rsps.get(ME, json={"id": "1789"})
    client.account("1789")
    assert 0.5 <= fake.sleeps[0] <= 1.0 and 1.0 <= fake.sleeps[1] <= 2.0
    assert fake.sleeps[0] < 1.0  # jitter applied


def test_policy_values() -> None:
    policy = RetryPolicy(initial_delay=1.0, multiplier=2.0, max_delay=5.0, jitter=0.0)
    assert [policy.backoff(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert policy.delay(1, 9.0) == 9.0
    with pytest.raises(ThreadsInvalidParameter):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ThreadsInvalidParameter):
        RetryPolicy(jitter=2.0)
    delays = PollSchedule(initial=1.0, multiplier=2.0, maximum=5.0).delays()
    assert [next(delays) for _ in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    with pytest.raises(ThreadsInvalidParameter):
        PollSchedule(initial=0)


def test_non_json_error_body_is_a_clear_error(rsps: responses.RequestsMock, api: API) -> None:
    html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    rsps.post(f"{V1}/r1/manage_reply", body=html, status=502, content_type="text/html")
    with pytest.raises(ThreadsServerError) as info:
        api.manage_reply("r1", hide=False)
    assert "not JSON" in str(info.value) and "502 Bad Gateway" in str(info.value)
    assert info.value.http_status == 502
    assert not isinstance(info.value, json.JSONDecodeError)


def test_non_json_success_body_is_a_response_error(rsps: responses.RequestsMock, api: API) -> None:
    rsps.post(f"{V1}/r1/manage_reply", body="OK", status=200)
    with pytest.raises(ThreadsResponseError, match="expected a JSON object"):
        api.manage_reply("r1", hide=True)


def test_error_envelope_with_200_is_still_an_error(rsps: responses.RequestsMock, api: API) -> None:
    rsps.post(f"{V1}/r1/manage_reply", json={"error": {"message": "nope", "code": 100}})
    with pytest.raises(ThreadsAPIError, match="nope"):
        api.manage_reply("r1", hide=True)
