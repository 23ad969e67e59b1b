"""A hostile content repository through the real commands: nothing outside it is read.

The review's attack end to end: a pull request commits a partial that is a
symlink to ``/proc/self/environ`` (or to any file beside the checkout) and a
template that puts it in a post's link.  Every command that reads content
(validate, plan, apply, import, stats, status, preview) refuses the file, and
the token never shows in any output or file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from threadsync.emulator import Emulator

from .support import Project, Run

POST = """\
text: "Read the notes"
link: "https://example.com/?q={% include 'footer.txt' %}"
"""
PROC = (
    "content/a.yaml:2:7: link: partial content/_partials/footer.txt: a symlink to a file "
    "outside the repository (/proc/self/environ)"
)


@pytest.fixture
def hostile(
    make_project: Callable[..., Project], monkeypatch: pytest.MonkeyPatch, emu: Emulator
) -> tuple[Project, str]:
    """A committed repository whose partial links to the environment holding the token."""
    project = make_project({"content/a.yaml": POST})
    (project.root / "content/_partials").mkdir()
    os.symlink("/proc/self/environ", project.root / "content/_partials/footer.txt")
    project.commit("a partial")
    return project, emu.token


def _clean(result: object, token: str) -> None:
    assert token not in str(result)


@pytest.mark.parametrize("command", [["validate"], ["plan"], ["apply", "--yes"], ["import"]])
def test_commands_refuse_the_symlinked_partial(
    hostile: tuple[Project, str], cli: Run, command: list[str]
) -> None:
    project, token = hostile
    result = cli(*command)
    assert result.rc == 1
    assert PROC in result.out + result.err
    _clean(result, token)
    if (project.root / ".threadsync/state.json").exists():
        assert token not in (project.root / ".threadsync/state.json").read_text()


def test_status_leaves_the_post_out(
    make_project: Callable[..., Project], cli: Run, tmp_path: Path
) -> None:
    """status shows each post's first line: a partial from outside must not become one."""
    (tmp_path / "secret.txt").write_text("secret-canary-31c7\n")
    project = make_project({"content/a.yaml": "text: \"{% include 'footer.txt' %}\"\n"})
    (project.root / "content/_partials").mkdir()
    os.symlink(tmp_path / "secret.txt", project.root / "content/_partials/footer.txt")
    result = cli("status", "--json")
    assert result.rc == 0, result.err
    assert '"content_errors": 1' in result.out
    assert "secret-canary-31c7" not in result.out + result.err


def test_preview_shows_the_refusal_not_the_file(
    hostile: tuple[Project, str], cli: Run, tmp_path: Path
) -> None:
    project, token = hostile
    (project.root / "content/leak.yaml").symlink_to("/proc/self/environ")
    out = tmp_path / "site"
    result = cli("preview", "--out", str(out))
    assert result.rc == 1
    _clean(result, token)
    pages = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    assert "a symlink to a file outside the repository (/proc/self/environ)" in pages
    assert token not in pages and "THREADS_API_URL" not in pages


def test_a_partial_naming_a_path_outside_partials_is_refused(
    make_project: Callable[..., Project], cli: Run
) -> None:
    make_project(
        {
            "secret.txt": "do not publish\n",
            "content/a.yaml": "text: '{% include \"../../secret.txt\" %}'\n",
        }
    )
    result = cli("validate")
    assert result.rc == 1
    assert result.out.splitlines()[0] == (
        "content/a.yaml:1:7: text: partial '../../secret.txt': names a file outside "
        "content/_partials/; use a name under it"
    )
    assert "do not publish" not in result.out


def test_content_dir_outside_the_repository(
    make_project: Callable[..., Project], cli: Run, tmp_path: Path
) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/a.yaml").write_text("text: from elsewhere\n")
    make_project({}, config="content: ../elsewhere\n")
    result = cli("validate")
    assert (result.rc, result.out) == (
        1,
        "threadsync.yaml:1:10: content dir '../elsewhere' is outside the repository\n"
        "1 error in the configuration\n",
    )
    plan = cli("plan")
    assert plan.rc == 1
    assert "threadsync.yaml:1:10: content dir '../elsewhere' is outside the repository" in plan.err


def test_media_beside_the_checkout_is_refused(
    make_project: Callable[..., Project], cli: Run, tmp_path: Path
) -> None:
    (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    make_project(
        {"content/a.yaml": "text: hi\nmedia: [../../outside.png]\n"},
        config='media: {base_url: "https://cdn.example/{path}"}\n',
    )
    result = cli("validate")
    assert result.rc == 1
    assert result.out.splitlines()[0] == (
        "content/a.yaml:2:9: media path '../../outside.png' points outside the repository"
    )
