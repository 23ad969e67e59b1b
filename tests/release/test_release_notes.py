"""scripts/release_notes.py: a release's notes are its CHANGELOG.md section, and a tag
that is not the package's version, or has no section, stops the release."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "release_notes.py"

CHANGELOG = """\
# Changelog

Intro.

## [Unreleased]

### Added

- Something not released yet.

## [1.2.0] - 2027-02-01

### Added

- A feature.

### Fixed

- A bug.

## [1.1.0] - 2027-01-10

- Older.

[Unreleased]: https://github.com/o/r/compare/v1.2.0...HEAD
[1.2.0]: https://github.com/o/r/compare/v1.1.0...v1.2.0
[1.1.0]: https://github.com/o/r/releases/tag/v1.1.0
"""


@pytest.fixture(scope="module")
def notes() -> ModuleType:
    spec = importlib.util.spec_from_file_location("release_notes", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_section_of_a_version_without_its_heading(notes: ModuleType) -> None:
    assert notes.section(CHANGELOG, "1.2.0") == (
        "### Added\n\n- A feature.\n\n### Fixed\n\n- A bug.\n"
    )
    # The last section stops before the link definitions.
    assert notes.section(CHANGELOG, "1.1.0") == "- Older.\n"


@pytest.mark.parametrize(
    ("text", "version", "message"),
    [
        (CHANGELOG, "1.3.0", "CHANGELOG.md has no section for 1.3.0: move the Unreleased"),
        ("## [1.3.0]\n\n- x\n", "1.3.0", "CHANGELOG.md:1: '## [1.3.0]' needs its date"),
        ("## [1.3.0] - 2027-03-01\n\n## [1.2.0] - 2027-02-01\n", "1.3.0", "is empty"),
    ],
)
def test_a_missing_undated_or_empty_section_stops_the_release(
    notes: ModuleType, text: str, version: str, message: str
) -> None:
    with pytest.raises(notes.ReleaseError, match=re.escape(message)):
        notes.section(text, version)


@pytest.mark.parametrize("tag", ["v1", "1.2.0", "v1.2", "v1.2.0-beta", "v1.2.0\n"])
def test_only_release_tags_are_accepted(notes: ModuleType, tag: str) -> None:
    with pytest.raises(notes.ReleaseError, match="is not a release tag"):
        notes.version_of(tag)
    assert notes.version_of("v1.2.0") == "1.2.0" and notes.version_of("v2.0.0rc1") == "2.0.0rc1"


def test_the_tag_must_be_the_packages_version(notes: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "CHANGELOG.md").write_text(CHANGELOG)
    (tmp_path / "__init__.py").write_text('__version__ = "1.1.0"\n')
    changelog, init = tmp_path / "CHANGELOG.md", tmp_path / "__init__.py"
    with pytest.raises(notes.ReleaseError, match=r"the tag v1\.2\.0 is not threadsync's version"):
        notes.notes("v1.2.0", changelog, check_version=True, init=init)
    assert notes.notes("v1.1.0", changelog, check_version=True, init=init) == "- Older.\n"
    assert notes.notes("v1.2.0", changelog, check_version=False).startswith("### Added")


def test_the_command_prints_the_notes_or_one_error(tmp_path: Path) -> None:
    (tmp_path / "CHANGELOG.md").write_text(CHANGELOG)
    run = [sys.executable, str(SCRIPT), "--changelog", str(tmp_path / "CHANGELOG.md")]
    done = subprocess.run([*run, "v1.2.0"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("### Added\n")
    done = subprocess.run([*run, "v9.9.9"], capture_output=True, text=True)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("error: CHANGELOG.md has no section for 9.9.9")
    assert "Traceback" not in done.stderr


def test_this_repositorys_changelog_keeps_the_format(notes: ModuleType) -> None:
    text = (ROOT / "CHANGELOG.md").read_text()
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[0] == "## [Unreleased]"
    for heading in headings[1:]:
        assert re.fullmatch(r"## \[\d+\.\d+\.\d+\S*\] - \d{4}-\d{2}-\d{2}", heading), heading
    assert "[Unreleased]: " in text
    assert "### Added" in text
