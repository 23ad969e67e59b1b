"""A local emulator of Meta's Threads Graph API (graph.threads.net), standard library only.

It imports nothing else of threadsync: its rules are written again from
Meta's Threads API documentation, so a mistake in the client or in content
validation shows up as a disagreement.  ``ref §N`` in the code names the part
of that documentation a rule comes from: §1 base URL, versions and auth, §2
OAuth and tokens, §3 publishing, §4 rate limits and quotas, §5 errors, §6
retrieval and replies, §7 delete and repost, §8 insights, §10 duplicates.

Use from tests::

    with Emulator(processing="image=0.2s") as emu:
        requests.post(f"{emu.url}/v1.0/me/threads", data={...},
                      headers={"Authorization": f"Bearer {emu.token}"})

or from a shell: ``threadsync emulator --port 0``.

Emulator-specific behaviour (documented in docs/emulator.md):

- Processing: containers stay IN_PROGRESS for the configured time per kind
  (``text``, ``image``, ``video``, ``carousel``), then FINISHED; TEXT finishes
  at once by default, and ``text=0.3s`` makes it late, as Meta's sometimes is.  A media URL
  containing ``emulator-error=NAME`` (e.g. ``FAILED_DOWNLOADING_VIDEO``) ends
  in ERROR with ``error_message`` NAME; ``emulator-processing=2s`` sets that
  container's own processing time.  Containers expire 24 h after creation.
- The clock is real time plus an offset; ``advance(seconds)`` moves it.
- Errors: token errors are code 190 with HTTP 400; exhausted quotas are code 9
  with subcodes 4279911 (posts), 4279912 (replies), 4279913 (deletes).
- Authorize extras: ``emulator_deny=1`` (the user cancels) and
  ``emulator_user=<username>`` (who consents).
- Faults (see faults.py): ``http_error``, ``graph_error``, ``delay``,
  ``drop_before``, ``drop_after``, ``stall_before``, ``stall_after``.
- Only requests addressed to a loopback name or address (or the bound one,
  or ``allowed_hosts``) are answered, and no state-changing request from a web
  page elsewhere (hosts.py): no DNS rebinding, no cross-site POST.
"""

from __future__ import annotations

import os
import threading
from types import TracebackType
from typing import Any

from .core import Core, Processing
from .server import EmulatorHTTPServer
from .state import DEFAULT_APP_ID, DEFAULT_APP_SECRET

__all__ = ["DEFAULT_APP_ID", "DEFAULT_APP_SECRET", "Emulator"]


class Emulator:
    """The emulator on a background thread: ``with Emulator() as emu: ...``."""

    def __init__(
        self,
        token: str | None = None,
        processing: Processing = None,
        data: str | os.PathLike[str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        app_id: str = DEFAULT_APP_ID,
        app_secret: str = DEFAULT_APP_SECRET,
        access_log: bool = False,
        allowed_hosts: tuple[str, ...] = (),
    ) -> None:
        self.core = Core(
            token=token, processing=processing, data=data, app_id=app_id, app_secret=app_secret
        )
        self.host = host
        self.port = port
        self.access_log = access_log
        self.allowed_hosts = allowed_hosts  # Host names answered besides loopback (hosts.py)
        self.ready = threading.Event()
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Emulator:
        if self._server is not None:
            return self
        server = EmulatorHTTPServer(
            (self.host, self.port),
            self.core,
            access_log=self.access_log,
            allowed_hosts=self.allowed_hosts,
        )
        self.core.faults.open()
        self._server = server
        self.port = int(server.server_address[1])
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"threads-emulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        self.ready.set()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self.core.faults.close()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.core.store.flush()
        self.ready.clear()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- where and who ---------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The Graph root, without a version: ``http://127.0.0.1:PORT``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def token(self) -> str:
        return self.core.store.primary_token

    @property
    def user_id(self) -> str:
        return self.core.store.primary_user

    @property
    def username(self) -> str:
        return str(self.core.info()["username"])

    @property
    def app_id(self) -> str:
        return self.core.store.app_id

    @property
    def app_secret(self) -> str:
        return self.core.store.app_secret

    # -- admin actions (each also under /__emulator__/) ------------------------------------
    def posts(self) -> list[dict[str, Any]]:
        return self.core.posts()

    def containers(self) -> list[dict[str, Any]]:
        return self.core.containers()

    def requests(self) -> list[dict[str, Any]]:
        return self.core.requests()

    def clear_requests(self) -> None:
        self.core.log.clear()

    def reset(self) -> None:
        self.core.reset()

    def now(self) -> float:
        return self.core.clock.now()

    def advance(self, seconds: float) -> float:
        return self.core.advance(seconds)

    def set_processing(self, spec: Processing = None, **kinds: float | str) -> dict[str, float]:
        return self.core.set_processing(spec, **kinds)

    def mint_token(
        self,
        kind: str = "long",
        *,
        age: float = 0.0,
        scopes: list[str] | None = None,
        user_id: str | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        return self.core.mint_token(
            kind, age=age, scopes=scopes, user_id=user_id, username=username
        )

    def add_user(self, username: str, **fields: Any) -> dict[str, Any]:
        return self.core.add_user(username, **fields)

    def add_fault(self, **rule: Any) -> dict[str, Any]:
        return self.core.faults.add(rule)

    def faults(self) -> list[dict[str, Any]]:
        return self.core.faults.describe()

    def clear_faults(self) -> None:
        self.core.faults.clear()

    def wait_for_stall(self, timeout: float = 10.0) -> dict[str, Any] | None:
        return self.core.faults.wait_for_stall(timeout)

    def release_stalls(self) -> int:
        return self.core.faults.release_stalls()

    def stalls(self) -> list[dict[str, Any]]:
        return self.core.faults.stall_list()
