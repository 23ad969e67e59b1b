"""The preflight against a local server that serves, misses and mislabels files."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from threadsync.media.preflight import Preflight

from .mediakit import file_server, mp4, png, serve

IMAGE = png(b"the picture")
VIDEO = mp4()


def _redirect(to: str):  # type: ignore[no-untyped-def]
    return lambda method, headers: (302, {"Location": to}, b"")


def _status(code: int, content_type: str = "text/plain"):  # type: ignore[no-untyped-def]
    return lambda method, headers: (code, {"Content-Type": content_type}, b"no")


def _head_refused(data: bytes, content_type: str, code: int):  # type: ignore[no-untyped-def]
    serving = serve(data, content_type)
    return lambda method, headers: (code, {}, b"") if method == "HEAD" else serving(method, headers)


ROUTES = {
    "/a.png": serve(IMAGE, "image/png"),
    "/a.jpg": serve(IMAGE, "image/jpeg; charset=binary"),
    "/v.mp4": serve(VIDEO, "video/mp4"),
    "/raw.mp4": serve(VIDEO, "application/octet-stream"),  # raw.githubusercontent.com's videos
    "/login.png": serve(b"<html>sign in</html>", "text/html; charset=utf-8"),
    "/image-as-video.mp4": serve(IMAGE, "image/png"),
    "/short.png": serve(IMAGE[:-3], "image/png"),
    "/gone.png": _status(410),
    "/error.png": _status(500),
    "/moved.png": _redirect("/a.png"),
    "/to-file.png": _redirect("file:///etc/passwd"),
    "/loop.png": _redirect("/loop.png"),
    "/head-405.png": _head_refused(IMAGE, "image/png", 405),
    "/head-403.png": _head_refused(IMAGE, "image/png", 403),
    "/private.png": _status(403, "application/xml"),
    **{f"/hop{n}.png": _redirect(f"/hop{n + 1}.png") for n in range(1, 4)},
    "/hop4.png": _redirect("/a.png"),
}


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    with file_server(ROUTES) as (base, seen):
        yield base, seen


def test_a_served_file_passes(server) -> None:  # type: ignore[no-untyped-def]
    base, seen = server
    check = Preflight()
    assert check.problem(f"{base}/a.png", "image", len(IMAGE), "content/a.png") is None
    assert check.problem(f"{base}/a.jpg", "image", None, None) is None
    assert check.problem(f"{base}/v.mp4", "video", len(VIDEO), "v.mp4") is None
    assert [(method, path) for method, path, _ in seen] == [
        ("HEAD", "/a.png"),
        ("HEAD", "/a.jpg"),
        ("HEAD", "/v.mp4"),
    ]


def test_a_404_is_refused_with_what_came_back(server) -> None:  # type: ignore[no-untyped-def]
    base, _ = server
    check = Preflight()
    assert check.problem(f"{base}/missing.png", "image", len(IMAGE), "content/a.png") == (
        f"{base}/missing.png answered 404 Not Found; Threads could not fetch it"
    )
    assert "answered 410 Gone" in (check.problem(f"{base}/gone.png", "image", None, None) or "")
    assert "answered 500" in (check.problem(f"{base}/error.png", "image", None, None) or "")


def test_a_mislabelled_file_is_refused(server) -> None:  # type: ignore[no-untyped-def]
    base, _ = server
    check = Preflight()
    assert check.problem(f"{base}/login.png", "image", None, None) == (
        f"{base}/login.png answered Content-Type text/html; "
        "an image must be image/jpeg or image/jpg or image/png"
    )
    assert check.problem(f"{base}/image-as-video.mp4", "video", None, None) == (
        f"{base}/image-as-video.mp4 answered Content-Type image/png; "
        "a video must be video/mp4 or video/quicktime"
    )


def test_an_unlabelled_binary_passes(server) -> None:  # type: ignore[no-untyped-def]
    """raw.githubusercontent.com serves videos as application/octet-stream: no type, no clash."""
    base, _ = server
    assert Preflight().problem(f"{base}/raw.mp4", "video", len(VIDEO), "v.mp4") is None


def test_another_size_than_the_local_file(server) -> None:  # type: ignore[no-untyped-def]
    base, _ = server
    assert Preflight().problem(f"{base}/short.png", "image", len(IMAGE), "content/a.png") == (
        f"{base}/short.png answered {len(IMAGE) - 3:,} bytes, but content/a.png has {len(IMAGE):,}"
    )


@pytest.mark.parametrize("path", ["/head-405.png", "/head-403.png"])
def test_a_refused_head_is_followed_by_a_one_byte_get(server, path: str) -> None:  # type: ignore[no-untyped-def]
    base, seen = server
    assert Preflight().problem(f"{base}{path}", "image", len(IMAGE), "a.png") is None
    assert [(m, p, h.get("Range")) for m, p, h in seen] == [
        ("HEAD", path, None),
        ("GET", path, "bytes=0-0"),
    ]


def test_a_private_bucket_answers_403_to_both(server) -> None:  # type: ignore[no-untyped-def]
    base, _ = server
    assert Preflight().problem(f"{base}/private.png", "image", None, None) == (
        f"{base}/private.png answered 403 Forbidden; Threads could not fetch it"
    )


def test_redirects_are_followed_to_http_only(server) -> None:  # type: ignore[no-untyped-def]
    base, _ = server
    check = Preflight()
    assert check.problem(f"{base}/moved.png", "image", len(IMAGE), "a.png") is None
    assert check.problem(f"{base}/to-file.png", "image", None, None) == (
        f"{base}/to-file.png redirects to file:///etc/passwd, which Threads can't fetch"
    )
    assert check.problem(f"{base}/loop.png", "image", None, None) == (
        f"{base}/loop.png redirects more than 5 times"
    )


def test_an_endless_answer_to_the_ranged_get_is_not_read() -> None:
    """A server that ignores Range and sends gigabytes: its size is known from the headers."""
    sent: list[int] = []
    total = 256 * 1024 * 1024

    def endless(method: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
        if method == "HEAD":
            return 405, {}, b""
        chunk = png(b"\0" * (1 << 20))[: 1 << 20]

        def body():  # type: ignore[no-untyped-def]
            for _ in range(total // len(chunk)):
                sent.append(len(chunk))
                yield chunk

        return 200, {"Content-Type": "image/png", "Content-Length": str(total)}, body()

    with file_server({"/huge.png": endless}) as (base, _):
        problem = Preflight().problem(f"{base}/huge.png", "image", len(IMAGE), "a.png")
    assert problem == f"{base}/huge.png answered {total:,} bytes, but a.png has {len(IMAGE):,}"
    assert sum(sent) < total // 8  # what the sockets' buffers took, not the body


def test_an_unreachable_server_is_one_line() -> None:
    assert Preflight().problem("http://127.0.0.1:9/a.png", "image", None, None) == (
        "http://127.0.0.1:9/a.png could not be reached (ConnectionError)"
    )


def test_no_credentials_are_sent(
    server,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A .netrc entry for the host must not make a private URL look public (nor leak)."""
    base, seen = server
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login me password netrc-CANARY\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Preflight().problem(f"{base}/a.png", "image", None, None) is None
    (_, _, headers) = seen[0]
    assert "Authorization" not in headers
    assert headers["User-Agent"] == "threadsync media preflight"


