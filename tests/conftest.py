"""Suite-wide guardrails: no network but loopback, no real credentials; a local S3 server."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import s3kit  # tests/s3kit.py: this folder is on sys.path for its conftest

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
        "GITHUB_SHA",
        "GITHUB_REPOSITORY",
    ):
        monkeypatch.delenv(name, raising=False)


_AWS_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
)


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A developer's AWS keys, profiles and instance role must never reach a test (or a bucket)."""
    for name in _AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no look-up of a role off the machine


# -- a local S3 server (moto), for media.store: s3 --------------------------------------------


@pytest.fixture(scope="session")
def _moto_server() -> Iterator[str]:
    with s3kit.moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def bucket(_moto_server: str, monkeypatch: pytest.MonkeyPatch) -> s3kit.Bucket:
    """A fresh public bucket, and test credentials in the environment (a canary secret)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing-key-id")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3kit.AWS_SECRET_CANARY)
    return s3kit.Bucket.make(_moto_server)
