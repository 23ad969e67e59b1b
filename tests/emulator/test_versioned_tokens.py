"""The token endpoints under the version prefix (ref §1), as Meta's sample app calls them.

Graph treats ``/v1.0`` as an optional prefix, so ``/v1.0/oauth/access_token``,
``/v1.0/access_token`` and ``/v1.0/refresh_access_token`` answer exactly as
the unversioned paths do: the same handler, the same rules, the same errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
import requests

from threadsync.api import Configuration, Threads
from threadsync.emulator import DEFAULT_APP_ID, DEFAULT_APP_SECRET, Emulator

from .conftest import error_of
from .test_oauth import REDIRECT, authorize, code_from

PREFIXES = ["", "/v1.0"]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_code_exchange_answers_with_and_without_the_version(emu: Emulator, prefix: str) -> None:
    code = code_from(authorize(emu))
    form = {
        "client_id": DEFAULT_APP_ID,
        "client_secret": DEFAULT_APP_SECRET,
        "code": code,
        "grant_type": "authorization_code",
        "redirect_uri": REDIRECT,
    }
    r = requests.post(f"{emu.url}{prefix}/oauth/access_token", data=form, timeout=5)
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"access_token", "user_id"}
    assert str(r.json()["user_id"]) == emu.user_id
    again = requests.post(f"{emu.url}{prefix}/oauth/access_token", data=form, timeout=5)
    assert again.json()["error_message"] == "Matching code was not found or was already used"


@pytest.mark.parametrize("prefix", PREFIXES)
def test_app_token_answers_with_and_without_the_version(emu: Emulator, prefix: str) -> None:
    r = requests.get(
        f"{emu.url}{prefix}/oauth/access_token",
        params={
            "client_id": DEFAULT_APP_ID,
            "client_secret": DEFAULT_APP_SECRET,
            "grant_type": "client_credentials",
        },
        timeout=5,
    )
    assert r.status_code == 200, r.text
    assert r.json()["access_token"].startswith(f"TH|{DEFAULT_APP_ID}|")


def _exchange(emu: Emulator, prefix: str, token: str, secret: str) -> requests.Response:
    return requests.get(
        f"{emu.url}{prefix}/access_token",
        params={"grant_type": "th_exchange_token", "client_secret": secret},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )


@pytest.mark.parametrize("prefix", PREFIXES)
def test_long_lived_exchange_answers_with_and_without_the_version(
    emu: Emulator, prefix: str
) -> None:
    short = emu.mint_token("short")["access_token"]
    r = _exchange(emu, prefix, short, DEFAULT_APP_SECRET)
    assert r.status_code == 200, r.text
    assert r.json()["token_type"] == "bearer"
    assert r.json()["expires_in"] == 60 * 86400
    assert error_of(_exchange(emu, prefix, short, "wrong"))["message"] == (
        "Error validating client secret."
    )
    err = error_of(_exchange(emu, prefix, emu.token, DEFAULT_APP_SECRET))
    assert (err["code"], err["error_subcode"]) == (452, 4279019)  # already long-lived


def _refresh(emu: Emulator, prefix: str, token: str) -> requests.Response:
    return requests.get(
        f"{emu.url}{prefix}/refresh_access_token",
        params={"grant_type": "th_refresh_token", "access_token": token},
        timeout=5,
    )


@pytest.mark.parametrize("prefix", PREFIXES)
def test_refresh_answers_with_and_without_the_version(emu: Emulator, prefix: str) -> None:
    young = emu.mint_token("long")["access_token"]
    assert error_of(_refresh(emu, prefix, young))["error_subcode"] == 4279914  # < 24 h old
    old = emu.mint_token("long", age=2 * 86400)["access_token"]
    r = _refresh(emu, prefix, old)
    assert r.status_code == 200, r.text
    assert r.json()["expires_in"] == 60 * 86400
    assert r.json()["access_token"] != old


def test_both_forms_give_the_same_errors(emu: Emulator) -> None:
    """Not an object read of an id 'access_token': the token rules, word for word."""

    def bodies(path: str, params: Mapping[str, str]) -> list[Any]:
        found = []
        for prefix in PREFIXES:
            r = requests.get(f"{emu.url}{prefix}{path}", params=params, timeout=5)
            body = r.json()
            body.get("error", {}).pop("fbtrace_id", None)  # a fresh one each time
            found.append((r.status_code, body))
        return found

    unversioned, versioned = bodies("/access_token", {"grant_type": "fb_exchange_token"})
    assert versioned == unversioned
    assert versioned[0] == 400
    assert "grant_type must be th_exchange_token" in str(versioned)
    unversioned, versioned = bodies("/refresh_access_token", {"grant_type": "nope"})
    assert versioned == unversioned
    assert "grant_type must be th_refresh_token" in str(versioned)
    unversioned, versioned = bodies("/oauth/access_token", {"grant_type": "nope"})
    assert versioned == unversioned
    assert versioned[1]["error_type"] == "OAuthException"


def test_the_consent_page_is_never_under_a_version(emu: Emulator) -> None:
    """``/oauth/authorize`` is threads.net's page, not a Graph call."""
    r = requests.get(
        f"{emu.url}/v1.0/oauth/authorize",
        params={"client_id": DEFAULT_APP_ID, "redirect_uri": REDIRECT, "scope": "threads_basic"},
        allow_redirects=False,
        timeout=5,
    )
    assert r.status_code != 302 and "Location" not in r.headers


class _Versioned(requests.Session):
    """A session that puts ``/v1.0`` before every path, as Meta's sample app does."""

    def __init__(self, root: str) -> None:
        super().__init__()
        self.root = root
        self.paths: list[str] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        url = str(url)
        assert url.startswith(self.root + "/")
        url = f"{self.root}/v1.0/{url[len(self.root) + 1 :]}"
        self.paths.append(url[len(self.root) :])
        return super().request(method, url, *args, **kwargs)


@pytest.mark.parametrize("versioned", [False, True])
def test_the_clients_token_calls_with_and_without_the_version(
    emu: Emulator, versioned: bool
) -> None:
    config = Configuration(
        scopes=["threads_basic", "threads_content_publish"],
        app_id=DEFAULT_APP_ID,
        api_secret=DEFAULT_APP_SECRET,
        redirect_uri=REDIRECT,
    )
    url, state = Threads.authorization_url(config)
    query = url.split("?", 1)[1]
    callback = requests.get(
        f"{emu.url}/oauth/authorize?{query}", allow_redirects=False, timeout=5
    ).headers["Location"]
    session = _Versioned(emu.url) if versioned else requests.Session()
    with session:
        creds = Threads.complete_authorization(
            callback, state, config=config, base_url=emu.url, session=session
        )
        assert creds.user_id == emu.user_id and not creds.short_lived
        emu.advance(86400)
        renewed = Threads.refresh_credentials(creds, base_url=emu.url, session=session)
    assert renewed.access_token != creds.access_token
    if versioned:
        assert session.paths == [
            "/v1.0/oauth/access_token",
            "/v1.0/access_token",
            "/v1.0/refresh_access_token",
        ]
    check = requests.get(
        f"{emu.url}/v1.0/me",
        headers={"Authorization": f"Bearer {renewed.access_token}"},
        timeout=5,
    )
    assert check.json()["id"] == emu.user_id
