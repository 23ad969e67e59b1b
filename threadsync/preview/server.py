"""The local server of ``watch``: the preview's files, and a tiny live-reload endpoint.

Standard library only (``http.server`` on a thread), bound to 127.0.0.1: the
preview is for the author at this machine, never for the network.  For the
same reason it answers only a ``Host`` that is a loopback name or address: a
web page elsewhere that points a name of its own at 127.0.0.1 (DNS rebinding)
gets a 403, not the drafts; and a request that would change something (POST,
PUT, DELETE, PATCH) from a page elsewhere (its ``Origin``) is refused too.  Each page
served in watch mode carries ``/__threadsync/live.js``, which asks
``/__threadsync/digest?page=NAME`` four times a second and reloads the page
when the digest differs from the one the page was built with.  Polling needs
no open connection per tab and survives a server restart, unlike
server-sent events.
"""

from __future__ import annotations

import functools
import http.server
import ipaddress
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

PREFIX = "/__threadsync/"
LIVE_JS = """\
(function () {
  var me = document.currentScript, page = me.dataset.page, seen = me.dataset.digest;
  function later(ms) { setTimeout(poll, ms); }
  function poll() {
    fetch("/__threadsync/digest?page=" + encodeURIComponent(page), {cache: "no-store"})
      .then(function (r) { return r.text(); })
      .then(function (now) { if (now !== seen) { location.reload(); } else { later(250); } })
      .catch(function () { later(1000); });
  }
  later(250);
})();
"""


_CHANGING = ("POST", "PUT", "DELETE", "PATCH")


def is_loopback_name(name: str | None) -> bool:
    """``localhost`` or an address in 127.0.0.0/8 or ``::1``."""
    name = (name or "").rstrip(".").lower()
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return name == "localhost"


def _host_name(header: str | None) -> str | None:
    """The name in a ``Host`` header (no port, no brackets), or None when it is not one."""
    if not header or not set(header).isdisjoint("/?#@\\ \t"):
        return None
    try:
        authority = urlsplit("//" + header)
        _ = authority.port  # a port that is not a number is no Host
    except ValueError:
        return None
    return authority.hostname


def refusal(method: str, host: str | None, origin: str | None) -> str | None:
    """Why a request is refused (see the module's docstring), or None to serve it."""
    if not is_loopback_name(_host_name(host)):
        return "the preview answers only requests addressed to localhost or 127.0.0.1"
    if method in _CHANGING and origin is not None:
        page = urlsplit(origin)
        if page.scheme not in ("http", "https") or not is_loopback_name(page.hostname):
            return "a request from a page elsewhere is refused"
    return None


class _Handler(http.server.SimpleHTTPRequestHandler):
    digests: Callable[[], Mapping[str, str]]
    build_number: Callable[[], int]

    def parse_request(self) -> bool:
        """Refuse, before anything is served, what a web page elsewhere sends."""
        if not super().parse_request():
            return False
        why = refusal(self.command, self.headers.get("Host"), self.headers.get("Origin"))
        if why is None:
            return True
        self.close_connection = True
        self.send_error(403, why)
        return False

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal shows validation results, not an access log."""

    def _linked(self, path: str) -> bool:
        """Whether serving ``path`` would follow a link (one committed into the site's folder)."""
        top = os.path.abspath(self.directory)
        here = os.path.abspath(path)
        while here != top and here.startswith(top + os.sep):
            if os.path.islink(here):
                return True
            here = os.path.dirname(here)
        return os.path.islink(top)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def _send(self, body: str, content_type: str, status: int = 200) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if not url.path.startswith(PREFIX):
            if self._linked(self.translate_path(self.path)):
                self._send("not found\n", "text/plain; charset=utf-8", 404)
                return
            super().do_GET()
            return
        name = url.path[len(PREFIX) :]
        if name == "live.js":
            self._send(LIVE_JS, "text/javascript; charset=utf-8")
        elif name == "digest":
            page = parse_qs(url.query).get("page", [""])[0]
            self._send(self.digests().get(page, "gone"), "text/plain; charset=utf-8")
        elif name == "version":
            self._send(str(self.build_number()), "text/plain; charset=utf-8")
        else:
            self._send("not found\n", "text/plain; charset=utf-8", 404)


class PreviewServer:
    """Serves ``directory`` on 127.0.0.1:``port`` (0 picks a free port) from a thread."""

    def __init__(
        self,
        directory: Path,
        port: int,
        digests: Callable[[], Mapping[str, str]],
        build_number: Callable[[], int],
    ) -> None:
        handler = type(
            "Handler",
            (_Handler,),
            {"digests": staticmethod(digests), "build_number": staticmethod(build_number)},
        )
        self.directory = directory
        factory = functools.partial(handler, directory=str(directory))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), factory)
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])
        self._thread = threading.Thread(
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"threadsync-preview-{self.port}",
            daemon=True,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():  # shutdown() would wait forever for a loop never started
            self.httpd.shutdown()
            self._thread.join(timeout=5)
        self.httpd.server_close()
