"""A local fake of the few GitHub REST endpoints the sticky comment uses (stdlib only).

It answers on 127.0.0.1 like api.github.com would: issue comments with
``per_page``/``page`` pagination and ``Link: <...>; rel="next"`` headers,
PATCH/DELETE of a comment, and GET of a pull request; a wrong token gets 401.
Every request is logged, so tests can check what was sent.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

BOT = "github-actions[bot]"


@dataclass
class Logged:
    method: str
    path: str
    authorization: str
    body: Any


@dataclass
class FakeGitHub:
    token: str = "ghs_fake_github_token_0123456789"
    page_size: int = 100
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    log: list[Logged] = field(default_factory=list)
    next_link_override: str | None = None
    _next_id: int = 1000
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def add_comment(self, pr: int, body: str, login: str = BOT) -> dict[str, Any]:
        self._next_id += 1
        comment = {
            "id": self._next_id,
            "body": body,
            "user": {"login": login},
            "html_url": f"https://github.example/pr/{pr}#issuecomment-{self._next_id}",
        }
        self.comments.setdefault(pr, []).append(comment)
        return comment

    def add_pull(self, number: int, head_sha: str, state: str = "open") -> None:
        self.pulls[number] = {"number": number, "state": state, "head": {"sha": head_sha}}

    def requests(self, method: str) -> list[Logged]:
        return [r for r in self.log if r.method == method]

    def start(self) -> FakeGitHub:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None):
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                auth = self.headers.get("Authorization", "")
                fake.log.append(Logged(method, self.path, auth, body))
                if auth != f"Bearer {fake.token}":
                    return self._send(401, {"message": "Bad credentials"})
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                m = re.fullmatch(r"/repos/[^/]+/[^/]+/issues/(\d+)/comments", parts.path)
                if m and method == "GET":
                    return self._list(int(m.group(1)), query)
                if m and method == "POST":
                    made = fake.add_comment(int(m.group(1)), body["body"])
                    return self._send(201, made)
                m = re.fullmatch(r"/repos/[^/]+/[^/]+/issues/comments/(\d+)", parts.path)
                if m:
                    return self._comment(method, int(m.group(1)), body)
                m = re.fullmatch(r"/repos/[^/]+/[^/]+/pulls/(\d+)", parts.path)
                if m and method == "GET":
                    pull = fake.pulls.get(int(m.group(1)))
                    return (
                        self._send(200, pull) if pull else self._send(404, {"message": "Not Found"})
                    )
                return self._send(404, {"message": "Not Found"})

            def _list(self, pr: int, query: dict[str, str]) -> None:
                per_page = min(int(query.get("per_page", 30)), fake.page_size)
                page = int(query.get("page", 1))
                items = fake.comments.get(pr, [])
                chunk = items[(page - 1) * per_page : page * per_page]
                headers = {}
                if page * per_page < len(items):
                    base = f"{fake.url}{urlsplit(self.path).path}"
                    link = fake.next_link_override or f"{base}?per_page={per_page}&page={page + 1}"
                    headers["Link"] = f'<{link}>; rel="next", <{base}?page=1>; rel="first"'
                self._send(200, chunk, headers)

            def _comment(self, method: str, comment_id: int, body: Any) -> None:
                for items in fake.comments.values():
                    for comment in items:
                        if comment["id"] != comment_id:
                            continue
                        if method == "PATCH":
                            comment["body"] = body["body"]
                            return self._send(200, comment)
                        if method == "DELETE":
                            items.remove(comment)
                            return self._send(204)
                return self._send(404, {"message": "Not Found"})

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_PATCH(self) -> None:
                self._handle("PATCH")

            def do_DELETE(self) -> None:
                self._handle("DELETE")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
