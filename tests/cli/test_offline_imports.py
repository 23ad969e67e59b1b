"""Offline commands never import the API client or requests: start-up time counts.

Neither do the steps of apply that come before its first request (reading
the content, the state lock), so a run that stops there (bad content) pays
for none of it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# The client: threadsync's transport and what it is built on; and the standard
# library's HTTP stack (with ssl), which only GitHub's REST calls need.
CLIENT = ("threadsync.api.client", "threadsync.api.transport", "requests", "urllib3")
HTTP = ("urllib.request", "http.client", "ssl")
PROBE = """
import sys
from threadsync.cli import main
code = main(sys.argv[1:])
print(code, *[name for name in {watched!r} if name in sys.modules])
"""
STATE = """{
  "version": 1, "lineage": "l", "serial": 3, "user_id": "17841400000000001",
  "posts": {"a": {"status": "published", "content_hash": "h",
                  "parts": [{"media_id": "18000000000000001"}]}}
}
"""


def _run(
    tmp_path: Path,
    args: list[str],
    env: dict[str, str],
    watched: tuple[str, ...] = CLIENT + HTTP,
    before: str = "",
) -> list[str]:
    """The exit code, then which of the ``watched`` modules the command loaded.

    ``before`` is Python run in the command's process before it starts.
    """
    result = subprocess.run(
        [sys.executable, "-c", before + PROBE.format(watched=watched), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.stdout.splitlines()[-1].split() if result.stdout else [result.stderr]


@pytest.mark.parametrize(
    ("args", "content", "code"),
    [
        (["validate"], "text: Hello\n", 0),
        (["plan"], "text: Hello\n", 0),
        (["plan"], "text: [unclosed\n", 1),  # the error path too
        (["status"], "text: Hello\n", 0),
        (["status", "--json"], "text: Hello\n", 0),
    ],
)
def test_offline_commands_do_not_import_the_client(
    tmp_path: Path, args: list[str], content: str, code: int
) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.yaml").write_text(content, encoding="utf-8")
    (tmp_path / ".threadsync").mkdir()
    (tmp_path / ".threadsync" / "state.json").write_text(STATE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREADS_")}
    assert _run(tmp_path, args, env) == [str(code)]


def test_apply_stopped_by_bad_content_does_not_import_the_client(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.yaml").write_text("text: [unclosed\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREADS_")}
    env["THREADS_ACCESS_TOKEN"] = "canary-token-never-used-0123456789"
    assert _run(tmp_path, ["apply", "--yes"], env) == ["1"]


@pytest.mark.parametrize(
    ("content", "loaded"),
    [("text: Hello\n", []), ("text: Hello {{ 1 + 1 }}\n", ["jinja2"])],
)
def test_jinja_loads_only_for_a_project_with_templates(
    tmp_path: Path, content: str, loaded: list[str]
) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.yaml").write_text(content, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREADS_")}
    assert _run(tmp_path, ["plan"], env, ("jinja2",)) == ["0", *loaded]


def test_the_parser_loads_no_content_models(tmp_path: Path) -> None:
    """Every command's options are read to build the parser (--version and --help too),
    and nothing of the content package: pydantic and yaml are most of a start-up."""
    probe = (
        "import sys\nfrom threadsync.cli import build_parser\nbuild_parser()\n"
        "print(*[m for m in ('pydantic', 'yaml', 'jinja2', 'requests') if m in sys.modules])"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert loaded.stdout.split() == []


REFUSE_SCAN = """
import importlib.metadata
def refuse(*args, **kwargs):
    raise SystemExit("scanned the installed packages' entry points")
importlib.metadata.entry_points = refuse
"""


def test_the_cli_does_not_scan_installed_packages_for_pydantic_plugins(tmp_path: Path) -> None:
    # pydantic looks for plugins in every installed package's entry points when it
    # builds its first model, unless told there are none: a tenth of an offline plan.
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.yaml").write_text("text: Hello\n", encoding="utf-8")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("THREADS_") and k != "PYDANTIC_DISABLE_PLUGINS"
    }
    assert _run(tmp_path, ["plan"], env, watched=(), before=REFUSE_SCAN) == ["0"]
