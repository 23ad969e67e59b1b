"""Offline commands never import the API client or requests: start-up time counts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import sys
from threadsync.cli import main
code = main(sys.argv[1:])
print(code, "requests" in sys.modules, "threadsync.api.client" in sys.modules)
"""


@pytest.mark.parametrize(
    ("args", "content", "code"),
    [
        (["validate"], "text: Hello\n", 0),
        (["plan"], "text: Hello\n", 0),
        (["plan"], "text: [unclosed\n", 1),  # the error path too
    ],
)
def test_offline_commands_do_not_import_the_client(
    tmp_path: Path, args: list[str], content: str, code: int
) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.yaml").write_text(content, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREADS_")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.splitlines()[-1].split() == [str(code), "False", "False"], result.stderr
