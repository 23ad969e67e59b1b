"""HTTP plumbing: a standard-library threaded server, the fault hooks, the log."""

from __future__ import annotations

import contextlib
import socket
import sys
import time
import traceback
from collections.abc import Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from . import admin, routes
from .core import Core
from .faults import FaultRule
from .hosts import HostPolicy
from .params import merge_params
from .wire import GraphError, Response, fbtrace_id, json_response


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default 5 drops SYNs when many clients connect at once

    def __init__(
        self,
        address: tuple[str, int],
        core: Core,
        *,
        access_log: bool = False,
        allowed_hosts: Iterable[str] = (),
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)
        self.core = core
        self.access_log = access_log
        self.hosts = HostPolicy(address[0], allowed_hosts)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return  # a client that went away (or was killed) is not an emulator error
        super().handle_error(request, client_address)


def _fault_response(rule: FaultRule) -> Response:
    if rule.action == "graph_error":
        return rule.error().response()
    headers = dict(rule.headers)
    if rule.retry_after is not None:
        headers["Retry-After"] = str(int(rule.retry_after))
    if isinstance(rule.body, (dict, list)):
        return json_response(rule.body, rule.status or 500, headers)
    text = "" if rule.body is None else str(rule.body)
    headers.setdefault("Content-Type", "text/plain; charset=UTF-8")
    return Response(rule.status or 500, text.encode("utf-8"), headers)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms delayed-ACK stalls
    server: EmulatorHTTPServer
    server_version = "threadsync-emulator"
    sys_version = ""

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def parse_request(self) -> bool:
        """Refuse, before any route runs, what a web page elsewhere sends (see hosts.py)."""
        if not super().parse_request():
            return False
        why = self.server.hosts.refusal(
            self.command, self.headers.get("Host"), self.headers.get("Origin")
        )
        if why is None:
            return True
        self.close_connection = True  # its body, if any, is never read
        self._send(json_response({"error": {"message": why, "type": "EmulatorHostCheck"}}, 403))
        return False

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.access_log:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self, method: str) -> None:
        core = self.server.core
        split = urlsplit(self.path)
        body = self._read_body()
        headers = {k.lower(): v for k, v in self.headers.items()}
        if split.path == admin.PREFIX or split.path.startswith(admin.PREFIX + "/"):
            client = str(self.client_address[0])
            self._send(admin.handle(core, method, split.path, split.query, headers, body, client))
            return
        params = merge_params(split.query, headers.get("content-type", ""), body)
        started, at = time.monotonic(), core.clock.now()
        rule = core.faults.pick(method, split.path)
        response, outcome = self._serve(core, rule, method, split.path, params, headers)
        core.log.add(
            at=at,
            method=method,
            path=self.path,
            params=params,
            headers=headers,
            status=response.status if response else None,
            fault=rule.id if rule else None,
            outcome=outcome,
            duration_ms=(time.monotonic() - started) * 1000,
        )
        if response is None:
            self._drop()
        else:
            self._send(response)

    def _serve(
        self,
        core: Core,
        rule: FaultRule | None,
        method: str,
        path: str,
        params: dict[str, str],
        headers: dict[str, str],
    ) -> tuple[Response | None, str]:
        action = rule.action if rule else ""
        errors = ("http_error", "graph_error")
        if rule is not None:
            if rule.delay:
                time.sleep(rule.delay)
            if action == "drop_before":
                return None, "dropped before the work"
            if action == "stall_before":
                core.faults.stall(rule, method, path, "before")
            if action in errors and rule.phase == "before":
                return _fault_response(rule), f"{action} before the work"
        try:
            response = routes.dispatch(core.store, method, path, params, headers)
        except Exception:  # an emulator bug: say so loudly, answer like Graph's code 1
            traceback.print_exc(file=sys.stderr)
            error = GraphError("An unknown error occurred (emulator bug)", code=1, status=500)
            response = error.response()
        if rule is None:
            return response, "answered"
        if action == "drop_after":
            return None, "dropped after the work"
        if action == "stall_after":
            core.faults.stall(rule, method, path, "after")
        if action in errors and rule.phase == "after":
            return _fault_response(rule), f"{action} after the work"
        return response, f"answered ({action})"

    def _drop(self) -> None:
        """Close the connection with no answer at all."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, response: Response) -> None:
        try:
            try:
                self.send_response(response.status, HTTPStatus(response.status).phrase)
            except ValueError:
                self.send_response(response.status)
            headers = {"x-fb-trace-id": fbtrace_id(), "x-fb-request-id": fbtrace_id()}
            headers.update(response.headers)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client is gone (killed by a crash harness)
