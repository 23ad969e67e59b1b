"""``watch``'s server: a web page elsewhere can't read the drafts, even by DNS rebinding.

Requests are sent by hand (http.client) to the real server on 127.0.0.1 with
the Host and Origin headers a browser sends for a page on another site.
"""

from __future__ import annotations

import http.client
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from threadsync.commands import watch_cmd as watch
from threadsync.preview.watch import Watcher

from .support import parse

Project = Callable[..., Path]
SECRET = "unannounced product launch"


@pytest.fixture
def server(project: Project) -> Iterator[Watcher]:
    root = project({"content/launch.yaml": f"text: {SECRET}\ndraft: true\n"})
    watcher = watch.make_watcher(
        watch.request_from(parse(watch, "watch", "--port", "0")), root / "site"
    ).start()
    yield watcher
    watcher.stop()


def send(
    w: Watcher, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", w.server.port, timeout=5)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        if method not in ("GET", "HEAD"):
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body or None)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", errors="replace")
    finally:
        conn.close()


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8000", "127.0.0.1.nip.io", "localhost.evil.example", ""]
)
def test_a_foreign_host_gets_no_page(server: Watcher, host: str) -> None:
    for path in ("/", "/post-launch.html", "/__threadsync/digest?page=post-launch.html"):
        status, body = send(server, "GET", path, {"Host": host})
        assert status == 403, (path, status)
        assert SECRET not in body
    assert send(server, "HEAD", "/", {"Host": host})[0] == 403


def test_a_request_without_a_host_gets_no_page(server: Watcher) -> None:
    status, body = send(server, "GET", "/", {})
    assert status == 403 and SECRET not in body


@pytest.mark.parametrize(
    "host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}", "localhost"]
)
def test_loopback_names_get_the_preview(server: Watcher, host: str) -> None:
    status, body = send(server, "GET", "/", {"Host": host.format(port=server.server.port)})
    assert status == 200 and SECRET in body


def test_a_page_elsewhere_can_not_send_it_anything(server: Watcher) -> None:
    own = {"Host": f"127.0.0.1:{server.server.port}"}
    for origin in ("https://evil.example", "null"):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            status, _ = send(server, method, "/", {**own, "Origin": origin}, b"x=1")
            assert status == 403, (origin, method)
    status, _ = send(server, "POST", "/", {**own, "Origin": "http://localhost:3000"}, b"x=1")
    assert status == 501  # past the check: the preview has nothing to POST to


def test_a_link_in_the_site_folder_is_not_followed(server: Watcher, tmp_path: Path) -> None:
    """A link committed into the site's folder (or placed there) serves nothing it points to."""
    outside = tmp_path / "outside.txt"
    outside.write_text("a file beside the checkout\n")
    site = server.server.directory
    (site / "leak.txt").symlink_to(outside)
    (site / "dir").symlink_to(tmp_path)
    local = {"Host": f"127.0.0.1:{server.server.port}"}
    for path in ("/leak.txt", "/dir/outside.txt"):
        status, body = send(server, "GET", path, local)
        assert status == 404, path
        assert "beside the checkout" not in body
    assert send(server, "GET", "/", local)[0] == 200
