"""DNS rebinding and cross-site requests: a web page can't read the emulator's token or wipe it.

Every request here is sent by hand (http.client) to the real emulator on
127.0.0.1, with the Host and Origin headers a browser would send for a page on
another site.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any

import pytest

from threadsync.emulator import Emulator
from threadsync.emulator.hosts import HostPolicy, host_of

from .test_cli import start, stop

FOREIGN_HOSTS = [
    "evil.example",
    "evil.example:8765",
    "localhost.evil.example",
    "127.0.0.1.nip.io",
    "127.0.0.1@evil.example",
    "127.0.0.1:80/x",
    "127.0.0.1:port",
    "",
]
FOREIGN_ORIGINS = ["https://evil.example", "http://evil.example:8765", "null", "file://"]


def send(
    emu: Emulator, method: str, path: str, headers: dict[str, str], body: str | None = None
) -> tuple[int, str]:
    """One request with exactly these headers (Host included: none is added)."""
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        data = body.encode() if body is not None else b""
        if method != "GET":
            conn.putheader("Content-Type", "application/x-www-form-urlencoded")
            conn.putheader("Content-Length", str(len(data)))
        conn.endheaders(data or None)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        conn.close()


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(processing="image=0s") as emulator:
        yield emulator


def _own(emu: Emulator) -> dict[str, str]:
    return {"Host": f"127.0.0.1:{emu.port}"}


def _post_something(emu: Emulator) -> None:
    auth = {**_own(emu), "Authorization": f"Bearer {emu.token}"}
    status, body = send(emu, "POST", "/v1.0/me/threads", auth, "media_type=TEXT&text=hello")
    assert status == 200, body
    container = json.loads(body)["id"]
    status, body = send(emu, "POST", "/v1.0/me/threads_publish", auth, f"creation_id={container}")
    assert status == 200, body


@pytest.mark.parametrize("host", FOREIGN_HOSTS)
def test_a_foreign_host_reads_neither_the_token_nor_the_posts(emu: Emulator, host: str) -> None:
    _post_something(emu)
    for path in ("/__emulator__/", "/__emulator__/posts", "/__emulator__/requests"):
        status, body = send(emu, "GET", path, {"Host": host})
        assert status == 403, (path, body)
        assert emu.token not in body and "hello" not in body
        assert "loopback" in json.loads(body)["error"]["message"]
    graph = {"Host": host, "Authorization": f"Bearer {emu.token}"}
    status, body = send(emu, "GET", "/v1.0/me/threads?fields=text", graph)
    assert status == 403 and "hello" not in body


def test_a_request_without_a_host_header_is_refused(emu: Emulator) -> None:
    status, body = send(emu, "GET", "/__emulator__/", {})
    assert status == 403 and emu.token not in body


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1:{port}",
        "localhost:{port}",
        "LOCALHOST",
        "localhost.",
        "127.8.9.10:{port}",
        "[::1]:{port}",
    ],
)
def test_loopback_names_and_addresses_are_answered(emu: Emulator, host: str) -> None:
    status, body = send(emu, "GET", "/__emulator__/", {"Host": host.format(port=emu.port)})
    assert status == 200 and json.loads(body)["access_token"] == emu.token


@pytest.mark.parametrize("origin", FOREIGN_ORIGINS)
def test_a_page_elsewhere_can_not_change_the_emulator(emu: Emulator, origin: str) -> None:
    _post_something(emu)
    headers = {**_own(emu), "Origin": origin}
    for method, path in (
        ("POST", "/__emulator__/reset"),
        ("DELETE", "/__emulator__/requests"),
        ("POST", "/__emulator__/clock/advance"),
        ("PUT", "/__emulator__/reset"),
    ):
        status, body = send(emu, method, path, headers, "seconds=86400")
        assert status == 403, (method, path, body)
    assert [p["params"]["text"] for p in emu.posts()] == ["hello"]  # not wiped
    assert emu.requests()  # the log is kept
    graph = {**headers, "Authorization": f"Bearer {emu.token}"}
    status, _ = send(emu, "POST", "/v1.0/me/threads", graph, "media_type=TEXT&text=spam")
    assert status == 403
    status, _ = send(emu, "GET", "/__emulator__/clock", headers)
    assert status == 200  # reading changes nothing, and the browser keeps the answer from it


@pytest.mark.parametrize(
    "origin", [None, "http://127.0.0.1:3000", "https://localhost", "http://[::1]:1"]
)
def test_our_clients_and_loopback_pages_still_change_it(emu: Emulator, origin: str | None) -> None:
    _post_something(emu)
    headers = _own(emu) | ({"Origin": origin} if origin else {})
    status, body = send(emu, "POST", "/__emulator__/reset", headers, "")
    assert status == 200, body
    assert emu.posts() == []


def test_allowed_host_names_are_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    with Emulator(allowed_hosts=("threads-emulator",)) as emu:
        status, _ = send(emu, "GET", "/__emulator__/", {"Host": f"threads-emulator:{emu.port}"})
        assert status == 200
        status, _ = send(emu, "GET", "/__emulator__/", {"Host": "other-name"})
        assert status == 403


def test_the_command_line_allows_a_host_name() -> None:
    proc, values = start("--allow-host", "threads-emulator")
    try:
        port = int(values["url"].rsplit(":", 1)[1])
        emu: Any = type("Target", (), {"port": port})()
        assert send(emu, "GET", "/__emulator__/clock", {"Host": "threads-emulator"})[0] == 200
        assert send(emu, "GET", "/__emulator__/clock", {"Host": "evil.example"})[0] == 403
    finally:
        assert stop(proc)[0] == 0


def test_the_bound_address_and_a_wildcard_bind() -> None:
    """Bound to an address, that address is answered too; on 0.0.0.0 or ::, any address,
    since a rebinding needs a name (checked as rules: the tests bind to loopback only)."""
    specific = HostPolicy("192.168.1.5")
    assert specific.refusal("GET", "192.168.1.5:8765", None) is None
    assert specific.refusal("GET", "192.168.1.6:8765", None) is not None
    for wildcard in (HostPolicy("0.0.0.0"), HostPolicy("::")):  # noqa: S104 - rules only
        assert wildcard.refusal("GET", "10.0.0.7:8765", None) is None
        assert wildcard.refusal("GET", "[fd00::7]:8765", None) is None
        assert wildcard.refusal("GET", "evil.example", None) is not None
        assert wildcard.refusal("POST", "10.0.0.7", "https://evil.example") is not None
    assert host_of("[::1]:8765") == "::1" and host_of("Example.COM.") == "example.com"
