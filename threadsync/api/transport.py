"""One ``request()`` for every call: URL, auth header, encoding, timeouts, retries, errors, logs.

- The token travels only in ``Authorization: Bearer``, and no secret ever
  reaches a URL: on a GET, parameters named like secrets (``client_secret``,
  ``input_token``...) go in a form body while the rest stay in the query
  string. Meta's examples put them in the URL, which lands in access logs.
- POST/DELETE parameters go in a form body. Booleans are ``true``/``false``,
  lists are comma-joined, objects are JSON strings (Meta's encoding for
  ``poll_attachment`` and friends).
- Every request has a (connect, read) timeout.
- Retries follow a :class:`RetryPolicy` and only happen where the caller
  allows them; ``threads_publish`` never does.  ``on_retry`` hears of each
  one before its wait.
- A request that gets no answer raises one line naming the server, the
  cause and what to check (``unreachable.py``).
- Requests are logged at DEBUG on ``threadsync.api`` with secrets redacted.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit

import requests

from threadsync.api._redact import SECRET_KEYS, Redactor
from threadsync.api.errors import (
    ThreadsAPIError,
    ThreadsError,
    ThreadsInvalidParameter,
    ThreadsResponseError,
    ThreadsTransportError,
    error_from_response,
)
from threadsync.api.retry import NO_RETRY, RetryEvent, RetryPolicy
from threadsync.api.unreachable import unreachable

logger = logging.getLogger("threadsync.api")

DEFAULT_BASE_URL = "https://graph.threads.net"
API_VERSION = "v1.0"
DEFAULT_TIMEOUT = (10.0, 30.0)

JSONDict = dict[str, Any]
Timeout = float | tuple[float, float]
_VERSION_SUFFIX = re.compile(r"/v\d+\.\d+$")


def default_base_url() -> str:
    """``THREADS_API_URL`` (read when called, never at import), else Meta's Graph root."""
    return os.environ.get("THREADS_API_URL") or DEFAULT_BASE_URL


@functools.cache
def user_agent() -> str:
    try:
        version = metadata.version("threadsync")
    except metadata.PackageNotFoundError:
        version = "0"
    return f"threadsync/{version} (+python-requests/{requests.__version__})"


def graph_root(base_url: str) -> str:
    """The Graph root without a trailing slash or version, so we choose the version."""
    return _VERSION_SUFFIX.sub("", base_url.rstrip("/"))


def as_timeout(timeout: Timeout) -> tuple[float, float]:
    return timeout if isinstance(timeout, tuple) else (float(timeout), float(timeout))


