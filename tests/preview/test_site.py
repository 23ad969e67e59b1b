"""The site builder: only what changed is rendered and written again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from threadsync.config import load_config
from threadsync.preview import Site, Snapshot, take_snapshot
from threadsync.preview.model import page_of_file

from .support import CONFIG, png

Project = Callable[..., Path]
NOW = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)


def snap(root: Path) -> Snapshot:
    config = load_config(None, root)
    return take_snapshot(root, config, root / config.state, NOW)


def test_a_rebuild_renders_and_writes_only_what_changed(project: Project) -> None:
    root = project(
        {
            "threadsync.yaml": CONFIG,
            "content/_media/p.png": png(8, 8),
            "content/a.yaml": "text: a\nmedia: [_media/p.png]\n",
            "content/b.yaml": "text: b\nmedia: [_media/p.png]\n",
            "content/c.yaml": "text: c quotes b\nquote: b\n",
            "content/d.yaml": "text: d\npublish_at: 2031-01-01T10:00:00Z\n",
        }
    )
    site = Site(root / "site", account="acme")
    first = site.build(snap(root))
    assert (first.cards, first.rendered, first.removed) == (4, 4, 0)
    assert len(list((root / "site/media").iterdir())) == 1  # one file, used twice, copied once

    again = site.build(snap(root))
    assert (again.rendered, again.pages_written) == (0, 0)

    (root / "content/a.yaml").write_text("text: a, edited\n", encoding="utf-8")
    edited = site.build(snap(root))
    assert edited.rendered == 1
    assert edited.pages_written == 2  # a's page and the index; the calendar is unchanged

    (root / "content/b.yaml").write_text("text: b, edited\n", encoding="utf-8")
    quoted = site.build(snap(root))
    assert quoted.rendered == 2  # b, and c whose quote card shows b
    assert "b, edited" in (root / "site/post-c.html").read_text(encoding="utf-8")

    (root / "content/d.yaml").unlink()
    gone = site.build(snap(root))
    assert (gone.cards, gone.removed) == (3, 1)
    assert not (root / "site/post-d.html").exists()
    assert "post-d.html" not in site.digests
    assert "No post is scheduled." in (root / "site/calendar.html").read_text(encoding="utf-8")


def test_live_pages_carry_their_own_digest(project: Project) -> None:
    root = project({"content/a.yaml": "text: a\n"})
    site = Site(root / "site", account="acme", live=True)
    site.build(snap(root))
    page = (root / "site/post-a.html").read_text(encoding="utf-8")
    digest = site.digests["post-a.html"]
    assert (
        f'<script src="/__threadsync/live.js" data-page="post-a.html" data-digest="{digest}">'
        in page
    )
    assert page.rstrip().endswith("</body>\n</html>")


def test_a_new_build_removes_the_pages_of_posts_that_are_gone(project: Project) -> None:
    """A second ``preview`` (a new Site) removes what the first wrote for a deleted post."""
    root = project({"content/a.yaml": "text: a\n", "content/b.yaml": "text: b\n"})
    Site(root / "site", account="acme").build(snap(root))
    assert (root / "site/post-b.html").is_file()

    (root / "content/b.yaml").unlink()
    (root / "content/c.yaml").write_text("text: [broken\n", encoding="utf-8")
    report = Site(root / "site", account="acme").build(snap(root))
    assert report.removed == 1
    names = {p.name for p in (root / "site").iterdir() if p.suffix == ".html"}
    broken = page_of_file("content/c.yaml")
    assert names == {"index.html", "calendar.html", "post-a.html", broken}

    (root / "content/c.yaml").unlink()  # a broken file's page goes the same way
    assert Site(root / "site", account="acme").build(snap(root)).removed == 1
    assert not (root / "site" / broken).exists()


def test_only_the_previews_own_pages_are_removed(project: Project, tmp_path: Path) -> None:
    root = project({"content/a.yaml": "text: a\n"})
    out = root / "site"
    out.mkdir()
    theirs = out / "post-2024-summer.html"  # someone's page in a folder chosen with --out
    theirs.write_text("<!doctype html><title>My summer</title>\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere.html"
    elsewhere.write_text('<meta name="generator" content="threadsync preview">\n', encoding="utf-8")
    (out / "post-linked.html").symlink_to(elsewhere)  # never followed, never removed
    (out / "notes.html").write_text(
        '<meta name="generator" content="threadsync preview">\n', encoding="utf-8"
    )  # not named like a card's page
    report = Site(out, account="acme").build(snap(root))
    assert report.removed == 0
    assert theirs.read_text(encoding="utf-8").startswith("<!doctype html><title>My summer")
    assert (out / "post-linked.html").is_symlink() and elsewhere.exists()
    assert (out / "notes.html").exists()
