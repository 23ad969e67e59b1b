"""Fixtures: a content repository with every kind of post, as the current directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .support import CONFIG, png, write

EVERY_KIND: dict[str, str | bytes] = {
    "threadsync.yaml": CONFIG,
    "content/_media/red.png": png(40, 30, (200, 40, 40)),
    "content/_media/green.png": png(30, 40, (40, 160, 60)),
    "content/text.yaml": """
        text: "Hello @alice.b! Read https://example.org/docs, then #Python. Mail bob@example.com"
        topic: Open Source
        reply_control: mentioned_only
        """,
    "content/image.yaml": """
        text: One picture.
        media:
          - image: _media/red.png
            alt: A red rectangle.
        """,
    "content/video.yaml": """
        text: A clip.
        media:
          - video: https://cdn.example.net/clip.mp4
            alt: Ten seconds of waves.
        """,
    "content/carousel.yaml": """
        text: Two pictures.
        media:
          - image: _media/red.png
            alt: Red.
          - _media/green.png
        """,
    "content/spoiled-media.yaml": """
        text: Blurred until tapped.
        spoiler_media: true
        media:
          - image: _media/green.png
            alt: Green.
        """,
    "content/poll.yaml": """
        text: Tabs or spaces?
        poll: [Tabs, Spaces, Both]
        reply_control: followers_only
        """,
    "content/link.yaml": """
        text: Our changelog.
        link: https://www.example.org/changelog?v=2
        reply_control: accounts_you_follow
        """,
    "content/quote.yaml": """
        text: Look at this 👇
        quote: text
        """,
    "content/thread.md": """
        ---
        id: thread
        reply_control: parent_post_author_only
        ---
        First part of the thread.
        ---
        Second part, with a picture:

        ![A green square](_media/green.png)
        ---
        Third part.
        """,
    "content/spoiler.yaml": """
        text: "The ending: the butler did it 🎩. Really."
        spoilers: [the butler did it 🎩]
        """,
    "content/evil.yaml": """
        text: "<script>alert('x')</script> & <img src=x onerror=alert(1)> \\"quoted\\""
        """,
    "content/scheduled.yaml": """
        text: See you next year.
        publish_at: 2031-01-06 09:30:00
        """,
    "content/later.yaml": """
        text: And a week later.
        publish_at: 2031-01-13T18:00:00+01:00
        """,
    "content/draft.yaml": """
        draft: true
        text: Not ready.
        """,
    "content/gif.yaml": """
        text: With a GIF and a long attachment.
        gif: xT9IgG50Fb7Mi0prBC
        attachment: The long text that goes with the post.
        countries: [DE, AT]
        """,
    "content/broken.yaml": """
        text: "A poll with one option"
        poll: [Only]
        """,
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """``project(files)``: a content repository in a tmp dir, made the current directory."""

    def make(files: dict[str, str | bytes] | None = None) -> Path:
        root = tmp_path / "repo"
        root.mkdir(exist_ok=True)
        write(root, EVERY_KIND if files is None else files)
        monkeypatch.chdir(root)
        return root

    return make
