"""Suite-wide guardrails: no network but loopback, no real credentials."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_loopback(address: object) -> bool:
    if isinstance(address, str):  # AF_UNIX path
        return True
    if not isinstance(address, tuple) or not address:
        return False
    host = address[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_loopback(address):
        raise OSError(f"tests may only reach loopback, not {address!r}")
    _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_loopback(address):
        raise OSError(f"tests may only reach loopback, not {address!r}")
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


_real_getaddrinfo = socket.getaddrinfo


def _guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
    """Name lookups leave the machine too: only loopback names and addresses resolve."""
    if host is not None and not _is_loopback((host.decode() if isinstance(host, bytes) else host,)):
        raise OSError(f"tests may only reach loopback, not look up {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


_PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)
    # A proxy would carry loopback traffic (and its Bearer token) off the
    # machine, from child processes too, which the socket guard can't see.
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,::1")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost,::1")
    yield


@pytest.fixture(autouse=True)
def _no_real_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A developer's real token must never reach a test: not from the environment, and not
    from the credentials file 'auth login' wrote, which commands use when no variable is set."""
    monkeypatch.setenv("THREADSYNC_CREDENTIALS", str(tmp_path / "no-credentials.json"))
    for name in (
        "THREADS_ACCESS_TOKEN",
        "THREADS_USER_ID",
        "THREADS_API_URL",
        "THREADS_APP_ID",
        "THREADS_APP_SECRET",
        "THREADS_API_SECRET",
        "THREADS_REDIRECT_URI",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_OUTPUT",
        "GITHUB_ACTIONS",
    ):
        monkeypatch.delenv(name, raising=False)
