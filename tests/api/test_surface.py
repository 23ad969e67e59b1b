"""pythreads parity: names, signatures, bases, enums; and an import without side effects."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest
import requests
import responses

import threadsync.api as api_pkg
from threadsync.api import (
    API,
    Configuration,
    ContainerStatus,
    Credentials,
    InvalidAccessToken,
    Media,
    MediaType,
    OAuth2Error,
    PublishingError,
    PublishingStatus,
    ReplyControl,
    Threads,
    ThreadsAccessTokenExpired,
    ThreadsAuthenticationError,
    ThreadsClientClosed,
    ThreadsError,
    ThreadsInvalidParameter,
    ThreadsResponseError,
)

from .support import ROOT, TOKEN

# pythreads 0.2.1: API method -> its parameter names, in order.
PYTHREADS_API = {
    "account": ["user_id"],
    "container": ["container_id"],
    "container_status": ["media_id"],
    "conversation": ["thread_id", "before", "after"],
    "create_carousel_container": ["containers", "text", "reply_control", "reply_to_id"],
    "create_container": ["text", "media", "reply_control", "reply_to_id", "is_carousel_item"],
    "insights": ["thread_id"],
    "manage_reply": ["reply_id", "hide"],
    "publish_container": ["container_id"],
    "publishing_limit": [],
    "replies": ["thread_id"],
    "thread": ["thread_id"],
    "threads": ["since", "until", "limit", "before", "after"],
    "user_insights": ["metrics", "since", "until", "breakdown"],
}
PYTHREADS_THREADS = {
    "authorization_url": ["config"],
    "build_graph_api_url": ["path", "params", "access_token", "base_url"],
    "complete_authorization": ["callback_url", "state", "long_lived_token", "config"],
    "fetch_long_lived_token": ["access_token", "expiration", "config"],
    "fetch_user_id_and_token": ["request_url", "state", "config"],
    "load_configuration": ["scopes", "app_id", "api_secret", "redirect_uri"],
    "refresh_long_lived_token": ["credentials"],
}


def _positional(func: object) -> list[str]:
    params = inspect.signature(func).parameters.values()  # type: ignore[arg-type]
    return [
        p.name
        for p in params
        if p.name != "self" and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]


@pytest.mark.parametrize(("name", "params"), sorted(PYTHREADS_API.items()))
def test_api_methods_match_pythreads(name: str, params: list[str]) -> None:
    assert _positional(getattr(API, name)) == params


@pytest.mark.parametrize(("name", "params"), sorted(PYTHREADS_THREADS.items()))
def test_threads_static_methods_match_pythreads(name: str, params: list[str]) -> None:
    assert isinstance(inspect.getattr_static(Threads, name), staticmethod)
    assert _positional(getattr(Threads, name)) == params


def test_all_names_are_exported() -> None:
    for name in api_pkg.__all__:
        assert hasattr(api_pkg, name), name
    expected = {
        "API",
        "Credentials",
        "Configuration",
        "Threads",
        "MediaType",
        "ReplyControl",
        "PublishingStatus",
        "PublishingError",
        "Media",
        "ContainerStatus",
        "ThreadsAccessTokenExpired",
        "ThreadsAuthenticationError",
        "ThreadsResponseError",
        "ThreadsInvalidParameter",
        "OAuth2Error",
    }
    assert expected <= set(api_pkg.__all__)


def test_pythreads_exceptions_keep_their_bases() -> None:
    assert issubclass(ThreadsAccessTokenExpired, RuntimeError)
    assert issubclass(ThreadsAuthenticationError, RuntimeError)
    assert issubclass(ThreadsInvalidParameter, ValueError)
    assert issubclass(OAuth2Error, ThreadsAuthenticationError)
    assert issubclass(InvalidAccessToken, ThreadsAccessTokenExpired)
    for name in api_pkg.__all__:
        obj = getattr(api_pkg, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            assert issubclass(obj, ThreadsError), name


def test_enums_have_pythreads_values_and_five_reply_controls() -> None:
    assert [m.value for m in MediaType] == ["TEXT", "IMAGE", "VIDEO", "CAROUSEL"]
    assert {r.value for r in ReplyControl} == {
        "everyone",
        "accounts_you_follow",
        "mentioned_only",
        "parent_post_author_only",
        "followers_only",
    }
    assert {s.value for s in PublishingStatus} == {
        "IN_PROGRESS",
        "FINISHED",
        "PUBLISHED",
        "ERROR",
        "EXPIRED",
    }
    assert PublishingError.INVALID_ASPEC_RATIO.value == "INVALID_ASPEC_RATIO"
    assert PublishingError.UNKNOWN in PublishingError
    media = Media(type=MediaType.IMAGE, url="https://x/y.jpg")
    assert (media.type, media.url) == (MediaType.IMAGE, "https://x/y.jpg")
    status = ContainerStatus(id="1", status=PublishingStatus.FINISHED)
    assert status.error is None


def test_scopes_constants() -> None:
    assert Threads.ALL_SCOPES == [
        "threads_basic",
        "threads_content_publish",
        "threads_manage_insights",
        "threads_manage_replies",
        "threads_read_replies",
    ]
    assert "threads_delete" in Threads.NEWER_SCOPES
    assert Threads.EVERY_SCOPE == Threads.ALL_SCOPES + Threads.NEWER_SCOPES


def test_import_has_no_side_effects() -> None:
    code = (
        "import os, sys\n"
        "before = dict(os.environ)\n"
        "import threadsync.api\n"
        "assert dict(os.environ) == before\n"
        "assert 'dotenv' not in sys.modules and 'aiohttp' not in sys.modules\n"
        "print('ok')\n"
    )
    env = {"PATH": "/usr/bin:/bin"}  # no THREADS_*, no CI, no SSL cert variables
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_base_url_comes_from_env_at_construction(
    monkeypatch: pytest.MonkeyPatch, creds: Credentials
) -> None:
    assert API(creds).base_url == ROOT
    monkeypatch.setenv("THREADS_API_URL", "http://127.0.0.1:8765/")
    client = API(creds)
    assert client.base_url == "http://127.0.0.1:8765"
    assert client.transport.url("me") == "http://127.0.0.1:8765/v1.0/me"
    assert client.transport.url("access_token", versioned=False).endswith(":8765/access_token")
    assert API(creds, base_url="https://other.example/v1.0").base_url == "https://other.example"


def test_user_id_defaults(creds: Credentials) -> None:
    assert API(creds).user_id == "1789"
    assert API(creds, user_id="42").user_id == "42"
    assert API(Credentials.from_token(TOKEN)).user_id == "me"


def test_context_manager_closes_only_its_own_session(
    monkeypatch: pytest.MonkeyPatch, creds: Credentials
) -> None:
    given = requests.Session()
    closed: list[str] = []
    monkeypatch.setattr(given, "close", lambda: closed.append("given"))
    with API(creds, session=given) as client:
        assert client.session is given
    assert closed == []
    with API(creds) as own:
        session = own.session
        assert session is not None
        monkeypatch.setattr(session, "close", lambda: closed.append("own"))
    assert closed == ["own"]
    with pytest.raises(ThreadsClientClosed, match="closed") as info:
        own.account()
    assert isinstance(info.value, RuntimeError)


def test_expired_credentials_refused_before_sending(
    rsps: responses.RequestsMock, creds: Credentials
) -> None:
    import datetime as dt

    creds.expiration = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    with API(creds) as client, pytest.raises(ThreadsAccessTokenExpired):
        client.account()
    assert len(rsps.calls) == 0


def test_response_error_keeps_pythreads_response_attribute() -> None:
    err = ThreadsResponseError("no id", body={"x": 1})
    assert err.response == {"x": 1}


def test_configuration_scopes_str(config: Configuration) -> None:
    assert config.scopes_str() == "threads_basic,threads_content_publish"
