"""OAuth and token lifetime: pythreads' ``Threads`` static methods, synchronous.

Docs: https://developers.facebook.com/docs/threads/get-started/get-access-tokens-and-permissions
and https://developers.facebook.com/docs/threads/get-started/long-lived-tokens

Secrets never go in a URL, which departs from Meta's examples in two places:

- The short-lived token travels in ``Authorization: Bearer`` on the exchange
  and the refresh, as on every other call.
- The long-lived exchange is a GET, as documented, but its ``client_secret``
  goes in a form body rather than the query string (the transport does this
  for every secret-named parameter): a URL lands in server, proxy and CI logs.
  The code exchange is a POST with a form body, as documented.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from threadsync.api._redact import SECRET_KEYS
from threadsync.api.configuration import Configuration
from threadsync.api.credentials import Credentials, utcnow
from threadsync.api.errors import (
    OAuth2Error,
    OAuthStateMismatch,
    ThreadsAccessTokenExpired,
    ThreadsAuthenticationError,
    ThreadsConfigurationError,
    ThreadsInvalidParameter,
)
from threadsync.api.transport import (
    DEFAULT_TIMEOUT,
    JSONDict,
    Timeout,
    Transport,
    default_base_url,
    encode_params,
    graph_root,
)

AUTHORIZE_URL = "https://threads.net/oauth/authorize"
SHORT_LIVED = dt.timedelta(hours=1)
LONG_LIVED = dt.timedelta(days=60)
MIN_AGE_FOR_REFRESH = dt.timedelta(hours=24)


@contextmanager
def _transport(
    session: requests.Session | None,
    base_url: str | None,
    timeout: Timeout,
    *,
    token: str | None = None,
    secret: str | None = None,
) -> Iterator[Transport]:
    own = session is None
    active = session or requests.Session()
    try:
        yield Transport(
            session=active,
            base_url=base_url or default_base_url(),
            timeout=timeout,
            token=lambda: token,
            secrets=[token, secret],
        )
    finally:
        if own:
            active.close()


def _token_and_expiry(body: JSONDict, default_ttl: dt.timedelta) -> tuple[str, dt.datetime]:
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise ThreadsAuthenticationError("the token endpoint answered without an access_token")
    expires_in = body.get("expires_in")
    ttl = dt.timedelta(seconds=expires_in) if isinstance(expires_in, int) else default_ttl
    return token, utcnow() + ttl


def _check_refreshable(credentials: Credentials, now: dt.datetime | None = None) -> None:
    if credentials.short_lived:
        raise ThreadsAuthenticationError(
            "a short-lived token cannot be refreshed; exchange it for a long-lived one "
            "first (Threads.fetch_long_lived_token)"
        )
    if credentials.expired(now):
        raise ThreadsAccessTokenExpired("the token has expired and cannot be refreshed")


class Threads:
    """OAuth helpers, all static, as in pythreads; network calls take kw-only transport options."""

    #: pythreads' scopes: the five on Meta's authorize page.
    ALL_SCOPES: ClassVar[list[str]] = [
        "threads_basic",
        "threads_content_publish",
        "threads_manage_insights",
        "threads_manage_replies",
        "threads_read_replies",
    ]
    #: Scopes added since, one per newer endpoint family.
    NEWER_SCOPES: ClassVar[list[str]] = [
        "threads_delete",
        "threads_keyword_search",
        "threads_location_tagging",
        "threads_manage_mentions",
        "threads_profile_discovery",
    ]
    EVERY_SCOPE: ClassVar[list[str]] = ALL_SCOPES + NEWER_SCOPES

    @staticmethod
    def build_graph_api_url(
        path: str,
        params: dict[str, Any] | None = None,
        access_token: str | None = None,
        base_url: str | None = None,
    ) -> str:
        """``<root>/<path>?<params>``. ``access_token`` is refused: tokens never go in URLs."""
        if access_token is not None:
            raise ThreadsInvalidParameter(
                "build_graph_api_url does not put tokens in URLs; "
                "send them as 'Authorization: Bearer <token>' (API does)"
            )
        encoded = encode_params(params)
        if SECRET_KEYS & encoded.keys():
            raise ThreadsInvalidParameter("secret parameters must not go in a URL")
        url = f"{graph_root(base_url or default_base_url())}/{path.lstrip('/')}"
        return f"{url}?{urlencode(encoded)}" if encoded else url

    @staticmethod
    def load_configuration(
        scopes: list[str] | None = None,
        app_id: str | None = None,
        api_secret: str | None = None,
        redirect_uri: str | None = None,
    ) -> Configuration:
        """Fill what is not given from THREADS_APP_ID, THREADS_APP_SECRET
        (or pythreads' THREADS_API_SECRET) and THREADS_REDIRECT_URI."""
        env = os.environ
        values = {
            "THREADS_APP_ID": app_id or env.get("THREADS_APP_ID"),
            "THREADS_APP_SECRET": api_secret
            or env.get("THREADS_APP_SECRET")
            or env.get("THREADS_API_SECRET"),
            "THREADS_REDIRECT_URI": redirect_uri or env.get("THREADS_REDIRECT_URI"),
        }
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise ThreadsConfigurationError(
                f"OAuth needs {', '.join(missing)}: set the variable or pass the argument"
            )
        return Configuration(
            scopes=list(scopes or Threads.ALL_SCOPES),
            app_id=str(values["THREADS_APP_ID"]),
            api_secret=str(values["THREADS_APP_SECRET"]),
            redirect_uri=str(values["THREADS_REDIRECT_URI"]),
        )

    @staticmethod
    def authorization_url(config: Configuration | None = None) -> tuple[str, str]:
        """The consent URL and the fresh ``state`` to keep until the callback."""
        config = config or Threads.load_configuration()
        state = secrets.token_urlsafe(32)
        query = urlencode(
            {
                "client_id": config.app_id,
                "redirect_uri": config.redirect_uri,
                "scope": config.scopes_str(),
                "response_type": "code",
                "state": state,
            }
        )
        return f"{AUTHORIZE_URL}?{query}", state

    @staticmethod
    def fetch_user_id_and_token(
        request_url: str,
        state: str,
        config: Configuration | None = None,
        *,
        session: requests.Session | None = None,
        base_url: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
    ) -> tuple[str, str, dt.datetime]:
        """Check the callback's state, then trade its code for a 1-hour token.

        Returns ``(user_id, access_token, expiration)``.
        """
        config = config or Threads.load_configuration()
        query = {k: v[-1] for k, v in parse_qs(urlsplit(request_url).query).items()}
        if "error" in query:
            description = query.get("error_description", "")
            raise OAuth2Error(
                f"authorization refused: {description or query['error']}",
                error=query["error"],
                description=description,
            )
        returned = query.get("state", "")
        if not state or not hmac.compare_digest(returned.encode(), state.encode()):
            raise OAuthStateMismatch(
                "the callback's state does not match the one issued; start the login again",
                error="mismatching_state",
            )
        code = query.get("code", "").removesuffix("#_")
        if not code:
            raise OAuth2Error("the callback URL carries no code", error="missing_code")
        with _transport(session, base_url, timeout, secret=config.api_secret) as transport:
            body = transport.request(
                "POST",
                "oauth/access_token",
                versioned=False,
                auth=False,
                params={
                    "client_id": config.app_id,
                    "client_secret": config.api_secret,
                    "code": code,
                    "grant_type": "authorization_code",
                    "redirect_uri": config.redirect_uri,
                },
            )
        token, expiration = _token_and_expiry(body, SHORT_LIVED)
        return str(body.get("user_id", "")), token, expiration

    @staticmethod
    def fetch_long_lived_token(
        access_token: str,
        expiration: dt.datetime,
        config: Configuration | None = None,
        *,
        session: requests.Session | None = None,
        base_url: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
    ) -> tuple[str, dt.datetime]:
        """Trade an unexpired short-lived token for a 60-day one: ``(token, expiration)``."""
        if utcnow() >= expiration:
            raise ThreadsAccessTokenExpired("the short-lived token has expired; log in again")
        config = config or Threads.load_configuration()
        with _transport(
            session, base_url, timeout, token=access_token, secret=config.api_secret
        ) as transport:
            body = transport.request(
                "GET",
                "access_token",
                versioned=False,
                params={"grant_type": "th_exchange_token", "client_secret": config.api_secret},
            )
        return _token_and_expiry(body, LONG_LIVED)

    @staticmethod
    def complete_authorization(
        callback_url: str,
        state: str,
        long_lived_token: bool = True,
        config: Configuration | None = None,
        *,
        session: requests.Session | None = None,
        base_url: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
    ) -> Credentials:
        """The whole callback: state check, code exchange, and (by default) the long-lived one."""
        config = config or Threads.load_configuration()
        options: dict[str, Any] = {"session": session, "base_url": base_url, "timeout": timeout}
        user_id, token, expiration = Threads.fetch_user_id_and_token(
            callback_url, state, config, **options
        )
        if long_lived_token:
            token, expiration = Threads.fetch_long_lived_token(token, expiration, config, **options)
        return Credentials(
            user_id=user_id,
            scopes=list(config.scopes),
            short_lived=not long_lived_token,
            access_token=token,
            expiration=expiration,
            issued_at=utcnow(),
        )

    @staticmethod
    def refresh_long_lived_token(
        credentials: Credentials,
        *,
        session: requests.Session | None = None,
        base_url: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
    ) -> tuple[str, dt.datetime]:
        """A fresh 60-day token for a long-lived one at least 24 h old: ``(token, expiration)``.

        Refuses, before anything is sent, what Meta would refuse anyway (as
        pythreads does): a short-lived token (``ThreadsAuthenticationError``:
        exchange it with ``fetch_long_lived_token``) and an expired one
        (``ThreadsAccessTokenExpired``: log in again).
        """
        _check_refreshable(credentials)
        with _transport(session, base_url, timeout, token=credentials.access_token) as transport:
            body = transport.request(
                "GET",
                "refresh_access_token",
                versioned=False,
                params={"grant_type": "th_refresh_token"},
            )
        return _token_and_expiry(body, LONG_LIVED)

    @staticmethod
    def refresh_credentials(
        credentials: Credentials,
        *,
        session: requests.Session | None = None,
        base_url: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
    ) -> Credentials:
        """Like ``refresh_long_lived_token``, returning new Credentials."""
        token, expiration = Threads.refresh_long_lived_token(
            credentials, session=session, base_url=base_url, timeout=timeout
        )
        return Credentials(
            user_id=credentials.user_id,
            scopes=list(credentials.scopes),
            short_lived=False,
            access_token=token,
            expiration=expiration,
            issued_at=utcnow(),
        )

    @staticmethod
    def refresh_if_due(
        credentials: Credentials,
        within_days: float = 7,
        now: dt.datetime | None = None,
        *,
        session: requests.Session | None = None,
        base_url: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
    ) -> Credentials:
        """Refresh once the token is within ``within_days`` of expiry and 24 h old.

        Otherwise return ``credentials`` unchanged: short-lived tokens (exchange
        them instead), tokens of unknown expiry, and tokens not yet due or too
        young. Without ``issued_at`` the age is taken from the 60-day lifetime.
        """
        now = now or utcnow()
        if credentials.short_lived or credentials.expiration is None:
            return credentials
        _check_refreshable(credentials, now)
        if credentials.expiration - now > dt.timedelta(days=within_days):
            return credentials
        issued = credentials.issued_at or credentials.expiration - LONG_LIVED
        if now - issued < MIN_AGE_FOR_REFRESH:
            return credentials
        return Threads.refresh_credentials(
            credentials, session=session, base_url=base_url, timeout=timeout
        )
