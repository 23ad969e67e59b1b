"""The fault plan (faults.py): every action, the matching rules, the crash harness."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time

import pytest
import requests

from threadsync.emulator import Emulator
from threadsync.emulator.faults import FaultRule

from .conftest import Graph, error_of


def test_http_error_on_the_nth_request(graph: Graph, emu: Emulator) -> None:
    rule = emu.add_fault(
        method="POST",
        path=r"/threads_publish$",
        nth=2,
        action="http_error",
        status=502,
        body="Bad Gateway",
    )
    assert rule["id"] >= 1
    graph.post_text("first")
    cid = graph.create(text="second")
    r = graph.post("/me/threads_publish", creation_id=cid)
    assert (r.status_code, r.text) == (502, "Bad Gateway")
    assert len(emu.posts()) == 1  # "before": the work was not done
    graph.publish(cid)  # the third matching request is served normally
    assert emu.faults()[0]["matched"] == 3 and emu.faults()[0]["fired"] == 1


def test_http_error_with_json_body(graph: Graph, emu: Emulator) -> None:
    emu.add_fault(path="/me$", action="http_error", status=503, body={"oops": True})
    r = graph.get("/me")
    assert r.status_code == 503 and r.json() == {"oops": True}


@pytest.mark.parametrize("code", [4, 17, 32, 613])
def test_graph_rate_limit_errors(graph: Graph, emu: Emulator, code: int) -> None:
    emu.add_fault(method="GET", path="/me", action="graph_error", code=code)
    err = error_of(graph.get("/me"))
    assert err["code"] == code
    assert err["is_transient"] is True
    assert graph.get("/me").status_code == 200


def test_graph_error_429_with_retry_after(graph: Graph, emu: Emulator) -> None:
    emu.add_fault(
        method="*",
        path="threads",
        action="graph_error",
        code=4,
        subcode=1349210,
        status=429,
        retry_after=7,
        message="Too many calls",
        transient=False,
    )
    r = graph.post("/me/threads", media_type="TEXT", text="x")
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "7"
    err = error_of(r)
    assert (err["message"], err["error_subcode"], err["is_transient"]) == (
        "Too many calls",
        1349210,
        False,
    )
    assert emu.containers() == []


def test_graph_error_after_the_work(graph: Graph, emu: Emulator) -> None:
    """Meta's code 10 and a 5xx on a publish that did happen (the Go client threads-go met it)."""
    emu.add_fault(path="threads_publish", action="graph_error", code=10, status=500, phase="after")
    cid = graph.create(text="ambiguous")
    r = graph.post("/me/threads_publish", creation_id=cid)
    assert r.status_code == 500 and error_of(r)["code"] == 10
    assert len(emu.posts()) == 1
    assert graph.get(f"/{cid}", fields="status").json()["status"] == "PUBLISHED"


def test_delay(graph: Graph, emu: Emulator) -> None:
    emu.add_fault(path="/me$", action="delay", delay=0.3)
    started = time.monotonic()
    assert graph.get("/me").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_drop_before_does_no_work(graph: Graph, emu: Emulator) -> None:
    emu.add_fault(method="POST", path="threads_publish", action="drop_before")
    cid = graph.create(text="never")
    with pytest.raises(requests.ConnectionError):
        graph.post("/me/threads_publish", creation_id=cid)
    assert emu.posts() == []
    assert emu.requests()[-1]["outcome"] == "dropped before the work"


def test_drop_after_does_the_work(graph: Graph, emu: Emulator) -> None:
    emu.add_fault(method="POST", path="threads_publish", action="drop_after")
    cid = graph.create(text="lost answer")
    with pytest.raises(requests.ConnectionError):
        graph.post("/me/threads_publish", creation_id=cid)
    assert len(emu.posts()) == 1
    assert graph.get(f"/{cid}", fields="status").json()["status"] == "PUBLISHED"


@pytest.mark.parametrize(("phase", "posts_while_stalled"), [("before", 0), ("after", 1)])
def test_stall_until_released(
    graph: Graph, emu: Emulator, phase: str, posts_while_stalled: int
) -> None:
    emu.add_fault(method="POST", path="threads_publish", action=f"stall_{phase}", timeout=5)
    cid = graph.create(text="stalled")
    result: dict[str, int] = {}

    def call() -> None:
        with requests.Session() as s:
            r = s.post(
                graph.url("/me/threads_publish"),
                data={"creation_id": cid, "access_token": emu.token},
                timeout=10,
            )
            result["status"] = r.status_code

    worker = threading.Thread(target=call)
    worker.start()
    stall = emu.wait_for_stall(timeout=2)
    assert stall is not None
    assert (stall["method"], stall["phase"], stall["path"]) == (
        "POST",
        phase,
        "/v1.0/me/threads_publish",
    )
    assert len(emu.posts()) == posts_while_stalled
    assert emu.wait_for_stall(timeout=0.05) is None  # each stall is reported once
    assert emu.release_stalls() == 1
    worker.join(5)
    assert result == {"status": 200}
    assert len(emu.posts()) == 1


def test_stall_times_out_and_carries_on(graph: Graph, emu: Emulator) -> None:
    emu.add_fault(path="/me$", action="stall_before", timeout=0.2)
    started = time.monotonic()
    assert graph.get("/me").status_code == 200
    assert time.monotonic() - started >= 0.2
    assert emu.stalls()[0]["released"] is True


