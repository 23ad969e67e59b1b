"""OAuth: authorize URL and state, code exchange, long-lived exchange, refresh, refresh_if_due."""

from __future__ import annotations

import datetime as dt
import hmac
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from threadsync.api import (
    Configuration,
    Credentials,
    OAuth2Error,
    Threads,
    ThreadsAccessTokenExpired,
    ThreadsAPIError,
    ThreadsAuthenticationError,
    ThreadsConfigurationError,
    ThreadsInvalidParameter,
)
from threadsync.api.errors import OAuthStateMismatch

from .support import APP_SECRET, ROOT, TOKEN, assert_authorized, assert_clean_url, form, query

UTC = dt.timezone.utc
SHORT = "SHORTcanaryTOKEN987654"


def callback(state: str = "S" * 43, code: str = "AQBcode123") -> str:
    return f"https://app.example/callback?code={code}&state={state}#_"


def close_to(when: dt.datetime, expected: dt.datetime) -> bool:
    return abs((when - expected).total_seconds()) < 60


def test_authorization_url_carries_app_scopes_and_a_fresh_state(config: Configuration) -> None:
    url, state = Threads.authorization_url(config)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://threads.net/oauth/authorize"
    params = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert params == {
        "client_id": "4242",
        "redirect_uri": "https://app.example/callback",
        "scope": "threads_basic,threads_content_publish",
        "response_type": "code",
        "state": state,
    }
    assert len(state) >= 32
    assert Threads.authorization_url(config)[1] != state
    assert APP_SECRET not in url


def test_load_configuration_reads_env_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ThreadsConfigurationError, match="THREADS_APP_ID"):
        Threads.load_configuration()
    monkeypatch.setenv("THREADS_APP_ID", "1")
    monkeypatch.setenv("THREADS_API_SECRET", APP_SECRET)  # pythreads' name is accepted
    monkeypatch.setenv("THREADS_REDIRECT_URI", "https://r.example/")
    config = Threads.load_configuration()
    assert (config.app_id, config.api_secret) == ("1", APP_SECRET)
    assert config.scopes == Threads.ALL_SCOPES
    monkeypatch.setenv("THREADS_APP_SECRET", "preferred-secret")
    assert Threads.load_configuration(scopes=["threads_basic"]).api_secret == "preferred-secret"
    url, _ = Threads.authorization_url()
    assert "client_id=1" in url


def test_code_exchange_posts_a_form_to_the_unversioned_path(
    rsps: responses.RequestsMock, config: Configuration
) -> None:
    rsps.post(
        f"{ROOT}/oauth/access_token", json={"access_token": SHORT, "user_id": 17841405793187218}
    )
    state = "S" * 43
    user_id, token, expiration = Threads.fetch_user_id_and_token(callback(state), state, config)
    assert (user_id, token) == ("17841405793187218", SHORT)
    assert close_to(expiration, dt.datetime.now(UTC) + dt.timedelta(hours=1))
    call = rsps.calls[0]
    assert call.request.method == "POST"
    assert "Authorization" not in call.request.headers
    assert_clean_url(call)
    assert form(call) == {
        "client_id": "4242",
        "client_secret": APP_SECRET,
        "code": "AQBcode123",
        "grant_type": "authorization_code",
        "redirect_uri": "https://app.example/callback",
    }


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (callback("other-state"), "S" * 43),
        ("https://app.example/callback?code=abc", "S" * 43),
        (callback(""), ""),
    ],
)
def test_callback_with_wrong_state_is_refused(
    rsps: responses.RequestsMock, config: Configuration, url: str, expected: str
) -> None:
    with pytest.raises(OAuthStateMismatch):
        Threads.fetch_user_id_and_token(url, expected, config)
    assert len(rsps.calls) == 0


def test_state_is_compared_in_constant_time(
    monkeypatch: pytest.MonkeyPatch, rsps: responses.RequestsMock, config: Configuration
) -> None:
    seen: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    with pytest.raises(OAuthStateMismatch):
        Threads.fetch_user_id_and_token(callback("given"), "issued", config)
    assert seen == [(b"given", b"issued")]


