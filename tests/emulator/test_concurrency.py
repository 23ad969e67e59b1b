"""Parallel clients: no lost or doubled posts."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from threadsync.emulator import Emulator

CLIENTS = 8
POSTS_EACH = 6


def _client(emu: Emulator, n: int) -> list[str]:
    ids = []
    headers = {"Authorization": f"Bearer {emu.token}"}
    with requests.Session() as s:
        for i in range(POSTS_EACH):
            kind = (
                {"media_type": "IMAGE", "image_url": f"https://e.com/{n}-{i}.jpg"} if i % 2 else {}
            )
            data = {"media_type": "TEXT", "text": f"client {n} post {i}", **kind}
            cid = s.post(
                f"{emu.url}/v1.0/me/threads", data=data, headers=headers, timeout=10
            ).json()["id"]
            r = s.post(
                f"{emu.url}/v1.0/me/threads_publish",
                data={"creation_id": cid},
                headers=headers,
                timeout=10,
            )
            assert r.status_code == 200, r.text
            ids.append(r.json()["id"])
    return ids


def test_eight_clients_create_and_publish(emu: Emulator) -> None:
    emu.set_processing(image=0)
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(lambda n: _client(emu, n), range(CLIENTS)))
    published = [i for ids in results for i in ids]
    posts = emu.posts()
    assert len(published) == len(set(published)) == CLIENTS * POSTS_EACH
    assert sorted(p["id"] for p in posts) == sorted(published)
    texts = sorted(p["params"]["text"] for p in posts)
    assert texts == sorted(
        f"client {n} post {i}" for n in range(CLIENTS) for i in range(POSTS_EACH)
    )
    assert len({c["id"] for c in emu.containers()}) == CLIENTS * POSTS_EACH


def test_racing_publishes_of_one_container_make_one_post(emu: Emulator) -> None:
    headers = {"Authorization": f"Bearer {emu.token}"}
    cid = requests.post(
        f"{emu.url}/v1.0/me/threads",
        data={"media_type": "TEXT", "text": "once"},
        headers=headers,
        timeout=5,
    ).json()["id"]
    barrier = threading.Barrier(CLIENTS)

    def publish(_: int) -> int:
        with requests.Session() as s:
            barrier.wait(5)
            return s.post(
                f"{emu.url}/v1.0/me/threads_publish",
                data={"creation_id": cid},
                headers=headers,
                timeout=10,
            ).status_code

    with ThreadPoolExecutor(CLIENTS) as pool:
        codes = list(pool.map(publish, range(CLIENTS)))
    assert sorted(codes) == [200] + [400] * (CLIENTS - 1)
    assert len(emu.posts()) == 1
