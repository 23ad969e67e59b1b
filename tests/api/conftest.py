"""Fixtures for the API client tests: a mocked Graph host, a fake clock, canary secrets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import responses

from threadsync.api import API, Configuration, Credentials, RetryPolicy

from .support import APP_SECRET, TOKEN, FakeTime


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def creds() -> Credentials:
    return Credentials(
        user_id="1789",
        scopes=["threads_basic", "threads_content_publish"],
        short_lived=False,
        access_token=TOKEN,
        expiration=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30),
    )


@pytest.fixture
def config() -> Configuration:
    return Configuration(
        scopes=["threads_basic", "threads_content_publish"],
        app_id="4242",
        api_secret=APP_SECRET,
        redirect_uri="https://app.example/callback",
    )


@pytest.fixture
def api(creds: Credentials, fake_time: FakeTime) -> Iterator[API]:
    policy = RetryPolicy(max_attempts=4, initial_delay=0.5, jitter=0.0, total_timeout=60.0)
    with API(creds, retry=policy, sleep=fake_time.sleep, clock=fake_time.clock) as client:
        yield client