def encode_value(value: object) -> str | None:
    """A parameter value the way Meta reads it; None means "leave it out"."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return encode_value(value.value)
    if isinstance(value, dt.datetime):
        return str(int(value.timestamp()))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, Mapping) or (
        isinstance(value, list | tuple) and any(isinstance(v, Mapping) for v in value)
    ):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(v for v in (encode_value(x) for x in value) if v is not None)
    raise ThreadsInvalidParameter(f"cannot send a {type(value).__name__} as a parameter")


def encode_params(params: Mapping[str, object] | None) -> dict[str, str]:
    encoded = {key: encode_value(value) for key, value in (params or {}).items()}
    return {key: value for key, value in encoded.items() if value is not None}


class Transport:
    """Sends requests to one Graph root with one session and one set of policies."""

    def __init__(
        self,
        *,
        session: requests.Session,
        base_url: str,
        timeout: Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        token: Callable[[], str | None] | None = None,
        secrets: Iterable[str | None] = (),
        rand: Callable[[], float] = random.random,
        on_retry: Callable[[RetryEvent], None] | None = None,
    ) -> None:
        self.session = session
        self.base_url = graph_root(base_url)
        self.timeout = as_timeout(timeout)
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        self._token = token or (lambda: None)
        self._redactor = Redactor(secrets)
        self._rand = rand
        self._on_retry = on_retry

    def url(self, path: str, *, versioned: bool = True) -> str:
        prefix = f"{self.base_url}/{API_VERSION}" if versioned else self.base_url
        return f"{prefix}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, object] | None = None,
        versioned: bool = True,
        retry: bool | None = None,
        auth: bool = True,
    ) -> JSONDict:
        """Send and decode one call. ``retry`` defaults to True for GET only."""
        method = method.upper()
        encoded = encode_params(params)
        secret = {k: v for k, v in encoded.items() if k in SECRET_KEYS}
        if method == "GET":
            query = {k: v for k, v in encoded.items() if k not in secret}
            body = secret
        else:
            query, body = {}, encoded
        token = self._token() if auth else None
        redactor = self._redactor.with_secrets([token, *secret.values()])
        headers = {"Accept": "application/json", "User-Agent": user_agent()}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        should_retry = method == "GET" if retry is None else retry
        policy = self.retry if should_retry else NO_RETRY
        url = self.url(path, versioned=versioned)
        started = self._clock()
        attempt = 0
        while True:
            attempt += 1
            try:
                decoded = self._send(method, url, query, body, headers, redactor)
                # A data response never holds our secrets; if a server echoes one (in a
                # container's error_message, say), it goes no further.  Token responses
                # carry new tokens by design, and are left alone.
                return redactor.values(decoded) if versioned else decoded
            except ThreadsError as exc:
                if not exc.retryable or attempt >= policy.max_attempts:
                    raise
                hint = exc.retry_after if isinstance(exc, ThreadsAPIError) else None
                delay = policy.delay(attempt, hint, self._rand())
                if self._clock() - started + delay > policy.total_timeout:
                    raise
                logger.info(
                    "retrying %s %s in %.2fs (attempt %d of %d) after: %s",
                    method,
                    url,
                    delay,
                    attempt + 1,
                    policy.max_attempts,
                    redactor.text(exc),
                )
                if self._on_retry is not None:
                    reason = redactor.text(_reason(exc))
                    retries = policy.max_attempts - 1
                    path = urlsplit(url).path
                    self._on_retry(RetryEvent(method, path, reason, delay, attempt, retries))
                self._sleep(delay)

    def _send(
        self,
        method: str,
        url: str,
        query: dict[str, str],
        body: dict[str, str],
        headers: dict[str, str],
        redactor: Redactor,
    ) -> JSONDict:
        logger.debug(
            "%s %s params=%s data=%s", method, url, redactor.params(query), redactor.params(body)
        )
        started = self._clock()
        try:
            response = self.session.request(
                method,
                url,
                params=query or None,
                data=body or None,
                headers=headers,
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            logger.debug("%s %s got no answer: %s", method, url, redactor.text(exc))
            raise unreachable(exc, self.base_url, redactor) from exc
        logger.debug(
            "%s %s -> HTTP %d in %.3fs",
            method,
            url,
            response.status_code,
            self._clock() - started,
        )
        try:
            decoded: Any = response.json()
        except ValueError:
            decoded = None
        if response.status_code >= 400 or (
            isinstance(decoded, Mapping) and isinstance(decoded.get("error"), Mapping)
        ):
            raise error_from_response(
                response.status_code,
                decoded,
                text=response.text,
                headers=response.headers,
                redactor=redactor,
            )
        if not isinstance(decoded, dict):
            snippet = " ".join(response.text.split())[:200]
            raise ThreadsResponseError(
                redactor.text(f"{method} {url}: expected a JSON object, got {snippet!r}"),
                http_status=response.status_code,
            )
        return decoded


def _reason(exc: ThreadsError) -> str:
    """What went wrong with one attempt, in a few words."""
    if isinstance(exc, ThreadsTransportError) and exc.cause:
        return exc.cause
    if isinstance(exc, ThreadsAPIError) and exc.http_status is not None:
        code = f", code {exc.code}" if exc.code is not None else ""
        return f"HTTP {exc.http_status}{code}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