def test_callback_errors_and_missing_code(
    rsps: responses.RequestsMock, config: Configuration
) -> None:
    denied = (
        "https://app.example/callback?error=access_denied&error_reason=user_denied"
        "&error_description=The+user+denied+your+request&state=s"
    )
    with pytest.raises(OAuth2Error) as info:
        Threads.fetch_user_id_and_token(denied, "s", config)
    assert info.value.error == "access_denied"
    assert info.value.description == "The user denied your request"
    with pytest.raises(OAuth2Error, match="no code"):
        Threads.fetch_user_id_and_token("https://app.example/cb?state=s", "s", config)


def test_code_exchange_oauth_error_shape(
    rsps: responses.RequestsMock, config: Configuration
) -> None:
    body = {
        "error_type": "OAuthException",
        "code": 400,
        "error_message": "Matching code was not found or was already used",
    }
    rsps.post(f"{ROOT}/oauth/access_token", json=body, status=400)
    with pytest.raises(ThreadsAPIError, match="already used") as info:
        Threads.fetch_user_id_and_token(callback("s"), "s", config)
    assert info.value.error_type == "OAuthException"
    assert len(rsps.calls) == 1  # a code is single-use: never retried


def test_long_lived_exchange_keeps_secrets_out_of_the_url(
    rsps: responses.RequestsMock, config: Configuration
) -> None:
    rsps.get(
        f"{ROOT}/access_token",
        json={"access_token": TOKEN, "token_type": "bearer", "expires_in": 5183944},
    )
    soon = dt.datetime.now(UTC) + dt.timedelta(minutes=30)
    token, expiration = Threads.fetch_long_lived_token(SHORT, soon, config)
    assert token == TOKEN
    assert close_to(expiration, dt.datetime.now(UTC) + dt.timedelta(seconds=5183944))
    call = rsps.calls[0]
    assert_authorized(call, SHORT)
    assert SHORT not in call.request.url
    assert call.request.method == "GET"
    assert query(call) == {"grant_type": "th_exchange_token"}
    assert form(call) == {"client_secret": APP_SECRET}


def test_expired_short_token_is_not_exchanged(
    rsps: responses.RequestsMock, config: Configuration
) -> None:
    past = dt.datetime.now(UTC) - dt.timedelta(minutes=1)
    with pytest.raises(ThreadsAccessTokenExpired):
        Threads.fetch_long_lived_token(SHORT, past, config)


def test_complete_authorization_end_to_end(
    rsps: responses.RequestsMock, config: Configuration
) -> None:
    rsps.post(f"{ROOT}/oauth/access_token", json={"access_token": SHORT, "user_id": 42})
    rsps.get(f"{ROOT}/access_token", json={"access_token": TOKEN, "expires_in": 5184000})
    creds = Threads.complete_authorization(callback("s"), "s", config=config)
    assert (creds.user_id, creds.access_token, creds.short_lived) == ("42", TOKEN, False)
    assert creds.scopes == config.scopes and creds.issued_at is not None
    assert 5183000 < (creds.expires_in() or 0) <= 5184000


