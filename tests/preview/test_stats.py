"""``stats`` against the emulator: the table, JSON, CSV, HTML, the cache, and rate limits."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from threadsync.api import API, Credentials, Media, MediaType
from threadsync.commands import stats_cmd as stats
from threadsync.emulator import Emulator
from threadsync.errors import ThreadsyncError
from threadsync.state import PartState, PostState

from .support import parse, write_state

Project = Callable[..., Path]
NOW = dt.datetime.now(dt.timezone.utc)
CONTENT: dict[str, str | bytes] = {
    "content/hello.yaml": "text: hello\n",
    "content/photo.yaml": "text: a photo\nmedia: [https://cdn.example.net/p.png]\n",
    "content/album.yaml": (
        "text: an album\nmedia: [https://cdn.example.net/1.png, https://cdn.example.net/2.png]\n"
    ),
    "content/story.yaml": "text: part one\nthread:\n  - text: part two\n",
}


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(processing="image=0s,video=0s,carousel=0s") as e:
        yield e


def _entry(media_ids: list[str], days_ago: int, children: list[str] | None = None) -> PostState:
    when = NOW - dt.timedelta(days=days_ago)
    parts = [
        PartState(
            media_id=m,
            permalink=f"https://www.threads.net/@emu/post/{m}",
            published_at=when,
            child_media_ids=children if i == 0 and children else [],
        )
        for i, m in enumerate(media_ids)
    ]
    return PostState(status="published", content_hash="h", parts=parts)


@pytest.fixture
def published(project: Project, emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Four posts published with the client, recorded in the state file; the token set."""
    root = project(CONTENT)
    api = API(Credentials.from_token(emu.token, emu.user_id), base_url=emu.url)

    def publish(text: str, media: Media | None = None, reply_to: str | None = None) -> str:
        container = api.create_container(text, media=media, reply_to_id=reply_to)
        api.wait_until_finished(container)
        return api.publish_container(container)

    hello = publish("hello")
    photo = publish("a photo", Media(MediaType.IMAGE, "https://cdn.example.net/p.png"))
    children = [
        api.create_container(media=Media(MediaType.IMAGE, u), is_carousel_item=True)
        for u in ("https://cdn.example.net/1.png", "https://cdn.example.net/2.png")
    ]
    album_c = api.create_carousel_container(children, text="an album")
    api.wait_until_finished(album_c)
    album = api.publish_container(album_c)
    one = publish("part one")
    two = publish("part two", reply_to=one)
    api.close()
    write_state(
        root,
        {
            "hello": _entry([hello], 1),
            "photo": _entry([photo], 3),
            "album": _entry([album], 5, children),
            "story": _entry([one, two], 8),
            "gone": PostState(status="failed", content_hash="h", error="boom"),
        },
        user_id=emu.user_id,
    )
    monkeypatch.setenv("THREADS_ACCESS_TOKEN", emu.token)
    monkeypatch.setenv("THREADS_API_URL", emu.url)
    emu.clear_requests()
    return root


def run(*argv: str) -> int:
    return stats.run(parse(stats, "stats", *argv))


def insight_calls(emu: Emulator) -> list[str]:
    return [r["path"] for r in emu.requests() if "insights" in r["path"]]


