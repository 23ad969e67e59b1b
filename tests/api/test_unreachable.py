"""A request without an answer is one line (server, cause, fix); each retry is told as it comes."""

from __future__ import annotations

import http.client
import socket
import ssl

import pytest
import requests
import responses
import urllib3

from threadsync.api import (
    API,
    Credentials,
    RetryEvent,
    RetryPolicy,
    ThreadsConnectionError,
    ThreadsTimeoutError,
)
from threadsync.api.unreachable import cause_of, is_loopback, shown_url

from .support import TOKEN, V1, FakeTime

ME = f"{V1}/1789"
ERROR_503 = {"error": {"message": "Service temporarily unavailable", "code": 2}}


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wrapped(inner: BaseException) -> requests.ConnectionError:
    """What requests raises: its error around urllib3's, around the system's."""
    pool_error = urllib3.exceptions.NewConnectionError(None, f"Failed to establish: {inner}")  # type: ignore[arg-type]
    pool_error.__cause__ = inner
    retry_error = urllib3.exceptions.MaxRetryError(None, "/v1.0/me", pool_error)  # type: ignore[arg-type]
    return requests.ConnectionError(retry_error)


def test_a_closed_port_on_loopback_is_one_line_naming_the_emulator(creds: Credentials) -> None:
    port = closed_port()
    client = API(creds, base_url=f"http://127.0.0.1:{port}", retry=RetryPolicy(max_attempts=1))
    with client, pytest.raises(ThreadsConnectionError) as caught:
        client.get_account()
    message = str(caught.value)
    assert message == (
        f"can't reach http://127.0.0.1:{port} (connection refused): "
        "is the emulator running? (THREADS_API_URL)"
    )
    assert (caught.value.base_url, caught.value.cause) == (
        f"http://127.0.0.1:{port}",
        "connection refused",
    )


@pytest.mark.parametrize(
    ("raised", "cause"),
    [
        (_wrapped(ConnectionRefusedError(111, "Connection refused")), "connection refused"),
        (_wrapped(socket.gaierror(-2, "Name or service not known")), "name not resolved"),
        (requests.exceptions.SSLError(ssl.SSLError(1, "CERTIFICATE_VERIFY_FAILED")), "TLS failure"),
        (_wrapped(ConnectionResetError(104, "Connection reset by peer")), "connection reset"),
        (
            requests.ConnectionError(
                urllib3.exceptions.ProtocolError(
                    "Connection aborted.", http.client.RemoteDisconnected("closed")
                )
            ),
            "connection closed",
        ),
        (_wrapped(OSError(113, "No route to host")), "no route to host"),
    ],
)
def test_the_cause_is_found_under_urllibs_wrapping(
    rsps: responses.RequestsMock, creds: Credentials, raised: Exception, cause: str
) -> None:
    assert cause_of(raised) == cause
    rsps.get(ME, body=raised)
    client = API(creds, retry=RetryPolicy(max_attempts=1))
    with pytest.raises(ThreadsConnectionError) as caught:
        client.account("1789")
    message = str(caught.value)
    assert message == (
        f"can't reach https://graph.threads.net ({cause}): check your network, or THREADS_API_URL"
    )
    assert "urllib3" not in message and "object at 0x" not in message and "\n" not in message


def test_a_timeout_is_its_own_class_with_the_same_line(
    rsps: responses.RequestsMock, creds: Credentials
) -> None:
    rsps.get(ME, body=requests.ReadTimeout("HTTPSConnectionPool(...): Read timed out."))
    client = API(creds, retry=RetryPolicy(max_attempts=1))
    with pytest.raises(ThreadsTimeoutError) as caught:
        client.account("1789")
    assert str(caught.value) == (
        "can't reach https://graph.threads.net (timed out): check your network, or THREADS_API_URL"
    )


def test_the_line_never_holds_a_password_of_the_url_or_the_token(
    rsps: responses.RequestsMock, creds: Credentials
) -> None:
    base = f"https://user:{TOKEN}@graph.example:8443/graph/"
    rsps.get(
        f"https://user:{TOKEN}@graph.example:8443/graph/v1.0/1789",
        body=requests.ConnectionError(f"dns {TOKEN}"),
    )
    client = API(creds, base_url=base, retry=RetryPolicy(max_attempts=1))
    with pytest.raises(ThreadsConnectionError) as caught:
        client.account("1789")
    assert TOKEN not in str(caught.value)
    assert str(caught.value).startswith("can't reach https://graph.example:8443/graph (")


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8799", True),
        ("http://127.3.2.1", True),
        ("http://[::1]:8799/", True),
        ("http://localhost:8765", True),
        ("https://graph.threads.net", False),
        ("http://10.0.0.2:8799", False),
    ],
)
def test_loopback_servers_get_the_emulator_hint(url: str, loopback: bool) -> None:
    assert is_loopback(url) is loopback


def test_shown_url_keeps_the_server_and_its_path() -> None:
    assert shown_url("http://me:pw@127.0.0.1:8799/") == "http://127.0.0.1:8799"
    assert shown_url("https://proxy.example/threads") == "https://proxy.example/threads"


def test_each_retry_is_told_before_its_wait(
    rsps: responses.RequestsMock, creds: Credentials, fake_time: FakeTime
) -> None:
    events: list[RetryEvent] = []
    policy = RetryPolicy(max_attempts=4, initial_delay=2.0, jitter=0.0)
    client = API(
        creds,
        retry=policy,
        sleep=fake_time.sleep,
        clock=fake_time.clock,
        on_retry=events.append,
    )
    rsps.get(ME, json=ERROR_503, status=503)
    rsps.get(ME, body=_wrapped(ConnectionRefusedError(111, "Connection refused")))
    rsps.get(ME, json={"id": "1789"})
    assert client.account("1789")["id"] == "1789"
    assert events == [
        RetryEvent("GET", "/v1.0/1789", "HTTP 503, code 2", 2.0, 1, 3),
        RetryEvent("GET", "/v1.0/1789", "connection refused", 4.0, 2, 3),
    ]
    assert fake_time.sleeps == [2.0, 4.0]


def test_no_event_when_nothing_is_retried(
    rsps: responses.RequestsMock, creds: Credentials, fake_time: FakeTime
) -> None:
    events: list[RetryEvent] = []
    client = API(creds, sleep=fake_time.sleep, clock=fake_time.clock, on_retry=events.append)
    rsps.post(f"{V1}/r1/manage_reply", json=ERROR_503, status=503)
    with pytest.raises(Exception, match="HTTP 503"):
        client.manage_reply("r1", hide=True)  # a POST: not retried
    assert events == [] and fake_time.sleeps == []
