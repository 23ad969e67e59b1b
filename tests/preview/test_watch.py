"""``watch``: a save shows in the served page; broken files and config keep it running; Ctrl-C."""

from __future__ import annotations

import _thread
import socket
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from threadsync.commands import watch_cmd as watch
from threadsync.errors import ThreadsyncError
from threadsync.preview.watch import Watcher

from .support import parse

Project = Callable[..., Path]
WAIT = 10.0  # seconds: a bound, not an expectation (a build here takes milliseconds)
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, no proxy


def get(url: str) -> str:
    with _OPENER.open(url, timeout=5) as response:
        return str(response.read().decode("utf-8"))


def page(url: str) -> str:
    """The page, or "" while it does not exist (yet)."""
    try:
        return get(url)
    except urllib.error.HTTPError:
        return ""


def wait_for(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError(f"not within {WAIT} s: {what}")


@pytest.fixture
def watching(project: Project) -> Iterator[Callable[..., tuple[Path, Watcher]]]:
    started: list[Watcher] = []

    def start(files: dict[str, str | bytes]) -> tuple[Path, Watcher]:
        root = project(files)
        args = parse(watch, "watch", "--port", "0", "--name", "acme")
        watcher = watch.make_watcher(watch.request_from(args), root / "site").start()
        started.append(watcher)
        return root, watcher

    yield start
    for w in started:
        w.stop()


def test_a_save_shows_in_the_served_page(
    watching: Callable[..., tuple[Path, Watcher]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, w = watching({"content/a.yaml": "text: first\n", "content/b.yaml": "text: other\n"})
    page = get(w.url + "post-a.html")
    assert "first" in page
    assert '<script src="/__threadsync/live.js" data-page="post-a.html"' in page
    assert "location.reload()" in get(w.url + "__threadsync/live.js")
    digest_a = get(w.url + "__threadsync/digest?page=post-a.html")
    digest_b = get(w.url + "__threadsync/digest?page=post-b.html")
    assert f'data-digest="{digest_a}"' in page
    (root / "content/a.yaml").write_text("text: second <b>\n", encoding="utf-8")
    wait_for(lambda: "second &lt;b&gt;" in get(w.url + "post-a.html"), "the edit is served")
    wait_for(lambda: "second &lt;b&gt;" in get(w.url), "the index shows it")
    assert get(w.url + "__threadsync/digest?page=post-a.html") != digest_a
    assert get(w.url + "__threadsync/digest?page=post-b.html") == digest_b  # b's tab stays
    assert w.last_report is not None and w.last_report.rendered == 1  # only a's card
    out = capsys.readouterr().out
    assert "content/a.yaml changed: 2 posts valid · rebuilt 1 of 2 cards" in out


def test_a_broken_file_shows_on_its_card_and_the_server_keeps_running(
    watching: Callable[..., tuple[Path, Watcher]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, w = watching({"content/a.yaml": "text: fine\n"})
    (root / "content/a.yaml").write_text("text: [not closed\n", encoding="utf-8")
    wait_for(lambda: 'class="card status-invalid"' in get(w.url), "the error card")
    index = get(w.url)
    assert "content/a.yaml:2:1" in index and "invalid YAML" in index
    assert get(w.url + "__threadsync/digest?page=post-a.html") == "gone"
    with pytest.raises(urllib.error.HTTPError):
        get(w.url + "post-a.html")
    wait_for(lambda: "1 error in 1 file" in capsys.readouterr().out, "the terminal says so")
    (root / "content/a.yaml").write_text("text: fixed\n", encoding="utf-8")
    wait_for(lambda: "fixed" in page(w.url + "post-a.html"), "the fix is served")


def test_a_broken_config_shows_a_banner_and_new_files_are_picked_up(
    watching: Callable[..., tuple[Path, Watcher]],
) -> None:
    root, w = watching({"threadsync.yaml": "prune: false\n", "content/a.yaml": "text: a\n"})
    (root / "threadsync.yaml").write_text("prune: maybe\n", encoding="utf-8")
    wait_for(lambda: "threadsync.yaml is invalid" in get(w.url), "the config error")
    (root / "threadsync.yaml").write_text("prune: false\n", encoding="utf-8")
    (root / "content/sub").mkdir()
    (root / "content/sub/new.md").write_text("A new post.\n", encoding="utf-8")
    wait_for(lambda: 'id="post-sub-new-' in get(w.url), "the new post in a new folder")
    assert "threadsync.yaml is invalid" not in get(w.url)


def test_editor_temp_files_are_ignored(
    watching: Callable[..., tuple[Path, Watcher]],
) -> None:
    root, w = watching({"content/a.yaml": "text: a\n"})
    builds = w.builds
    (root / "content/.a.yaml.swp").write_bytes(b"x")
    (root / "content/a.yaml~").write_text("text: b\n", encoding="utf-8")
    time.sleep(0.3)
    assert w.builds == builds


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_ctrl_c_stops_cleanly(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project({"content/a.yaml": "text: a\n"})
    made: list[Path] = []
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp(**kwargs: str) -> str:
        made.append(Path(real_mkdtemp(**kwargs)))
        return str(made[-1])

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"

    def press_ctrl_c() -> None:
        try:
            wait_for(lambda: _answers(url), "the server answers")
        finally:
            _thread.interrupt_main()

    presser = threading.Thread(target=press_ctrl_c)
    presser.start()
    try:
        rc = watch.run(parse(watch, "watch", "--port", str(port)))
    finally:
        presser.join()
    assert rc == 0
    assert "Stopped." in capsys.readouterr().err
    assert not _answers(url)
    assert made and not made[0].exists()  # the temporary site is removed


def test_run_says_where_it_serves_and_stops_on_request(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project({"content/a.yaml": "text: a\n"})
    port = _free_port()
    stop = threading.Event()
    args = parse(watch, "watch", "--port", str(port), "--out", str(root / "kept"))
    runner = threading.Thread(target=watch.run, args=(args,), kwargs={"stop": stop})
    runner.start()
    try:
        wait_for(lambda: _answers(f"http://127.0.0.1:{port}/"), "the server answers")
        wait_for(lambda: "Serving the preview at" in capsys.readouterr().out, "the message")
    finally:
        stop.set()
        runner.join(timeout=WAIT)
    assert not runner.is_alive()
    assert (root / "kept/index.html").is_file()  # --out keeps the site


def _answers(url: str) -> bool:
    try:
        return "<html" in get(url)
    except OSError:
        return False


def test_a_taken_port_is_a_clear_error(project: Project) -> None:
    project({"content/a.yaml": "text: a\n"})
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(ThreadsyncError, match="choose another --port"):
            watch.run(parse(watch, "watch", "--port", str(port)))


def test_the_terminal_shows_hostile_file_names_and_errors_escaped(project: Project) -> None:
    """A file name or an error carrying escape or bidi codes can't drive the terminal."""
    root = project({"content/a.yaml": "text: a\n"})
    lines: list[str] = []
    watcher = watch.make_watcher(
        watch.request_from(parse(watch, "watch", "--port", "0")), root / "site"
    )
    watcher.echo = lines.append
    try:
        watcher.build([root / "content" / "x\x1b[2J\u202e.yaml"])

        def broken() -> Any:
            raise RuntimeError("boom \x1b]0;pwned\x07\nforged line")

        watcher.snapshot = broken
        watcher.build([])
    finally:
        watcher.stop()
    shown = "\n".join(lines)
    assert "content/x\\x1b[2J\\u202e.yaml changed" in shown
    assert "build failed: RuntimeError: boom \\x1b]0;pwned\\x07\\nforged line" in shown
    assert "\x1b" not in shown and "\u202e" not in shown and "\x07" not in shown
