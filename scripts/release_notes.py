"""The notes of one release: its section of CHANGELOG.md, for the GitHub release.

    python scripts/release_notes.py v1.2.0 [--check-version] [--changelog FILE]

The release workflow runs it before anything is built, so a tag without a
changelog section, or one that is not the version in threadsync/__init__.py,
stops the release before it reaches PyPI.  Prints the section's body (without
its heading) and exits 0; otherwise one line on stderr and exit 1.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TAG = re.compile(r"v(\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?)")
HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\](?:\s+-\s+(?P<date>\S+))?\s*$")
LINK_DEFINITION = re.compile(r"^\[[^\]]+\]:\s+\S+")


class ReleaseError(Exception):
    """What is wrong with the tag or the changelog, said so that it can be fixed."""


def version_of(tag: str) -> str:
    found = TAG.fullmatch(tag)
    if not found:
        raise ReleaseError(f"{tag!r} is not a release tag: use vMAJOR.MINOR.PATCH, e.g. v1.2.0")
    return found.group(1)


def package_version(init: Path = ROOT / "threadsync" / "__init__.py") -> str:
    found = re.search(r'^__version__ = "([^"]+)"$', init.read_text(encoding="utf-8"), re.M)
    if not found:
        raise ReleaseError(f'{init}: no __version__ = "..." line')
    return found.group(1)


def section(changelog: str, version: str, *, where: str = "CHANGELOG.md") -> str:
    """The body of ``## [version] - date``, up to the next ``## `` heading."""
    lines = changelog.splitlines()
    start = None
    for number, line in enumerate(lines):
        found = HEADING.match(line)
        if found and found.group("version") == version:
            if not found.group("date"):
                raise ReleaseError(f"{where}:{number + 1}: '## [{version}]' needs its date")
            start = number + 1
            break
    if start is None:
        raise ReleaseError(
            f"{where} has no section for {version}: move the Unreleased notes under "
            f"'## [{version}] - YYYY-MM-DD' before tagging"
        )
    end = next((n for n in range(start, len(lines)) if lines[n].startswith("## ")), len(lines))
    body = [line for line in lines[start:end] if not LINK_DEFINITION.match(line)]
    text = "\n".join(body).strip()
    if not text:
        raise ReleaseError(f"{where}:{start}: the section for {version} is empty")
    return text + "\n"


def notes(tag: str, changelog: Path, *, check_version: bool, init: Path | None = None) -> str:
    version = version_of(tag)
    if check_version:
        declared = package_version(init) if init else package_version()
        if declared != version:
            raise ReleaseError(
                f"the tag {tag} is not threadsync's version ({declared}, in "
                "threadsync/__init__.py): change one of them"
            )
    return section(changelog.read_text(encoding="utf-8"), version, where=changelog.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tag", help="the release tag, vMAJOR.MINOR.PATCH")
    parser.add_argument("--changelog", type=Path, default=ROOT / "CHANGELOG.md")
    parser.add_argument(
        "--check-version",
        action="store_true",
        help="also check that the tag is the version in threadsync/__init__.py",
    )
    args = parser.parse_args(argv)
    try:
        sys.stdout.write(notes(args.tag, args.changelog, check_version=args.check_version))
    except (ReleaseError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
