"""Shared constants and helpers for the API client tests."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

# Canary values: any appearance of these in a URL, log, repr or message is a leak.
TOKEN = "CANARYtokenTHQVJ0123456789abcdef"
APP_SECRET = "CANARYsecret9f8e7d6c5b4a"
ROOT = "https://graph.threads.net"
V1 = f"{ROOT}/v1.0"


class FakeTime:
    """A monotonic clock that only moves when ``sleep`` is called; sleeps are recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def form(call: Any) -> dict[str, str]:
    """The urlencoded body of a recorded request."""
    body = call.request.body or ""
    if isinstance(body, bytes):
        body = body.decode()
    return {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}


def query(call: Any) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


def path(call: Any) -> str:
    return urlsplit(call.request.url).path


def assert_authorized(call: Any, token: str = TOKEN) -> None:
    """Bearer header present, and no secret anywhere in the URL."""
    assert call.request.headers["Authorization"] == f"Bearer {token}"
    assert_clean_url(call)


def assert_clean_url(call: Any) -> None:
    url = call.request.url
    for secret in (TOKEN, APP_SECRET, "access_token=", "client_secret=", "input_token="):
        assert secret not in url, url
