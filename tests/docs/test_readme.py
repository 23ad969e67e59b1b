"""The README's examples run, against the emulator, as a reader would run them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from threadsync.config import ApplyConfig
from threadsync.emulator import Emulator

README = Path(__file__).resolve().parents[2] / "README.md"


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n### {title}\n")
    end = text.index("\n### ", start + 1)
    return text[start:end]


def _python_blocks(section: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(processing="image=0s") as emu:
        yield emu


def test_python_api_example_publishes_a_post(emulator: Emulator, tmp_path: Path) -> None:
    (code,) = _python_blocks(_section("Publish a post"))
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
    text = README.read_text(encoding="utf-8")
    setup = text[text.index("## Set up") : text.index("## Contents")]
    commands = re.findall(r"```sh\n(.*?)\n```", setup, flags=re.S)
    assert len(commands) == 2
    assert commands[0].endswith("threadsync apply --emulator --yes")
    assert commands[1].endswith("python -m pytest")


def test_the_threadsync_yaml_example_shows_every_apply_setting_with_its_default() -> None:
    """The ``apply:`` block of the example is the defaults, so it must follow config.py."""
    (block,) = re.findall(r"```yaml\n(.*?)```", _section("threadsync.yaml"), flags=re.S)
    shown = yaml.safe_load(block)["apply"]
    assert shown == ApplyConfig().model_dump()
