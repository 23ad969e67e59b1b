"""Local media end to end: the commit check in plan and apply, the S3 store, the preflight."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from media.mediakit import file_server, png, serve
from s3kit import AWS_SECRET_CANARY, Bucket, record_uploads

from threadsync.emulator import Emulator

from .support import Project, Run, live_texts

RAW = "media:\n  base_url: 'https://raw.githubusercontent.com/{repo}/{sha}/{path}'\n"


def _creates(emu: Emulator) -> list[dict[str, str]]:
    return [
        r["params"]
        for r in emu.requests()
        if r["method"] == "POST" and r["path"].split("?")[0].endswith("/threads")
    ]


@pytest.fixture
def raw_project(make_project: Callable[..., Project], monkeypatch: pytest.MonkeyPatch) -> Project:
    """Three posts (two with a committed image), media served from raw GitHub URLs."""
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/posts")
    project = make_project(
        {
            "content/a-image.yaml": "text: An image\nmedia: [_media/a.png]\n",
            "content/b-text.yaml": "text: Just text\n",
            "content/c-image.yaml": "text: Another image\nmedia: [_media/c.png]\n",
        },
        config=RAW,
    )
    (project.root / "content/_media").mkdir()
    (project.root / "content/_media/a.png").write_bytes(png(b"a"))
    (project.root / "content/_media/c.png").write_bytes(png(b"c"))
    project.commit("images")
    return project


def test_an_image_changed_after_the_commit_is_refused_by_plan_and_apply(
    raw_project: Project, cli: Run, emu: Emulator
) -> None:
    project = raw_project
    sha = project.git("rev-parse", "HEAD").strip()
    (project.root / "content/_media/a.png").write_bytes(png(b"edited after the commit"))
    refusal = (
        f"a-image: refused: content/_media/a.png has changed since commit {sha[:7]}; "
        "commit and push it first"
    )

    plan = cli("plan", "--detailed-exitcode")  # offline: no token needed for this
    assert plan.rc == 2, plan
    assert refusal in plan.out
    assert "+ a-image" not in plan.out and "+ c-image" in plan.out
    data = cli("plan", "--json").json()
    assert [c["id"] for c in data["changes"]] == ["b-text", "c-image"]
    assert {"id": "a-image", "message": refusal.removeprefix("a-image: ")} in data["warnings"]
    markdown = cli("plan", "--format", "markdown").out
    assert "content/\\_media/a.png has changed since commit" in markdown

    applied = cli("apply", "--yes")
    assert applied.rc == 1, applied
    assert "a-image: refused  (content/_media/a.png has changed since commit" in applied.out
    assert "Apply: 2 published, 1 refused." in applied.out
    assert live_texts(emu) == ["Just text", "Another image"]
    urls = [p.get("image_url") for p in _creates(emu) if "image_url" in p]
    assert urls == [f"https://raw.githubusercontent.com/acme/posts/{sha}/content/_media/c.png"]
    assert "a-image" not in project.state()["posts"]

    project.commit("the new picture")
    new_sha = project.git("rev-parse", "HEAD").strip()
    again = cli("apply", "--yes")
    assert again.rc == 0, again
    assert live_texts(emu)[-1] == "An image"
    state = project.state()["posts"]["a-image"]
    assert state["parts"][0]["media_urls"] == [
        f"https://raw.githubusercontent.com/acme/posts/{new_sha}/content/_media/a.png"
    ]


def test_the_commit_check_uses_the_commit_the_urls_were_built_with(
    raw_project: Project, cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # HEAD is read once per plan.  Were it read again for the check, a commit made
    # in between would have the files checked against another commit than the one
    # their URLs pin; here HEAD "moves" to a commit this clone does not have.
    import threadsync.config as config

    real = config._git
    heads: list[str | None] = []

    def git(root: Path, *args: str) -> str | None:
        out = real(root, *args)
        if args == ("rev-parse", "HEAD"):
            heads.append(out)
            return out if len(heads) == 1 else "0" * 40
        return out

    monkeypatch.setattr(config, "_git", git)
    plan = cli("plan")
    assert plan.rc == 0, plan
    assert "refused" not in plan.out and "+ a-image" in plan.out
    assert len(heads) == 1


def test_an_untracked_image_is_not_committed(raw_project: Project, cli: Run, emu: Emulator) -> None:
    project = raw_project
    sha = project.git("rev-parse", "HEAD").strip()
    (project.root / "content/_media/new.png").write_bytes(png(b"new"))
    project.post("d-new", "text: A new picture\nmedia: [_media/new.png]\n")
    result = cli("apply", "--yes")
    assert result.rc == 1
    assert (
        f"d-new: refused: content/_media/new.png is not committed (commit {sha[:7]}); "
        "commit and push it first"
    ) in result.err + result.out
    assert "A new picture" not in live_texts(emu)
    assert len(live_texts(emu)) == 3


def test_only_a_refusal_left_still_fails_the_apply(
    raw_project: Project, cli: Run, emu: Emulator
) -> None:
    project = raw_project
    assert cli("apply", "--yes").rc == 0
    project.post("d-new", "text: New\nmedia: [_media/new.png]\n")
    (project.root / "content/_media/new.png").write_bytes(png(b"new"))
    result = cli("apply", "--yes")
    assert result.rc == 1, result
    assert "Apply: 1 refused." in result.out


def test_the_emulator_flag_checks_no_commit(raw_project: Project, cli: Run) -> None:
    """--emulator fetches no media, so uncommitted pictures may be tried out there."""
    (raw_project.root / "content/_media/a.png").write_bytes(png(b"draft picture"))
    result = cli("apply", "--emulator", "--yes")
    assert result.rc == 0, result
    assert "refused" not in result.out + result.err


# -- the S3 store ----------------------------------------------------------------------------


@pytest.fixture
def puts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys uploaded, in order."""
    return record_uploads(monkeypatch)


