"""OAuth and tokens (ref §2), with the emulator's clock."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from threadsync.emulator import DEFAULT_APP_ID, DEFAULT_APP_SECRET, Emulator

from .conftest import Graph, error_of

REDIRECT = "https://app.example/callback"


def authorize(emu: Emulator, **extra: str) -> requests.Response:
    params = {
        "client_id": DEFAULT_APP_ID,
        "redirect_uri": REDIRECT,
        "scope": "threads_basic,threads_content_publish",
        "response_type": "code",
        "state": "xyz",
        **extra,
    }
    return requests.get(
        f"{emu.url}/oauth/authorize", params=params, allow_redirects=False, timeout=5
    )


def code_from(r: requests.Response) -> str:
    assert r.status_code == 302, r.text
    location = r.headers["Location"]
    assert location.endswith("#_")  # ref §2: strip the #_
    query = parse_qs(urlsplit(location[:-2]).query)
    assert query["state"] == ["xyz"]
    return query["code"][0]


def exchange_code(emu: Emulator, code: str, **extra: str) -> requests.Response:
    data = {
        "client_id": DEFAULT_APP_ID,
        "client_secret": DEFAULT_APP_SECRET,
        "code": code,
        "grant_type": "authorization_code",
        "redirect_uri": REDIRECT,
        **extra,
    }
    return requests.post(f"{emu.url}/oauth/access_token", data=data, timeout=5)


def test_full_flow(emu: Emulator, graph: Graph) -> None:
    r = authorize(emu)
    assert r.headers["Location"].startswith(REDIRECT + "?")
    code = code_from(r)
    r = exchange_code(emu, code)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"access_token", "user_id"}
    assert isinstance(body["user_id"], int)  # ref §2: a JSON number here
    assert str(body["user_id"]) == emu.user_id
    short = body["access_token"]

    r = requests.get(
        f"{emu.url}/access_token",
        params={
            "grant_type": "th_exchange_token",
            "client_secret": DEFAULT_APP_SECRET,
            "access_token": short,
        },
        timeout=5,
    )
    assert r.status_code == 200, r.text
    long_body = r.json()
    assert long_body["token_type"] == "bearer"
    assert long_body["expires_in"] == 60 * 86400
    long_token = long_body["access_token"]

    graph.token = long_token
    assert graph.get("/me").status_code == 200

    # refresh needs a token at least 24 h old
    r = requests.get(
        f"{emu.url}/refresh_access_token",
        params={"grant_type": "th_refresh_token", "access_token": long_token},
        timeout=5,
    )
    assert r.status_code == 400
    emu.advance(86400)
    r = requests.get(
        f"{emu.url}/refresh_access_token",
        params={"grant_type": "th_refresh_token", "access_token": long_token},
        timeout=5,
    )
    assert r.status_code == 200, r.text
    assert r.json()["expires_in"] == 60 * 86400
    assert r.json()["token_type"] == "bearer"

    r = graph.get("/debug_token", input_token=r.json()["access_token"])
    data = r.json()["data"]
    assert data["is_valid"] is True
    assert data["type"] == "USER"
    assert data["user_id"] == emu.user_id
    assert data["scopes"] == ["threads_basic", "threads_content_publish"]
    assert data["expires_at"] - data["issued_at"] == 60 * 86400
    assert {"application", "data_access_expires_at"} <= set(data)


def test_code_is_single_use(emu: Emulator) -> None:
    code = code_from(authorize(emu))
    assert exchange_code(emu, code).status_code == 200
    r = exchange_code(emu, code)
    assert r.status_code == 400
    assert r.json() == {
        "error_type": "OAuthException",
        "code": 400,
        "error_message": "Matching code was not found or was already used",
    }


def test_code_lasts_one_hour(emu: Emulator) -> None:
    code = code_from(authorize(emu))
    emu.advance(3601)
    assert exchange_code(emu, code).json()["error_message"].startswith("Matching code")


def test_code_with_hash_suffix_is_accepted(emu: Emulator) -> None:
    code = code_from(authorize(emu))
    assert exchange_code(emu, code + "#_").status_code == 200


def test_redirect_uri_must_match(emu: Emulator) -> None:
    code = code_from(authorize(emu))
    r = exchange_code(emu, code, redirect_uri="https://other.example/")
    assert r.status_code == 400
    assert "redirect_uri" in r.json()["error_message"]
    assert exchange_code(emu, code).status_code == 200  # a mismatch does not burn the code


def test_wrong_secret_or_app(emu: Emulator) -> None:
    code = code_from(authorize(emu))
    assert exchange_code(emu, code, client_secret="nope").json()["error_message"] == (
        "Error validating client secret."
    )
    assert "application ID" in exchange_code(emu, code, client_id="42").json()["error_message"]


def test_user_denies(emu: Emulator) -> None:
    r = authorize(emu, emulator_deny="1")
    assert r.status_code == 302
    query = parse_qs(urlsplit(r.headers["Location"][:-2]).query)
    assert query["error"] == ["access_denied"]
    assert query["error_reason"] == ["user_denied"]
    assert query["state"] == ["xyz"]


@pytest.mark.parametrize(
    ("override", "title"),
    [
        ({"client_id": "999"}, "Invalid App ID"),
        ({"scope": "threads_content_publish"}, "Invalid Scopes"),
        ({"scope": "threads_basic,threads_everything"}, "Invalid Scopes"),
        ({"response_type": "token"}, "Invalid Request"),
        ({"redirect_uri": ""}, "Invalid Request"),
    ],
)
def test_authorize_errors(emu: Emulator, override: dict[str, str], title: str) -> None:
    r = authorize(emu, **override)
    assert r.status_code == 400
    assert title in r.text


def test_space_separated_scopes_and_other_user(emu: Emulator) -> None:
    other = emu.add_user("second_account")
    code = code_from(
        authorize(emu, scope="threads_basic threads_delete", emulator_user="second_account")
    )
    body = exchange_code(emu, code).json()
    assert str(body["user_id"]) == other["id"]


def test_exchange_rules(emu: Emulator) -> None:
    def exchange(
        token: str, secret: str = DEFAULT_APP_SECRET, grant: str = "th_exchange_token"
    ) -> requests.Response:
        return requests.get(
            f"{emu.url}/access_token",
            params={"grant_type": grant, "client_secret": secret, "access_token": token},
            timeout=5,
        )

    short = emu.mint_token("short")["access_token"]
    assert exchange(short, secret="wrong").status_code == 400
    assert error_of(exchange(short, grant="fb_exchange_token"))["code"] == 100
    err = error_of(exchange(emu.token))  # already long-lived (ref §2 anecdote)
    assert (err["code"], err["error_subcode"], err["message"]) == (
        452,
        4279019,
        "Session key invalid",
    )
    emu.advance(3601)
    assert error_of(exchange(short))["code"] == 190  # the short-lived token expired


def test_refresh_rejects_short_lived(emu: Emulator) -> None:
    short = emu.mint_token("short", age=0)["access_token"]
    r = requests.get(
        f"{emu.url}/refresh_access_token",
        params={"grant_type": "th_refresh_token", "access_token": short},
        timeout=5,
    )
    assert error_of(r)["code"] == 100


def test_refresh_of_an_old_minted_token(emu: Emulator) -> None:
    old = emu.mint_token("long", age=2 * 86400)["access_token"]
    r = requests.get(
        f"{emu.url}/refresh_access_token",
        params={"grant_type": "th_refresh_token", "access_token": old},
        timeout=5,
    )
    assert r.status_code == 200


def test_expired_unknown_and_missing_tokens_are_190(emu: Emulator, graph: Graph) -> None:
    short = emu.mint_token("short", age=3600)["access_token"]
    err = error_of(graph.get("/me", token=short))
    assert (err["code"], err["error_subcode"]) == (190, 463)
    assert err["message"].startswith("Error validating access token: Session has expired")
    r = graph.get("/me", token="THnot-a-token")
    assert r.status_code == 400
    assert error_of(r)["message"] == "Invalid OAuth access token - Cannot parse access token"
    assert "WWW-Authenticate" in r.headers
    assert error_of(graph.get("/me", token=None))["code"] == 190


def test_long_lived_token_expires_after_60_days(emu: Emulator, graph: Graph) -> None:
    tok = emu.mint_token("long")["access_token"]
    emu.advance(60 * 86400 + 1)
    assert error_of(graph.get("/me", token=tok))["code"] == 190


def test_debug_token_of_invalid_and_expired_tokens(emu: Emulator, graph: Graph) -> None:
    data = graph.get("/debug_token", input_token="garbage").json()["data"]
    assert data["is_valid"] is False
    assert data["error"]["code"] == 190
    short = emu.mint_token("short", age=7200)["access_token"]
    data = graph.get("/debug_token", input_token=short).json()["data"]
    assert data["is_valid"] is False
    assert data["user_id"] == emu.user_id
    assert error_of(graph.get("/debug_token"))["code"] == 100


def test_app_token_and_shorthand(emu: Emulator, graph: Graph) -> None:
    r = requests.get(
        f"{emu.url}/oauth/access_token",
        params={
            "client_id": DEFAULT_APP_ID,
            "client_secret": DEFAULT_APP_SECRET,
            "grant_type": "client_credentials",
        },
        timeout=5,
    )
    app_token = r.json()["access_token"]
    assert app_token.startswith(f"TH|{DEFAULT_APP_ID}|")
    assert r.json()["token_type"] == "bearer"
    data = graph.get("/debug_token", token=app_token, input_token=emu.token).json()["data"]
    assert data["is_valid"] is True
    shorthand = f"TH|{DEFAULT_APP_ID}|{DEFAULT_APP_SECRET}"
    assert graph.get("/debug_token", token=shorthand, input_token=emu.token).status_code == 200
    assert error_of(graph.get("/me", token=app_token))["code"] == 190  # not a user token


def test_scopes_are_enforced(emu: Emulator, graph: Graph) -> None:
    graph.token = emu.mint_token(scopes=["threads_basic"])["access_token"]
    err = error_of(graph.post("/me/threads", media_type="TEXT", text="x"))
    assert err["code"] == 10
    assert err["message"] == "Application does not have permission for this action"
    assert graph.get("/me").status_code == 200
    graph.token = emu.mint_token(scopes=["threads_content_publish"])["access_token"]
    assert error_of(graph.get("/me"))["code"] == 10  # threads_basic on every call


@pytest.mark.parametrize("tail", ["\r\nSet-Cookie: pwned=1", "\nSet-Cookie: pwned=1", "\r", "\x00"])
def test_a_redirect_uri_with_a_line_break_is_refused_not_sent_as_headers(
    emu: Emulator, tail: str
) -> None:
    r = authorize(emu, redirect_uri=f"{REDIRECT}{tail}")
    assert r.status_code == 400 and "Invalid Redirect URI" in r.text
    assert "Location" not in r.headers and "Set-Cookie" not in r.headers
