"""Paths, versions, token transports and parameter encodings (ref §1)."""

from __future__ import annotations

import pytest
import requests

from threadsync.emulator import Emulator

from .conftest import Graph, error_of


def test_me_and_numeric_id_are_the_same_profile(graph: Graph, emu: Emulator) -> None:
    me = graph.get("/me", fields="id,username").json()
    by_id = graph.get(f"/{emu.user_id}", fields="id,username").json()
    assert me == by_id == {"id": emu.user_id, "username": "emulator_user"}


def test_unversioned_data_paths_work_too(graph: Graph, emu: Emulator) -> None:
    r = graph.get("/me", version=False)
    assert r.status_code == 200
    assert r.json() == {"id": emu.user_id}


def test_token_as_query_parameter(graph: Graph, emu: Emulator) -> None:
    r = graph.get("/me", token=None, access_token=emu.token)
    assert r.status_code == 200


def test_token_as_form_field_with_query_params(graph: Graph, emu: Emulator) -> None:
    r = graph.session.post(
        graph.url("/me/threads"),
        params={"media_type": "TEXT"},
        data={"text": "from a form", "access_token": emu.token},
        timeout=5,
    )
    assert r.status_code == 200, r.text
    container = emu.containers()[0]
    assert container["params"] == {"media_type": "TEXT", "text": "from a form"}


def test_multipart_body(graph: Graph, emu: Emulator) -> None:
    fields = {
        "media_type": (None, "TEXT"),
        "text": (None, "multipart ✓"),
        "access_token": (None, emu.token),
    }
    r = graph.session.post(graph.url("/me/threads"), files=fields, timeout=5)
    assert r.status_code == 200, r.text
    assert emu.containers()[0]["params"]["text"] == "multipart ✓"


def test_repeated_country_params_are_joined(graph: Graph, emu: Emulator) -> None:
    r = graph.session.post(
        graph.url("/me/threads"),
        params=[
            ("media_type", "TEXT"),
            ("text", "x"),
            ("allowlisted_country_codes", "US"),
            ("allowlisted_country_codes", "CA"),
        ],
        headers={"Authorization": f"Bearer {emu.token}"},
        timeout=5,
    )
    assert r.status_code == 200, r.text
    assert emu.containers()[0]["params"]["allowlisted_country_codes"] == "US,CA"


def test_unknown_object_is_100_33(graph: Graph) -> None:
    r = graph.get("/123456789")
    assert r.status_code == 400
    err = error_of(r)
    assert (err["code"], err["error_subcode"], err["type"]) == (100, 33, "THApiException")
    assert "Object with ID '123456789' does not exist" in err["message"]
    assert set(err) >= {"message", "type", "code", "error_subcode", "is_transient", "fbtrace_id"}


def test_another_users_profile_cannot_be_read(graph: Graph, emu: Emulator) -> None:
    other = emu.add_user("someone_else")
    r = graph.get(f"/{other['id']}")
    assert error_of(r)["code"] == 100


def test_token_paths_answer_under_the_version_too(graph: Graph, emu: Emulator) -> None:
    """Not a read of an object named refresh_access_token (ref §1: an optional prefix)."""
    for version in (True, False):
        r = graph.get("/refresh_access_token", grant_type="th_refresh_token", version=version)
        assert r.status_code == 400
        assert error_of(r)["error_subcode"] == 4279914  # the token is under 24 h old


def test_unknown_field_is_an_error(graph: Graph) -> None:
    r = graph.get("/me", fields="id,favourite_colour")
    err = error_of(r)
    assert err["code"] == 100
    assert "nonexisting field (favourite_colour)" in err["message"]


def test_bad_fields_syntax(graph: Graph) -> None:
    assert error_of(graph.get("/me", fields="id,{"))["code"] == 100


def test_responses_are_json_with_trace_headers(graph: Graph) -> None:
    r = graph.get("/me")
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.headers["x-fb-trace-id"]


def test_unsupported_method_on_a_user_edge(graph: Graph) -> None:
    r = graph.delete("/me/threads")
    assert error_of(r)["error_subcode"] == 33


def test_http_10_style_connection_close(emu: Emulator) -> None:
    r = requests.get(
        f"{emu.url}/v1.0/me",
        params={"access_token": emu.token},
        headers={"Connection": "close"},
        timeout=5,
    )
    assert r.status_code == 200


def test_an_emulator_bug_is_a_500_not_a_hang(
    graph: Graph, emu: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("threadsync.emulator.routes.dispatch", broken)
    r = graph.get("/me")
    assert r.status_code == 500
    assert error_of(r)["code"] == 1
    assert "RuntimeError: boom" in capsys.readouterr().err
