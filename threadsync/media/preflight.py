"""Ask for a media URL from the runner before Threads does.

Threads fetches every image and video itself, after the container is made: a
URL that answers 404, an HTML page, or another file makes a container that
fails, or a post with the wrong picture.  So before a post's first container,
each media URL is asked for here: a HEAD (a GET of its first byte where HEAD
is refused), which must answer 200 (206) with a type that fits the item and,
for a local file, its size.

``application/octet-stream`` (or no type at all) names no type, so it passes:
raw.githubusercontent.com answers it for every video.  Any other type that is
not the item's kind (``text/html``, an image for a video) is refused.

The requests carry no token and no credentials: a session of their own, no
``.netrc``, at most a few redirects, and only to http(s) URLs.

Each URL has a deadline over all its requests (HEAD, GET, redirects): per-read
timeouts alone let a server that trickles its answer, or chains slow
redirects, hold apply for as long as it likes.  Past it, the sockets of that
URL's requests are shut down, whatever they were waiting for.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from threadsync.content.media import MediaKind

TIMEOUT = (5.0, 15.0)  # connect, read (seconds)
DEADLINE = 30.0  # seconds for all the requests of one URL
MAX_REDIRECTS = 5
TYPES: dict[MediaKind, tuple[str, ...]] = {
    "image": ("image/jpeg", "image/jpg", "image/png"),
    "video": ("video/mp4", "video/quicktime"),
}
UNLABELLED = ("", "application/octet-stream", "binary/octet-stream")
_HEAD_REFUSED = (403, 405, 501)  # servers (and signed buckets) that answer GET but not HEAD
_REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Answer:
    """What a URL answered: status, media type (lower case, no parameters), total size."""

    status: int
    reason: str
    content_type: str
    length: int | None


def _no_auth(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """An auth that adds nothing: with it, requests never reads ``~/.netrc`` for one."""
    return request


class Preflight:
    """Checks media URLs; one requests session per thread (apply's workers check in parallel)."""

    def __init__(
        self,
        *,
        timeout: tuple[float, float] = TIMEOUT,
        deadline: float = DEADLINE,
        clock: Callable[[], float] = time.monotonic,
        session: Callable[[], requests.Session] = requests.Session,
    ) -> None:
        self.timeout = timeout
        self.deadline = deadline
        self.clock = clock
        self._make_session = session
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._make_session()
            session.auth = _no_auth
            adapter = _WatchedAdapter()
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers["User-Agent"] = "threadsync media preflight"
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()

    def problem(self, url: str, kind: MediaKind, size: int | None, shown: str | None) -> str | None:
        """Why Threads would not get this item from ``url``, or None.

        ``size`` is the local file's size (``shown`` its path), when the URL
        serves one; ``None`` for a URL written in the post.
        """
        try:
            answer = self._ask(url)
        except _TimedOut:
            return f"{url} timed out: no full answer in {self.deadline:g} s"
        except requests.Timeout:
            return f"{url} did not answer in {self.timeout[1]:g} s"
        except requests.RequestException as exc:
            return f"{url} could not be reached ({type(exc).__name__})"
        except _BadRedirect as exc:
            return f"{url} {exc}"
        if answer.status not in (200, 206):
            return f"{url} answered {answer.status} {answer.reason}; Threads could not fetch it"
        wanted = TYPES[kind]
        if answer.content_type not in wanted and answer.content_type not in UNLABELLED:
            return (
                f"{url} answered Content-Type {answer.content_type}; "
                f"{'an' if kind == 'image' else 'a'} {kind} must be {' or '.join(wanted)}"
            )
        if size is not None and answer.length is not None and answer.length != size:
            return f"{url} answered {answer.length:,} bytes, but {shown} has {size:,}"
        return None

    def _ask(self, url: str) -> Answer:
        end = self.clock() + self.deadline
        watch = _Watch()
        # The clock bounds the time between requests; this timer, the time within one.
        timer = threading.Timer(self.deadline, watch.expire)
        timer.daemon = True
        _watching.watch = watch
        timer.start()
        try:
            answer = self._request("HEAD", url, end)
            if answer.status in _HEAD_REFUSED:
                answer = self._request("GET", url, end)
        except requests.RequestException:
            if watch.expired:  # the answer broke off because its sockets were shut down
                raise _TimedOut from None
            raise
        finally:
            timer.cancel()
            _watching.watch = None
            watch.close()
        if watch.expired:  # cut short, an answer can look whole: headers end at the cut
            raise _TimedOut
        return answer

    def _request(self, method: str, url: str, end: float) -> Answer:
        headers = {"Range": "bytes=0-0"} if method == "GET" else {}
        for _ in range(MAX_REDIRECTS + 1):
            left = end - self.clock()
            if left <= 0:
                raise _TimedOut
            with self._session().request(
                method,
                url,
                headers=headers,
                timeout=(min(self.timeout[0], left), min(self.timeout[1], left)),
                allow_redirects=False,
                stream=True,  # the body is never read: a GET asks for one byte anyway
            ) as response:
                location = response.headers.get("Location")
                if response.status_code in _REDIRECTS and location:
                    url = urljoin(url, location)
                    if urlsplit(url).scheme not in ("http", "https"):
                        raise _BadRedirect(f"redirects to {url}, which Threads can't fetch")
                    continue
                return _answer(response)
        raise _BadRedirect(f"redirects more than {MAX_REDIRECTS} times")


class _BadRedirect(Exception):
    pass


class _TimedOut(Exception):
    pass


class _Watch:
    """The sockets of one URL's requests, to shut down when its deadline passes.

    Each is a duplicate of the connection's socket: shutting it down ends any
    read of the connection (TLS included), and its descriptor stays this
    watch's own, so no other socket is ever reached through a reused number.
    """

    def __init__(self) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def add(self, sock: socket.socket) -> None:
        copy = sock.dup()
        with self._lock:
            self._sockets.append(copy)
            if not self.expired:
                return
        _shut(copy)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def close(self) -> None:
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by its connection
        sock.shutdown(socket.SHUT_RDWR)


_watching = threading.local()  # the _Watch of the URL this thread is asking for


def _watched(sock: socket.socket) -> socket.socket:
    watch: _Watch | None = getattr(_watching, "watch", None)
    if watch is not None:
        watch.add(sock)
    return sock


class _WatchedHTTP(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _watched(super()._new_conn())


class _WatchedHTTPS(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _watched(super()._new_conn())


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTP


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPS


class _WatchedAdapter(HTTPAdapter):
    """An adapter whose new connections join the watch of the URL being asked for.

    A response is closed unread, so its connection is never reused: each
    request's socket is a new one, made in the asking thread.
    """

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        super().init_poolmanager(*args, **kwargs)  # type: ignore[arg-type]
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


def _answer(response: requests.Response) -> Answer:
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    length: int | None = None
    total = response.headers.get("Content-Range", "").rpartition("/")[2]
    if response.status_code == 206 and total.isdigit():
        length = int(total)
    elif response.status_code == 200 and response.headers.get("Content-Length", "").isdigit():
        length = int(response.headers["Content-Length"])
    return Answer(response.status_code, response.reason or "", content_type, length)
