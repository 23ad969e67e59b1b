"""Markdown posts: front matter, --- thread parts, image lines, verbatim text."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from threadsync.content.markdown import MarkdownError, _split_part, parse_markdown

from .contentkit import load, messages


def test_front_matter_body_parts_and_images() -> None:
    text = (
        "---\n"
        "topic: News\n"
        "---\n"
        "\n"
        "Root text,\n"
        "  kept *verbatim*.  \n"
        "\n"
        "![A cat](cat.png)\n"
        "---\n"
        "\n"
        "![](https://example.com/clip.MP4)\n"
        '   ![Spaced <alt> \\] here](<my photo.jpg> "title")   \n'
        "Second part\n"
        "---   \n"
        "Third ![inline](x.png) stays text\n"
    )
    data, source, conflicts = parse_markdown(text, "p.md")
    assert conflicts == []
    assert data == {
        "topic": "News",
        "text": "Root text,\n  kept *verbatim*.  ",
        "media": [{"image": "cat.png", "alt": "A cat"}],
        "thread": [
            {
                "text": "Second part",
                "media": [
                    {"video": "https://example.com/clip.MP4"},
                    {"image": "my photo.jpg", "alt": "Spaced <alt> ] here"},
                ],
            },
            {"text": "Third ![inline](x.png) stays text"},
        ],
    }
    assert source.locate(("text",)) == (5, 1)
    assert source.locate(("media", 0)) == (8, 1)
    assert source.locate(("thread", 0, "media", 1)) == (12, 4)
    assert source.locate(("thread", 0, "text")) == (13, 1)
    assert source.locate(("thread", 1)) == (15, 1)
    assert source.locate(("topic",)) == (2, 8)
    assert source.template_line(("text",), 2) == (6, 1)


def test_image_line_in_the_middle_is_removed() -> None:
    data, source, _ = parse_markdown("one\n![x](a.png)\n\nthree", "p.md")
    assert data["text"] == "one\n\nthree"
    assert source.template_line(("text",), 3) == (4, 1)


def test_no_front_matter() -> None:
    data, _, _ = parse_markdown("Just text\n", "p.md")
    assert data == {"text": "Just text"}
    data, _, _ = parse_markdown("", "p.md")
    assert data == {}


def test_front_matter_thread_fields_merge_with_body_parts() -> None:
    text = "---\nthread:\n  - poll: [Yes, No]\n  - {text: from yaml}\n---\nRoot\n---\nVote?\n"
    data, _, conflicts = parse_markdown(text, "p.md")
    assert conflicts == []
    assert data["thread"] == [{"poll": ["Yes", "No"], "text": "Vote?"}, {"text": "from yaml"}]


def test_conflicts() -> None:
    text = "---\ntext: a\nmedia: [x.png]\nthread:\n  - text: b\n---\nBody\n![i](y.png)\n---\nPart"
    _, _, conflicts = parse_markdown(text, "p.md")
    assert conflicts == [
        (("text",), "text is given both in the front matter and in the body; keep one"),
        (("media",), "media is given both in the front matter and as images in the body; keep one"),
        (("thread", 0, "text"), "text is given both in the front matter and in the body; keep one"),
    ]


def test_unclosed_and_bad_front_matter() -> None:
    with pytest.raises(MarkdownError) as info:
        parse_markdown("---\ntopic: x\nbody", "p.md")
    assert (info.value.line, info.value.col) == (1, 1)
    with pytest.raises(MarkdownError):
        parse_markdown("---\njust a string\n---\nbody", "p.md")
    with pytest.raises(yaml.YAMLError):
        parse_markdown("---\na: [\n---\nbody", "p.md")


def test_markdown_posts_end_to_end(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/thread.md": """
                ---
                id: t
                spoilers: [twist]
                ---
                The twist is here.

                ---
                Reply with a video:
                ![A clip](https://example.com/c.mov)
            """,
            "content/md-bad.md": "---\nmedia: 5\n---\nx\n---\n",
        },
    )
    assert messages(project) == [
        "content/md-bad.md:2:8: media must be a list, not the number 5",
    ]
    post = project.get("t")
    assert post is not None
    assert [p.kind for p in post.parts] == ["text", "video"]
    assert post.parts[1].media[0].alt == "A clip"
    assert post.parts[0].text_entities[0].offset == 4


def _trim_by_lines(chunk: str, first_line: int) -> tuple[str, list[int]]:
    """The rule, line by line: drop blank (whitespace-only) lines at both ends."""
    lines = chunk.split("\n")
    numbers = list(range(first_line, first_line + len(lines)))
    a, b = 0, len(lines)
    while a < b and not lines[a].strip():
        a += 1
    while b > a and not lines[b - 1].strip():
        b -= 1
    return "\n".join(lines[a:b]), numbers[a:b]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=" \t\n\x0b\u2028\u3000ab", max_size=30), st.integers(1, 50))
def test_trimming_a_part_matches_the_line_by_line_rule(chunk: str, first_line: int) -> None:
    """The fast trim of a part without images agrees with trimming line by line."""
    text, numbers, images = _split_part(chunk, first_line)
    assert images == []
    assert (text, list(numbers)) == _trim_by_lines(chunk, first_line)
