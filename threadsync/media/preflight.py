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
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests

from threadsync.content.media import MediaKind

TIMEOUT = (5.0, 15.0)  # connect, read (seconds)
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
        session: Callable[[], requests.Session] = requests.Session,
    ) -> None:
        self.timeout = timeout
        self._make_session = session
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._make_session()
            session.auth = _no_auth
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
        answer = self._request("HEAD", url)
        if answer.status in _HEAD_REFUSED:
            answer = self._request("GET", url)
        return answer

    def _request(self, method: str, url: str) -> Answer:
        headers = {"Range": "bytes=0-0"} if method == "GET" else {}
        for _ in range(MAX_REDIRECTS + 1):
            with self._session().request(
                method,
                url,
                headers=headers,
                timeout=self.timeout,
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


def _answer(response: requests.Response) -> Answer:
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    length: int | None = None
    total = response.headers.get("Content-Range", "").rpartition("/")[2]
    if response.status_code == 206 and total.isdigit():
        length = int(total)
    elif response.status_code == 200 and response.headers.get("Content-Length", "").isdigit():
        length = int(response.headers["Content-Length"])
    return Answer(response.status_code, response.reason or "", content_type, length)