def test_text_table_is_sorted_by_views(
    published: Path, emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run() == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == [
        "POST", "KIND", "PUBLISHED", "VIEWS", "LIKES", "REPLIES", "REPOSTS", "QUOTES", "SHARES",
    ]  # fmt: skip
    rows = [ln.split() for ln in lines[1:5]]
    assert sorted(r[0] for r in rows) == ["album", "hello", "photo", "story"]
    views = [int(r[3].replace(",", "")) for r in rows]
    assert views == sorted(views, reverse=True)
    kinds = {r[0]: r[1] for r in rows}
    assert kinds == {"hello": "text", "photo": "image", "album": "carousel", "story": "thread"}
    assert lines[5].startswith("Total (4 posts)")
    assert re.search(r"^Account, \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d: .*views", out, re.M)
    assert "Fetched 4 post(s); 0 from the cache (younger than 6 h)." in out


def test_json_matches_the_api(
    published: Path, emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    posts = {p["id"]: p for p in data["posts"]}
    assert list(posts) == [p["id"] for p in sorted(data["posts"], key=lambda p: -p["views"])]
    api = API(Credentials.from_token(emu.token, emu.user_id), base_url=emu.url)
    direct = {m.name: m.total for m in api.get_insights(posts["hello"]["media_id"])}
    api.close()
    assert {k: posts["hello"][k] for k in direct} == direct
    assert posts["story"]["replies"] == 1  # the thread's second part replies to the first
    assert {k["kind"] for k in data["by_kind"]} == {"text", "image", "carousel", "thread"}
    assert data["totals"]["views"] == sum(p["views"] for p in data["posts"])
    assert data["user"]["followers_count"] == 1234
    assert data["cache"] == {"fetched": 4, "reused": 0, "max_age_hours": 6.0}


def test_csv(published: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--format", "csv") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 4
    assert set(rows[0]) >= {"id", "kind", "published_at", "views", "likes", "shares", "permalink"}
    views = [int(r["views"]) for r in rows]
    assert views == sorted(views, reverse=True)


def test_html_has_inline_svg_charts(published: Path, tmp_path: Path) -> None:
    out = tmp_path / "stats.html"
    assert run("--format", "html", "--out", str(out)) == 0
    html = out.read_text(encoding="utf-8")
    assert html.count("<svg ") >= 2
    assert "Views per post over time" in html and "Engagement by kind of post" in html
    assert len(re.findall(r"<circle ", html)) == 4  # one per post
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org', "")
    for kind in ("text", "image", "carousel", "thread"):
        assert f'<th scope="row">{kind}</th>' in html


def test_a_rerun_fetches_nothing_fresh(published: Path, emu: Emulator) -> None:
    assert run("--format", "json") == 0
    first = insight_calls(emu)
    assert len([p for p in first if p.endswith("/insights") or "/insights?" in p]) == 4
    cache = json.loads((published / ".threadsync/insights.json").read_text())
    assert set(cache["posts"]) == {"hello", "photo", "album", "story"}
    emu.clear_requests()
    assert run("--format", "json") == 0
    assert insight_calls(emu) == []  # every entry (and the account's period) is fresh

    stale = (NOW - dt.timedelta(hours=7)).isoformat()
    cache["posts"]["photo"]["fetched_at"] = stale
    (published / ".threadsync/insights.json").write_text(json.dumps(cache))
    emu.clear_requests()
    assert run("--format", "csv") == 0
    calls = insight_calls(emu)
    assert len(calls) == 1 and cache["posts"]["photo"]["media_id"] in calls[0]

    emu.clear_requests()
    assert run("--max-age", "0") == 0
    assert len(insight_calls(emu)) == 4 + 2  # every post, and the account twice


def test_since_limits_the_posts(published: Path, capsys: pytest.CaptureFixture[str]) -> None:
    since = (NOW - dt.timedelta(days=4)).date().isoformat()
    assert run("--format", "json", "--since", since) == 0
    data = json.loads(capsys.readouterr().out)
    assert sorted(p["id"] for p in data["posts"]) == ["hello", "photo"]
    assert data["user"]["since"].startswith(since)


def test_rate_limits_go_through_the_clients_retries(
    published: Path, emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    emu.add_fault(
        action="graph_error", path=r"/insights$", code=4, status=429, retry_after=0, nth=1, times=1
    )
    assert run("--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert all(p["views"] is not None for p in data["posts"])  # retried, then answered
    assert len(insight_calls(emu)) == 4 + 1 + 2


def test_an_exhausted_quota_keeps_what_was_fetched(
    published: Path, emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    emu.add_fault(
        action="graph_error",
        path=r"/insights$",
        code=4,
        status=429,
        retry_after=0,
        nth=2,
        every=True,
    )
    assert run() == 0
    out = capsys.readouterr().out
    assert "warning: rate limited by Threads" in out
    cache = json.loads((published / ".threadsync/insights.json").read_text())
    assert len(cache["posts"]) == 1  # the one fetched before the limit, kept for next time


def test_needs_a_token(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project(CONTENT)
    with pytest.raises(ThreadsyncError, match="no access token"):
        run()


def test_emulator_flag(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(CONTENT)
    assert run("--emulator") == 0
    assert "No published posts in the state file yet" in capsys.readouterr().out
    assert (root / ".threadsync/emulator/insights.json").is_file()


def test_bad_since_is_a_clear_error(published: Path) -> None:
    with pytest.raises(ThreadsyncError, match="--since 'last week' is not a date"):
        run("--since", "last week")
