from __future__ import annotations

from pathlib import Path

import pytest

from threadsync.config import Config
from threadsync.content import load_project
from threadsync.content.globs import split_content_glob


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("content", ("content", None)),
        ("content/brand", ("content/brand", None)),
        ("content/brand/*.yaml", ("content/brand", "*.yaml")),
        ("content/*/news-*.md", ("content", "*/news-*.md")),
        ("*.md", (".", "*.md")),
    ],
)
def test_content_glob_splits_into_dir_and_pattern(
    content: str, expected: tuple[str, str | None]
) -> None:
    assert split_content_glob(content) == expected


def test_a_glob_selects_the_post_files(tmp_path: Path) -> None:
    for rel, text in {
        "content/brand/a.yaml": "text: A\n",
        "content/brand/b.md": "B\n",
        "content/blog/deep/news-1.md": "N\n",
        "content/blog/other.md": "O\n",
    }.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    yaml_only = load_project(tmp_path, Config(content="content/brand/*.yaml"))
    assert [p.id for p in yaml_only.posts] == ["a"]
    news = load_project(tmp_path, Config(content="content/*/news-*.md"))
    assert [p.id for p in news.posts] == ["blog/deep/news-1"]  # * crosses folders
