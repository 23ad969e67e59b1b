"""Fixtures for the emulator's tests: one emulator per session, reset per test.

``graph`` is a thin ``requests`` wrapper written from the reference: data calls
under ``/v1.0``, the token as ``Authorization: Bearer``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from threadsync.emulator import Emulator


class Graph:
    def __init__(self, emu: Emulator, session: requests.Session) -> None:
        self.emu = emu
        self.session = session
        self.token: str | None = emu.token

    def url(self, path: str, version: bool = True) -> str:
        return f"{self.emu.url}{'/v1.0' if version else ''}{path}"

    def _headers(self, token: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"} if token else {}

    def get(
        self, path: str, *, token: Any = ..., version: bool = True, **params: Any
    ) -> requests.Response:
        tok = self.token if token is ... else token
        return self.session.get(
            self.url(path, version), params=params, headers=self._headers(tok), timeout=5
        )

    def post(
        self,
        path: str,
        *,
        token: Any = ...,
        version: bool = True,
        params: dict[str, Any] | None = None,
        **data: Any,
    ) -> requests.Response:
        tok = self.token if token is ... else token
        return self.session.post(
            self.url(path, version), params=params, data=data, headers=self._headers(tok), timeout=5
        )

    def delete(self, path: str, *, token: Any = ...) -> requests.Response:
        tok = self.token if token is ... else token
        return self.session.delete(self.url(path), headers=self._headers(tok), timeout=5)

    # -- helpers used across tests ---------------------------------------------------------
    def create(self, **params: Any) -> str:
        params.setdefault("media_type", "TEXT")
        if params["media_type"] == "TEXT":
            params.setdefault("text", "hello")
        r = self.post("/me/threads", **params)
        assert r.status_code == 200, r.text
        return str(r.json()["id"])

    def publish(self, creation_id: str) -> str:
        r = self.post("/me/threads_publish", creation_id=creation_id)
        assert r.status_code == 200, r.text
        return str(r.json()["id"])

    def post_text(self, text: str = "hello", **params: Any) -> str:
        return self.publish(self.create(media_type="TEXT", text=text, **params))

    def finished_item(self, kind: str = "IMAGE", url: str = "https://example.com/a.jpg") -> str:
        key = "image_url" if kind == "IMAGE" else "video_url"
        cid = self.create(media_type=kind, is_carousel_item="true", **{key: url})
        self.emu.advance(10)
        return cid


def error_of(r: requests.Response) -> dict[str, Any]:
    body = r.json()
    assert "error" in body, body
    return dict(body["error"])


@pytest.fixture(scope="session")
def _emulator() -> Iterator[Emulator]:
    emu = Emulator()
    try:
        emu.start()
    except OSError as exc:  # fail fast and clearly
        pytest.fail(f"the emulator did not start: {exc}")
    assert emu.ready.wait(5)
    yield emu
    emu.stop()


@pytest.fixture
def emu(_emulator: Emulator) -> Iterator[Emulator]:
    _emulator.reset()
    yield _emulator
    _emulator.release_stalls()
    _emulator.clear_faults()


@pytest.fixture
def graph(emu: Emulator) -> Iterator[Graph]:
    with requests.Session() as session:
        yield Graph(emu, session)
