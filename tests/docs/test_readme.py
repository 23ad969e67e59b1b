"""The README and the docs' examples run, against the emulator, as a reader would run them."""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from threadsync import runner
from threadsync.cli import main
from threadsync.config import ApplyConfig
from threadsync.emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
# The day the tour's output was taken: the example content's scheduled post is
# still to come then, whatever the date the suite runs on.
TOUR_DAY = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.timezone.utc)


def _section(text: str, title: str, level: str = "##") -> str:
    start = text.index(f"\n{level} {title}\n")
    end = text.find(f"\n{level} ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _python_blocks(section: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(processing="image=0s") as emu:
        yield emu


def test_python_api_example_publishes_a_post(emulator: Emulator, tmp_path: Path) -> None:
    page = (DOCS / "python-api.md").read_text(encoding="utf-8")
    (code,) = _python_blocks(_section(page, "Publish a post"))
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    env = dict(
        os.environ,
        THREADS_ACCESS_TOKEN=emulator.token,
        THREADS_API_URL=emulator.url,
        THREADS_USER_ID=emulator.user_id,
    )
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("published ")
    assert [p["params"].get("text") for p in emulator.posts()] == ["Hello from threadsync"]


def test_set_up_command_is_the_emulator_demo() -> None:
    setup = _section(README.read_text(encoding="utf-8"), "Set up")
    commands = re.findall(r"```sh\n(.*?)\n```", setup, flags=re.S)
    assert len(commands) == 2
    assert commands[0].endswith("threadsync apply --emulator --yes")
    assert commands[1].endswith("python -m pytest")


# -- the five-minute tour -----------------------------------------------------------------


def _tour() -> str:
    return _section(README.read_text(encoding="utf-8"), "A five-minute tour")


def _matches(shown: str, line: str) -> bool:
    """``...`` inside a shown line stands for text that differs from run to run."""
    pattern = ".*".join(re.escape(part) for part in shown.split("..."))
    return re.fullmatch(pattern, line) is not None


def _shows(shown: list[str], output: list[str]) -> str | None:
    """The first shown line missing from ``output`` in that order; ``...`` skips lines."""
    lines = iter(line for line in output if line.strip())
    for want in (s for s in shown if s.strip() and s != "..."):
        if not any(_matches(want, line) for line in lines):
            return want
    return None


def test_the_tour_runs_as_the_readme_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tour = _tour()
    assert re.findall(r"```sh\n(.*?)\n```", tour, flags=re.S) == ["rm -rf .threadsync/emulator"]
    sessions = re.findall(r"```console\n(.*?)\n```", tour, flags=re.S)
    commands = [s.splitlines()[0] for s in sessions]
    assert commands == [
        "$ threadsync validate",
        "$ threadsync plan --emulator",
        "$ threadsync apply --emulator --yes",
        "$ threadsync status --emulator",
        "$ threadsync preview",
    ]
    # A fresh clone of the repository's example project, as the set-up makes it.
    project = tmp_path / "threadsync"
    shutil.copytree(ROOT / "content", project / "content")
    shutil.copy(ROOT / "threadsync.yaml", project / "threadsync.yaml")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(project)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "examples"], check=True)
    monkeypatch.chdir(project)
    monkeypatch.delenv("RELEASE_VERSION", raising=False)
    monkeypatch.setenv("THREADSYNC_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr(runner, "utcnow", lambda: TOUR_DAY)
    for session in sessions:
        command, *shown = session.splitlines()
        capsys.readouterr()
        code = main(shlex.split(command.removeprefix("$ threadsync ")))
        out, err = capsys.readouterr()
        assert code == 0, f"{command}:\n{out}{err}"
        # A terminal shows both streams; the tour's lines come from stderr, then stdout.
        missing = _shows(shown, err.splitlines() + out.splitlines())
        assert missing is None, f"{command} did not print {missing!r}:\n{err}{out}"


def test_the_docs_home_page_opens_with_the_readme_pitch_set_up_and_tour() -> None:
    readme = README.read_text(encoding="utf-8")
    opening = readme[: readme.index("\n## Documentation\n")].replace("](docs/", "](")
    assert (DOCS / "index.md").read_text(encoding="utf-8").startswith(opening)


# -- links ---------------------------------------------------------------------------------


def _github_slug(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _headings(markdown: str) -> set[str]:
    outside = re.sub(r"```.*?```", "", markdown, flags=re.S)
    return {_github_slug(h) for h in re.findall(r"^#{1,6} (.+)$", outside, flags=re.M)}


def test_the_readme_links_resolve() -> None:
    links = re.findall(r"\]\(([^)\s]+)\)", README.read_text(encoding="utf-8"))
    local = [link for link in links if not re.match(r"[a-z]+:", link)]
    assert "docs/apply.md" in local and "docs/images/preview.png" in local
    for link in local:
        path, _, anchor = link.partition("#")
        target = (README.parent / path) if path else README
        assert target.is_file(), f"README links to {link}, which is not in the repository"
        if anchor:
            assert anchor in _headings(target.read_text(encoding="utf-8")), link


def test_the_threadsync_yaml_example_shows_every_apply_setting_with_its_default() -> None:
    """The ``apply:`` block of the example is the defaults, so it must follow config.py."""
    page = (DOCS / "writing-posts.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```yaml\n(.*?)```", _section(page, "threadsync.yaml"), flags=re.S)
    shown = yaml.safe_load(block)["apply"]
    assert shown == ApplyConfig().model_dump()