def test_every_and_times(graph: Graph, emu: Emulator) -> None:
    emu.add_fault(path="/me$", action="http_error", status=500, every=True, nth=2, times=2)
    codes = [graph.get("/me").status_code for _ in range(5)]
    assert codes == [200, 500, 500, 200, 200]


def test_probability_is_seeded(graph: Graph, emu: Emulator) -> None:
    def run() -> list[int]:
        emu.clear_faults()
        emu.add_fault(path="/me$", action="http_error", status=500, probability=0.5, seed=42)
        return [graph.get("/me").status_code for _ in range(20)]

    first = run()
    assert first == run()
    assert 0 < first.count(500) < 20


def test_first_added_rule_wins_and_methods_filter(graph: Graph, emu: Emulator) -> None:
    emu.add_fault(method="POST", path="/me$", action="http_error", status=418)
    emu.add_fault(method="GET", path="/me$", action="http_error", status=500)
    emu.add_fault(method="GET", path="/me$", action="http_error", status=501)
    assert graph.get("/me").status_code == 500
    assert graph.get("/me").status_code == 200


def test_bad_rules_are_refused(emu: Emulator) -> None:
    for bad in (
        {"action": "explode"},
        {"action": "graph_error"},
        {"action": "delay", "nth": 0},
        {"action": "delay", "path": "("},
        {"action": "delay", "colour": "red"},
        {"action": "delay", "probability": 2},
        {"action": "http_error", "phase": "during"},
    ):
        with pytest.raises(ValueError):
            emu.add_fault(**bad)
    assert emu.faults() == []


def test_faults_over_http(graph: Graph, emu: Emulator) -> None:
    admin = f"{emu.url}/__emulator__"
    rule = {"method": "GET", "path": "/me$", "action": "graph_error", "code": 2, "status": 500}
    r = graph.session.post(f"{admin}/faults", json=rule, timeout=5)
    assert r.status_code == 200 and r.json()["code"] == 2
    assert error_of(graph.get("/me"))["code"] == 2
    listed = graph.session.get(f"{admin}/faults", timeout=5).json()["data"]
    assert listed[0]["fired"] == 1
    bad = graph.session.post(f"{admin}/faults", json={"action": "nope"}, timeout=5)
    assert bad.status_code == 400
    form = graph.session.post(
        f"{admin}/faults", data={"path": "/me$", "action": "http_error", "status": "599"}, timeout=5
    )
    assert form.json()["status"] == 599
    assert graph.session.delete(f"{admin}/faults", timeout=5).json() == {"success": True}
    assert emu.faults() == []


def test_stalls_over_http(graph: Graph, emu: Emulator) -> None:
    admin = f"{emu.url}/__emulator__"
    assert (
        graph.session.get(f"{admin}/stalls/next", params={"timeout": 0.05}, timeout=5).status_code
        == 404
    )
    emu.add_fault(path="/me$", action="stall_before", timeout=5)
    worker = threading.Thread(
        target=lambda: requests.get(
            graph.url("/me"), params={"access_token": emu.token}, timeout=10
        ).close()
    )
    worker.start()
    stall = graph.session.get(f"{admin}/stalls/next", params={"timeout": 2}, timeout=5).json()
    assert stall["path"] == "/v1.0/me"
    assert graph.session.post(f"{admin}/stalls/release", timeout=5).json() == {"released": 1}
    worker.join(5)
    assert graph.session.get(f"{admin}/stalls", timeout=5).json()["data"][0]["released"] is True


CLIENT = """
import sys, requests
url, token, cid = sys.argv[1:4]
headers = {"Authorization": "Bearer " + token}
url += "/v1.0/me/threads_publish"
r = requests.post(url, data={"creation_id": cid}, headers=headers, timeout=30)
print(r.status_code, flush=True)
"""


def test_crash_harness_kills_the_client_mid_publish(graph: Graph, emu: Emulator) -> None:
    """The pattern the crash tests use: stall after the work, SIGKILL the client, look."""
    emu.add_fault(method="POST", path="threads_publish$", action="stall_after", timeout=10)
    cid = graph.create(text="did it post?")
    child = subprocess.Popen(
        [sys.executable, "-c", CLIENT, emu.url, emu.token, cid],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        stall = emu.wait_for_stall(timeout=5)
        assert stall is not None and stall["phase"] == "after"
        child.send_signal(signal.SIGKILL)
        child.wait(5)
    finally:
        if child.poll() is None:
            child.kill()
        out, _ = child.communicate()
    assert child.returncode == -signal.SIGKILL
    assert out == b""  # the client never saw an answer
    emu.release_stalls()
    [post] = emu.posts()  # but the post exists: the client must reconcile, not re-post
    assert post["container_id"] == cid
    deadline = time.monotonic() + 2
    while not emu.stalls()[0]["released"] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert emu.stalls()[0]["released"] is True


def test_rule_defaults() -> None:
    rule = FaultRule(action="graph_error", code=613)
    body = rule.error().body()["error"]
    assert body["message"] == "Calls to this api have exceeded the rate limit."
    assert body["is_transient"] is True
    assert json.loads(json.dumps(rule.to_dict()))["action"] == "graph_error"
