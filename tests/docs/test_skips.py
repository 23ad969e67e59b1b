"""A test skipped for a missing tool is never silent: pytest says why, and the docs say what."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEVELOPMENT = ROOT / "docs" / "development.md"


def test_pytest_names_the_reason_for_every_skip(tmp_path: Path) -> None:
    test = tmp_path / "test_needs_a_tool.py"
    test.write_text(
        "import pytest\n\n\ndef test_it():\n    pytest.skip('needs the canary tool')\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), str(test)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SKIPPED [1] test_needs_a_tool.py:5: needs the canary tool" in done.stdout


def _skips(tree: ast.AST) -> bool:
    """Whether a module calls pytest.skip, pytest.importorskip or pytest.mark.skip(if)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"skip", "skipif", "importorskip"}:
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id == "pytest":
                return True
    return False


def test_every_test_that_can_skip_is_in_the_development_docs() -> None:
    skipping = sorted(
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "tests").rglob("*.py")
        if _skips(ast.parse(path.read_text(encoding="utf-8")))
    )
    assert "tests/preview/test_browser.py" in skipping
    page = DEVELOPMENT.read_text(encoding="utf-8")
    undocumented = [path for path in skipping if f"`{path}`" not in page]
    assert undocumented == [], (
        f"{undocumented} can skip a test: say in {DEVELOPMENT.name} what it needs and how "
        ".ci/run installs it"
    )
