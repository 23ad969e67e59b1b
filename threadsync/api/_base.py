"""What every API method stands on: the session, the transport and the token."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, TypeVar

import requests

from threadsync.api.credentials import Credentials
from threadsync.api.errors import (
    ThreadsAccessTokenExpired,
    ThreadsClientClosed,
    ThreadsResponseError,
)
from threadsync.api.models import checked_id
from threadsync.api.retry import RetryEvent, RetryPolicy
from threadsync.api.transport import (
    DEFAULT_TIMEOUT,
    JSONDict,
    Timeout,
    Transport,
    default_base_url,
)

C = TypeVar("C", bound="ClientBase")


class ClientBase:
    """Holds the credentials and one :class:`Transport`; a context manager.

    A session passed in stays open (its owner closes it); one created here is
    closed by :meth:`close`.
    """

    def __init__(
        self,
        credentials: Credentials,
        session: requests.Session | None = None,
        base_url: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        *,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        user_id: str | None = None,
        secrets: Iterable[str | None] = (),
        on_retry: Callable[[RetryEvent], None] | None = None,
    ) -> None:
        """``secrets``: more values never to let out in a message, beside the token
        (e.g. every secret of the environment, so a server echoing one gets nowhere).
        ``on_retry`` is told of each retry before its wait, to show it."""
        self.credentials = credentials
        self.user_id = user_id or credentials.user_id or "me"
        self._owns_session = session is None
        self._session: requests.Session | None = session or requests.Session()
        self._sleep = sleep
        self._clock = clock
        self.transport = Transport(
            session=self._session,
            base_url=base_url or default_base_url(),
            timeout=timeout,
            retry=retry,
            sleep=sleep,
            clock=clock,
            token=self._access_token,
            secrets=secrets,
            on_retry=on_retry,
        )

    @property
    def session(self) -> requests.Session | None:
        return self._session

    @property
    def base_url(self) -> str:
        return self.transport.base_url

    def _access_token(self) -> str:
        if self._session is None:
            raise ThreadsClientClosed("this API client is closed; create a new one")
        if self.credentials.expired():
            raise ThreadsAccessTokenExpired(
                "the access token has expired; refresh it or log in again"
            )
        return self.credentials.access_token

    def close(self) -> None:
        """Close the session if this client created it; a given one is left open."""
        if self._owns_session and self._session is not None:
            self._session.close()
        self._session = None

    def __enter__(self: C) -> C:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, user_id={self.user_id!r})"

    def _get(self, path: str, params: Mapping[str, object] | None = None) -> JSONDict:
        return self.transport.request("GET", path, params=params)

    def _post(
        self, path: str, params: Mapping[str, object] | None = None, *, retry: bool = False
    ) -> JSONDict:
        return self.transport.request("POST", path, params=params, retry=retry)

    def _delete(self, path: str) -> JSONDict:
        return self.transport.request("DELETE", path)

    @staticmethod
    def _id(body: Mapping[str, Any], what: str) -> str:
        value = body.get("id")
        if value is None or value == "":
            raise ThreadsResponseError(f"{what}: the response has no id", body=dict(body))
        return checked_id(value, f"{what}: id", dict(body))