@pytest.fixture
def store_project(make_project: Callable[..., Project], bucket: Bucket) -> Project:
    project = make_project(
        {"content/a.md": "A picture from a private repository\n\n![Alt](_media/p.png)\n"},
        config=bucket.media_config(),
    )
    (project.root / "content/_media").mkdir()
    (project.root / "content/_media/p.png").write_bytes(png(b"private"))
    # Not committed: with a store, the bytes are uploaded, not served from a commit.
    return project


def test_a_store_publishes_the_bucket_url_and_uploads_each_file_once(
    store_project: Project, cli: Run, emu: Emulator, bucket: Bucket, puts: list[str]
) -> None:
    key = f"threadsync/{hashlib.sha256(png(b'private')).hexdigest()}.png"
    plan = cli("plan", "--json")
    assert [c["id"] for c in plan.json()["changes"]] == ["a"]

    first = cli("apply", "--yes")
    assert first.rc == 0, first
    assert puts == [key]
    assert bucket.read(key) == (png(b"private"), "image/png")
    (params,) = _creates(emu)
    assert params["image_url"] == bucket.public_base_url + key
    assert params["alt_text"] == "Alt"
    media_urls = store_project.state()["posts"]["a"]["parts"][0]["media_urls"]
    assert media_urls == [bucket.public_base_url + key]

    store_project.post("b", "text: The same picture again\nmedia: [_media/p.png]\n")
    second = cli("apply", "--yes")
    assert second.rc == 0, second
    assert puts == [key]  # the second apply uploads nothing
    assert [p.get("image_url") for p in _creates(emu)] == [bucket.public_base_url + key] * 2
    assert AWS_SECRET_CANARY not in first.out + first.err + second.out + second.err


def test_moving_published_media_to_a_bucket_is_not_an_edit(
    raw_project: Project, cli: Run, emu: Emulator, bucket: Bucket, puts: list[str]
) -> None:
    assert cli("apply", "--yes").rc == 0
    raw_project.write("threadsync.yaml", bucket.media_config())
    raw_project.commit("media from a bucket now")
    result = cli("plan", "--detailed-exitcode")
    assert result.rc == 0, result
    assert "No changes." in result.out
    assert cli("apply", "--yes").rc == 0
    assert puts == [] and len(live_texts(emu)) == 3


def test_without_credentials_apply_stops_with_one_line(
    store_project: Project,
    cli: Run,
    emu: Emulator,
    bucket: Bucket,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = cli("apply", "--yes")
    assert result.rc == 1
    assert result.error_lines == [
        f"error: no credentials for media bucket {bucket.name}: set AWS_ACCESS_KEY_ID "
        "and AWS_SECRET_ACCESS_KEY (in GitHub Actions, from secrets), or AWS_PROFILE, "
        "or give the runner a role"
    ]
    assert "Traceback" not in result.err
    assert live_texts(emu) == [] and _creates(emu) == []


def test_without_the_extra_apply_stops_with_one_line(
    store_project: Project, cli: Run, emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)
    result = cli("apply", "--yes")
    assert result.rc == 1
    assert result.error_lines == [
        "error: media.store: s3 needs boto3, which comes with the s3 extra: "
        "pip install 'threadsync[s3]'"
    ]
    assert _creates(emu) == []
    assert cli("plan").rc == 0  # planning needs neither boto3 nor credentials


def test_a_failed_upload_refuses_its_post_without_secrets(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, bucket: Bucket
) -> None:
    config = bucket.media_config().replace(f"bucket: {bucket.name}", "bucket: no-such-bucket")
    project = make_project(
        {
            "content/a.yaml": "text: Local picture\nmedia: [_media/p.png]\n",
            "content/b.yaml": "text: Text\n",
        },
        config=config,
    )
    (project.root / "content/_media").mkdir()
    (project.root / "content/_media/p.png").write_bytes(png(b"p"))
    result = cli("apply", "--yes")
    assert result.rc == 1
    assert "a: refused  (uploading content/_media/p.png as s3://no-such-bucket/" in result.out
    assert "NoSuchBucket (HTTP 404)" in result.out
    assert live_texts(emu) == ["Text"]
    assert AWS_SECRET_CANARY not in result.out + result.err
    assert "testing-key-id" not in result.out + result.err


# -- the preflight ---------------------------------------------------------------------------


@pytest.fixture
def media_server() -> Iterator[str]:
    routes = {"/content/_media/ok.png": serve(png(b"ok"), "image/png")}
    with file_server(routes) as (base, _):
        yield base


def test_the_preflight_refuses_a_missing_file_before_any_container(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, media_server: str
) -> None:
    project = make_project(
        {
            "content/a.yaml": "text: Served\nmedia: [_media/ok.png]\n",
            "content/b.yaml": "text: Not on the server\nmedia: [_media/missing.png]\n",
        },
        config=f"media:\n  base_url: '{media_server}/{{path}}'\n  preflight: true\n",
    )
    (project.root / "content/_media").mkdir()
    (project.root / "content/_media/ok.png").write_bytes(png(b"ok"))
    (project.root / "content/_media/missing.png").write_bytes(png(b"missing"))
    result = cli("apply", "--yes")
    assert result.rc == 1
    assert (
        f"b: refused  ({media_server}/content/_media/missing.png answered 404 Not Found; "
        "Threads could not fetch it)"
    ) in result.out
    assert live_texts(emu) == ["Served"]
    assert [p.get("image_url") for p in _creates(emu)] == [f"{media_server}/content/_media/ok.png"]
