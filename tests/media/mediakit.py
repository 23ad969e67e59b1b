"""Helpers of the media tests: tiny images, git repositories, a local file server."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cli.support import GIT_ENV
from content.contentkit import write


def png(tail: bytes = b"") -> bytes:
    """A 2x2 PNG header (all the loader reads), then ``tail``: different tails, different files."""
    ihdr = b"\x00\x00\x00\x0dIHDR" + (2).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"
    return b"\x89PNG\r\n\x1a\n" + ihdr + b"\x00" * 4 + tail


def mp4() -> bytes:
    return (24).to_bytes(4, "big") + b"ftypisom" + b"\x00\x00\x02\x00isomiso2" + b"\x00" * 16


def git(root: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True, env=GIT_ENV
    )
    return out.stdout.strip()


def make_repo(root: Path, files: dict[str, bytes | str]) -> str:
    """A git repository holding ``files``, committed; returns the commit's sha."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    write(root, files)
    return commit(root)


def commit(root: Path) -> str:
    git(root, "add", "-A")
    git(root, "-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty", "-m", "content")
    return git(root, "rev-parse", "HEAD")


# (status, headers, body) for a path; None: 404.  A body of chunks is sent until the client
# hangs up (give it a Content-Length).
Route = Callable[
    [str, dict[str, str]], "tuple[int, dict[str, str], bytes | Iterable[bytes]] | None"
]
Seen = list[tuple[str, str, dict[str, str]]]  # (method, path, headers) of each request


@contextmanager
def file_server(routes: dict[str, Route]) -> Iterator[tuple[str, Seen]]:
    """An HTTP server on 127.0.0.1: ``routes`` maps a path to what it answers.

    Yields its base URL and the requests it got: (method, path, headers).
    """
    seen: Seen = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _serve(self, body_too: bool) -> None:
            headers = {k: v for k, v in self.headers.items()}
            seen.append((self.command, self.path, headers))
            route = routes.get(self.path)
            answer = route(self.command, headers) if route else None
            status, extra, body = answer if answer is not None else (404, {}, b"not found")
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            if "Content-Length" not in extra and isinstance(body, bytes):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body_too:
                try:
                    for chunk in [body] if isinstance(body, bytes) else body:
                        self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        def do_HEAD(self) -> None:
            self._serve(body_too=False)

        def do_GET(self) -> None:
            self._serve(body_too=True)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def serve(data: bytes, content_type: str) -> Route:
    """A route that serves ``data`` with ``content_type`` to HEAD and GET (ranges too)."""

    def route(method: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if headers.get("Range") == "bytes=0-0":
            extra = {"Content-Type": content_type, "Content-Range": f"bytes 0-0/{len(data)}"}
            return 206, extra, data[:1]
        return 200, {"Content-Type": content_type}, data

    return route
