"""Apply with a media gate: uploads and the preflight before each post's first container."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from media.mediakit import file_server, png, serve
from s3kit import Bucket, record_uploads

from threadsync.apply import Applier
from threadsync.config import load_config
from threadsync.journal import Journal
from threadsync.media.gate import MediaGate, open_gate
from threadsync.media.preflight import Preflight
from threadsync.media.store import LocalFiles

from .conftest import Project, calls, client, emu_now, live, statuses


def _apply(project: Project, gate: MediaGate | None, **options: int):  # type: ignore[no-untyped-def]
    if options:
        project.with_options(**options)
    posts = project.posts()
    applier = Applier(
        project.plan(),
        posts,
        Journal(project.store()),
        lambda: client(project.emu, project.sleeps),
        project.options,
        sleep=project.sleeps,
        now=lambda: emu_now(project.emu),
        progress=lambda post_id, message: project.progress.append((post_id, message)),
        media=gate,
    )
    return applier.run()


def _creates(project: Project) -> list[str]:
    """The media URL of every container made."""
    return [
        r["params"].get("image_url") or r["params"].get("video_url") or ""
        for r in calls(project.emu, "POST", "/threads")
    ]


# -- the preflight ---------------------------------------------------------------------------


@pytest.fixture
def files_server() -> Iterator[str]:
    routes = {
        "/ok.png": serve(png(b"ok"), "image/png"),
        "/login.png": serve(b"<html>", "text/html"),
    }
    with file_server(routes) as (base, _):
        yield base


def test_the_preflight_refuses_a_404_and_a_mislabelled_file_before_any_container(
    project: Project, files_server: str
) -> None:
    base = files_server
    project.write(
        {
            "a-missing.yaml": f"text: Missing\nmedia: ['{base}/gone.png']\n",
            "b-login.yaml": f"text: Login page\nmedia: [{{image: '{base}/login.png'}}]\n",
            "c-ok.yaml": f"text: Fine\nmedia: ['{base}/ok.png']\n",
            "d-text.yaml": "text: Text\n",
            "e-quote.yaml": "text: Quoting the missing one\nquote: a-missing\n",
        }
    )
    gate = MediaGate(LocalFiles(project.root), preflight=Preflight())
    report = _apply(project, gate)
    assert statuses(report) == {
        "a-missing": "refused",
        "b-login": "refused",
        "c-ok": "published",
        "d-text": "published",
        "e-quote": "skipped",
    }
    details = {r.id: r.detail for r in report.results}
    assert details["a-missing"] == (
        f"{base}/gone.png answered 404 Not Found; Threads could not fetch it"
    )
    assert details["b-login"].startswith(f"{base}/login.png answered Content-Type text/html;")
    assert not report.ok
    assert _creates(project) == [f"{base}/ok.png", ""]  # no container for a refused post
    state = project.state()
    assert set(state.posts) == {"c-ok", "d-text"}  # a refused post is not failed: it is retried
    assert ("a-missing", f"refused: {details['a-missing']}") in project.progress


def test_a_refused_replace_keeps_its_old_post(project: Project, files_server: str) -> None:
    base = files_server
    project.write({"r.yaml": f"text: Old\non_change: replace\nmedia: ['{base}/ok.png']\n"})
    assert statuses(_apply(project, None)) == {"r": "published"}
    old = project.state().posts["r"].media_id
    project.write({"r.yaml": f"text: New\non_change: replace\nmedia: ['{base}/gone.png']\n"})
    report = _apply(project, MediaGate(LocalFiles(project.root), preflight=Preflight()))
    assert statuses(report) == {"r": "refused"}
    assert calls(project.emu, "DELETE", f"/{old}") == []
    assert set(live(project.emu)) == {"Old"}


# -- the store -------------------------------------------------------------------------------


def _store_project(project: Project, bucket: Bucket, images: dict[str, bytes]) -> None:
    """threadsync.yaml with the bucket as the media store, and ``content/_media/`` images."""
    (project.root / "threadsync.yaml").write_text(bucket.media_config(), encoding="utf-8")
    (project.root / "content" / "_media").mkdir(parents=True)
    for name, data in images.items():
        (project.root / "content" / "_media" / name).write_bytes(data)


def _store_gate(project: Project) -> MediaGate:
    media = load_config(None, project.root).media
    posts = list(project.posts().values())
    gate = open_gate(media, project.root, posts, emulator=False, real_api=False)
    assert gate is not None and gate.store is not None
    assert gate.preflight is None  # off against an emulator
    return gate


def test_local_images_are_uploaded_before_their_containers(
    project: Project, bucket: Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    image, other = png(b"one"), png(b"two")
    _store_project(project, bucket, {"one.png": image, "two.png": other})
    project.write(
        {
            "a.yaml": "text: One image\nmedia: [_media/one.png]\n",
            "b.yaml": "text: Carousel\nmedia: [_media/one.png, _media/two.png]\n",
            "c.yaml": "text: Thread\nthread:\n  - text: Part two\n    media: [_media/two.png]\n",
        }
    )
    puts = record_uploads(monkeypatch)
    report = _apply(project, _store_gate(project), workers=3)
    assert statuses(report) == dict.fromkeys("abc", "published")
    keys = {data: f"threadsync/{hashlib.sha256(data).hexdigest()}.png" for data in (image, other)}
    urls = {data: bucket.public_base_url + key for data, key in keys.items()}
    assert sorted(puts) == sorted(keys.values())  # each file once, whatever its posts
    assert sorted(bucket.keys()) == sorted(keys.values())
    for data, key in keys.items():
        assert bucket.read(key) == (data, "image/png")
    assert sorted(_creates(project)) == sorted(
        [urls[image], urls[image], urls[other], "", "", urls[other]]
    )
    state = project.state()
    assert state.posts["a"].parts[0].media_urls == [urls[image]]
    assert state.posts["b"].parts[0].media_urls == [urls[image], urls[other]]
    assert state.posts["c"].parts[0].media_urls is None
    assert state.posts["c"].parts[1].media_urls == [urls[other]]
    attempts = [a for p in state.posts.values() for part in p.parts for a in part.attempts]
    assert attempts and all(a.media_urls is None for a in attempts)  # moved to their parts


def test_uploads_run_while_earlier_posts_process(
    project: Project, bucket: Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later post's upload does not wait for the earlier post to publish."""
    _store_project(project, bucket, {"late.png": png(b"late")})
    project.write(
        {
            "a-video.yaml": "text: Slow video\nmedia: ['https://example.test/v.mp4']\n",
            "b-image.yaml": "text: Quotes the video\nquote: a-video\nmedia: [_media/late.png]\n",
        }
    )
    uploaded = threading.Event()
    events: list[str] = []

    def then() -> None:
        events.append("uploaded b-image")
        uploaded.set()

    record_uploads(monkeypatch, then)
    sleeps = project.sleeps
    progress = project.progress

    class Steps(list):  # type: ignore[type-arg]
        def append(self, item: tuple[str, str]) -> None:
            if item[0] == "a-video" and item[1].startswith("published"):
                events.append("a-video published")
            progress.append(item)

    project.progress = Steps()

    def sleep(seconds: float) -> None:  # the video processes until the upload is done
        if not events:
            uploaded.wait(5)  # in vain (and once) if uploads wait for the posts before them
        sleeps(seconds)

    project.sleeps = sleep  # type: ignore[assignment]
    report = _apply(project, _store_gate(project), workers=2)
    assert statuses(report) == {"a-video": "published", "b-image": "published"}
    # b-image quotes a-video, so its container waits for a-video's media id; its upload did not.
    assert events == ["uploaded b-image", "a-video published"]


def test_a_failed_upload_refuses_only_its_post(
    project: Project, bucket: Bucket, tmp_path: Path
) -> None:
    _store_project(project, bucket, {"a.png": png(b"a")})
    project.write(
        {
            "a.yaml": "text: Has a local image\nmedia: [_media/a.png]\n",
            "b.yaml": "text: Text only\n",
        }
    )
    gate = _store_gate(project)
    gate.store.bucket = "no-such-bucket"  # type: ignore[attr-defined]
    report = _apply(project, gate)
    assert statuses(report) == {"a": "refused", "b": "published"}
    assert "NoSuchBucket (HTTP 404)" in report.results[0].detail
    assert _creates(project) == [""]