def test_complete_authorization_short_lived_only(
    rsps: responses.RequestsMock, config: Configuration, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THREADS_API_URL", "http://127.0.0.1:8765")
    rsps.post(
        "http://127.0.0.1:8765/oauth/access_token", json={"access_token": SHORT, "user_id": 7}
    )
    creds = Threads.complete_authorization(callback("s"), "s", False, config)
    assert creds.short_lived and creds.access_token == SHORT
    assert len(rsps.calls) == 1


def long_lived(expires_in_days: float, issued_days_ago: float | None) -> Credentials:
    now = dt.datetime.now(UTC)
    issued = None if issued_days_ago is None else now - dt.timedelta(days=issued_days_ago)
    return Credentials(
        "42", ["threads_basic"], False, TOKEN, now + dt.timedelta(days=expires_in_days), issued
    )


def test_refresh_uses_get_with_bearer_and_no_secret(rsps: responses.RequestsMock) -> None:
    rsps.get(
        f"{ROOT}/refresh_access_token",
        json={"access_token": "NEWtoken123456", "expires_in": 5184000},
    )
    token, expiration = Threads.refresh_long_lived_token(long_lived(5, 55))
    assert token == "NEWtoken123456"
    assert close_to(expiration, dt.datetime.now(UTC) + dt.timedelta(days=60))
    call = rsps.calls[0]
    assert_authorized(call)
    assert query(call) == {"grant_type": "th_refresh_token"}


@pytest.mark.parametrize(
    ("expires_in_days", "issued_days_ago", "refreshes"),
    [
        (30, 30, False),  # not due
        (5, 55, True),  # due and old enough
        (5, None, True),  # age inferred from the 60-day lifetime
        (5, 0.5, False),  # due but younger than 24 h
        (7.5, 52, False),  # just outside the window
    ],
)
def test_refresh_if_due(
    rsps: responses.RequestsMock,
    expires_in_days: float,
    issued_days_ago: float | None,
    refreshes: bool,
) -> None:
    creds = long_lived(expires_in_days, issued_days_ago)
    if refreshes:
        rsps.get(f"{ROOT}/refresh_access_token", json={"access_token": "NEWtoken123456"})
    result = Threads.refresh_if_due(creds, within_days=7)
    if refreshes:
        assert result.access_token == "NEWtoken123456" and result is not creds
        assert result.issued_at is not None and result.user_id == "42"
        assert len(rsps.calls) == 1
    else:
        assert result is creds and len(rsps.calls) == 0


def test_refresh_if_due_edge_cases(rsps: responses.RequestsMock) -> None:
    short = long_lived(0.02, None)
    short.short_lived = True
    assert Threads.refresh_if_due(short) is short
    unknown = Credentials.from_token(TOKEN)
    assert Threads.refresh_if_due(unknown) is unknown
    with pytest.raises(ThreadsAccessTokenExpired):
        Threads.refresh_if_due(long_lived(-1, 61))
    with pytest.raises(ThreadsAccessTokenExpired):
        Threads.refresh_long_lived_token(long_lived(-1, 61))
    assert len(rsps.calls) == 0


@pytest.mark.parametrize("refresh", ["refresh_long_lived_token", "refresh_credentials"])
def test_refresh_refuses_a_short_lived_or_expired_token_before_sending_anything(
    rsps: responses.RequestsMock, refresh: str
) -> None:
    """As pythreads: Meta refuses both, so asking would only spend a request."""
    call = getattr(Threads, refresh)
    short = long_lived(1 / 24, 0)
    short.short_lived = True
    with pytest.raises(ThreadsAuthenticationError, match="short-lived") as refused:
        call(short)
    assert not isinstance(refused.value, ThreadsAccessTokenExpired)
    with pytest.raises(ThreadsAccessTokenExpired, match="expired"):
        call(long_lived(-1, 61))
    assert len(rsps.calls) == 0


def test_refresh_if_due_uses_the_given_now(rsps: responses.RequestsMock) -> None:
    creds = long_lived(30, 30)
    assert Threads.refresh_if_due(creds, within_days=7) is creds
    rsps.get(f"{ROOT}/refresh_access_token", json={"access_token": "NEWtoken123456"})
    later = dt.datetime.now(UTC) + dt.timedelta(days=25)
    assert Threads.refresh_if_due(creds, within_days=7, now=later).access_token == "NEWtoken123456"


def test_build_graph_api_url_never_takes_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Threads.build_graph_api_url("v1.0/me") == f"{ROOT}/v1.0/me"
    assert (
        Threads.build_graph_api_url(
            "/me/threads", {"limit": 5, "reverse": False}, base_url="http://x/"
        )
        == "http://x/me/threads?limit=5&reverse=false"
    )
    with pytest.raises(ThreadsInvalidParameter, match="Bearer"):
        Threads.build_graph_api_url("me", access_token=TOKEN)
    with pytest.raises(ThreadsInvalidParameter, match="URL"):
        Threads.build_graph_api_url("me", {"client_secret": APP_SECRET})
    monkeypatch.setenv("THREADS_API_URL", "http://127.0.0.1:9")
    assert Threads.build_graph_api_url("me") == "http://127.0.0.1:9/me"