@contextmanager
def _trickling_server() -> Iterator[tuple[str, list[int]]]:
    """A server that answers every request one header byte at a time, 20 ms apart, for ever.

    Each byte is a read of its own, so a per-read timeout never fires.  Yields
    its URL and how many bytes it sent before the client hung up.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    sent: list[int] = []

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(4096)
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            count = 0
            try:
                while True:
                    conn.sendall(b"z")
                    count += 1
                    time.sleep(0.02)
            except OSError:  # the client shut the connection
                sent.append(count)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/slow.png", sent
    finally:
        thread.join(5)
        listener.close()


def test_a_trickling_answer_is_cut_at_the_deadline() -> None:
    """Bytes keep coming within the read timeout: only the URL's deadline ends the wait."""
    with _trickling_server() as (url, sent):
        started = time.monotonic()
        problem = Preflight(deadline=0.3).problem(url, "image", len(IMAGE), "a.png")
        waited = time.monotonic() - started
    assert problem == f"{url} timed out: no full answer in 0.3 s"
    assert 0.3 <= waited < 1.5
    assert sent and sent[0] < 100  # the server saw the connection end, not run for ever


def test_slow_redirects_count_against_one_deadline(server) -> None:  # type: ignore[no-untyped-def]
    """Each hop is quick enough on its own; together they pass the URL's 30 s."""
    base, seen = server
    now = [0.0]

    def clock() -> float:  # 10 s go by each time it is read: no real waiting
        now[0] += 10.0
        return now[0]

    assert Preflight().problem(f"{base}/hop1.png", "image", None, None) is None
    check = Preflight(deadline=30.0, clock=clock)
    assert check.problem(f"{base}/hop1.png", "image", None, None) == (
        f"{base}/hop1.png timed out: no full answer in 30 s"
    )
    assert [p for _, p, _ in seen][-2:] == ["/hop1.png", "/hop2.png"]  # and no further
