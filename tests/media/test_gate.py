"""When apply opens a media gate: the preflight's default, and a store only when needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from threadsync.config import MediaConfig, load_config
from threadsync.content import load_project
from threadsync.content.models import Post
from threadsync.media.gate import open_gate
from threadsync.project import ApiSettings
from threadsync.runner import _real_api

from .mediakit import png, write

REMOTE = "text: Remote\nmedia: ['https://cdn.example/a.png']\n"


def _posts(root: Path, files: dict[str, bytes | str]) -> list[Post]:
    write(root, files)
    content = load_project(root, load_config(None, root))
    assert content.errors == []
    return content.posts


@pytest.mark.parametrize(
    ("preflight", "emulator", "real_api", "on"),
    [
        (None, False, True, True),  # the real API: on by default
        (None, False, False, False),  # THREADS_API_URL is an emulator
        (None, True, False, False),  # --emulator
        (False, False, True, False),
        (True, True, False, True),
    ],
)
def test_the_preflight_is_on_against_the_real_api_unless_told(
    tmp_path: Path, preflight: bool | None, emulator: bool, real_api: bool, on: bool
) -> None:
    posts = _posts(tmp_path, {"content/a.yaml": REMOTE})
    media = MediaConfig(preflight=preflight)
    gate = open_gate(media, tmp_path, posts, emulator=emulator, real_api=real_api)
    assert (gate is not None and gate.preflight is not None) is on


def test_nothing_to_check_without_media(tmp_path: Path) -> None:
    posts = _posts(tmp_path, {"content/a.yaml": "text: Text\n"})
    assert open_gate(MediaConfig(), tmp_path, posts, emulator=False, real_api=True) is None


def test_a_store_is_opened_only_for_local_files_and_never_for_the_emulator(
    tmp_path: Path,
) -> None:
    """No credentials here: opening the store would raise."""
    config = "media: {store: s3, bucket: my-bucket, public_base_url: 'https://m.example/'}\n"
    remote = _posts(tmp_path / "r", {"threadsync.yaml": config, "content/a.yaml": REMOTE})
    media = load_config(None, tmp_path / "r").media
    assert open_gate(media, tmp_path, remote, emulator=False, real_api=False) is None
    local = _posts(
        tmp_path / "l",
        {
            "threadsync.yaml": config,
            "content/a.yaml": "text: Local\nmedia: [_media/a.png]\n",
            "content/_media/a.png": png(),
        },
    )
    assert open_gate(media, tmp_path, local, emulator=True, real_api=False) is None
    with pytest.raises(Exception, match="no credentials for media bucket my-bucket"):
        open_gate(media, tmp_path, local, emulator=False, real_api=False)


def test_which_api_is_real(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _real_api(ApiSettings()) is True
    assert _real_api(ApiSettings(url="http://127.0.0.1:8123")) is False
    monkeypatch.setenv("THREADS_API_URL", "https://graph.threads.net")
    assert _real_api(ApiSettings()) is True
    monkeypatch.setenv("THREADS_API_URL", "http://localhost:8123")
    assert _real_api(ApiSettings()) is False
