"""A request that got no answer, in one line a person can act on: the server, why, what to check.

requests wraps the operating system's error three layers deep, and its text
is mostly urllib3's ("HTTPConnectionPool(host=..., port=...): Max retries
exceeded with url: ... (Caused by NewConnectionError('<urllib3.connection...
object at 0x7f...>: Failed to establish a new connection: [Errno 111]
Connection refused'))").  What a person needs is in there: this module finds
the cause in the chain and words it, beside the server and the fix.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
from collections.abc import Iterator
from urllib.parse import urlsplit

import requests

from threadsync.api._redact import Redactor
from threadsync.api.errors import (
    ThreadsConnectionError,
    ThreadsTimeoutError,
    ThreadsTransportError,
)

LOCAL_HINT = "is the emulator running? (THREADS_API_URL)"
REMOTE_HINT = "check your network, or THREADS_API_URL"
_OBJECT = re.compile(r"<[\w.]+ object at 0x[0-9a-f]+>:?\s*")
_MAX_CAUSE = 80

# The first class a link of the chain is an instance of names the cause.
# RemoteDisconnected is a ConnectionResetError, so it comes first.
_CAUSES: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((requests.exceptions.SSLError, ssl.SSLError), "TLS failure"),
    ((requests.Timeout, TimeoutError, socket.timeout), "timed out"),
    ((ConnectionRefusedError,), "connection refused"),
    ((socket.gaierror,), "name not resolved"),
    ((http.client.RemoteDisconnected, ConnectionAbortedError), "connection closed"),
    ((ConnectionResetError,), "connection reset"),
    ((requests.exceptions.ProxyError,), "proxy failure"),
)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every error it wraps (urllib3's ``reason``, causes, arguments)."""
    seen: set[int] = set()
    queue = [exc]
    while queue and len(seen) < 32:
        link = queue.pop(0)
        if id(link) in seen:
            continue
        seen.add(id(link))
        yield link
        inner = [getattr(link, "reason", None), link.__cause__, link.__context__, *link.args]
        queue.extend(e for e in inner if isinstance(e, BaseException))


def cause_of(exc: BaseException) -> str:
    """The reason a request got no answer, in a few words."""
    links = list(_chain(exc))
    for classes, words in _CAUSES:
        if any(isinstance(link, classes) for link in links):
            return words
    last = links[-1]
    wrapper = isinstance(last, requests.RequestException)
    if isinstance(last, OSError) and not wrapper and last.strerror:
        return last.strerror.lower()
    text = _OBJECT.sub("", str(last)).strip().splitlines()
    shown = text[0] if text else type(last).__name__
    return shown if len(shown) <= _MAX_CAUSE else shown[: _MAX_CAUSE - 1] + "…"


def shown_url(base_url: str) -> str:
    """The server as a person typed it: no user, password, query or trailing slash."""
    parts = urlsplit(base_url)
    host = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{host}{parts.path}".rstrip("/")


def is_loopback(base_url: str) -> bool:
    host = urlsplit(base_url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def unreachable(
    exc: requests.RequestException, base_url: str, redactor: Redactor
) -> ThreadsTransportError:
    """The client's error for a request that got no answer from ``base_url``.

    One line: ``can't reach URL (cause): hint``.  A server on this machine is
    most likely the emulator, not started; anything else, the network or a
    mistyped ``THREADS_API_URL``.
    """
    cause = redactor.text(cause_of(exc))
    where = redactor.text(shown_url(base_url))
    hint = LOCAL_HINT if is_loopback(base_url) else REMOTE_HINT
    kind = ThreadsTimeoutError if isinstance(exc, requests.Timeout) else ThreadsConnectionError
    return kind(f"can't reach {where} ({cause}): {hint}", base_url=where, cause=cause)
