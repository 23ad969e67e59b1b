"""The preview's cards: every kind of post, escaping, spoilers, badges, index and calendar."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from threadsync.commands import preview_cmd as preview
from threadsync.content import threads_length
from threadsync.state import PostState

from .support import cards, hashes, parse, published_entry, status_of, write_state

Project = Callable[..., Path]
Built = tuple[int, str, Path, dict[str, str]]  # exit code, index.html, out dir, cards


def build(root: Path, *extra: str) -> tuple[int, str, Path]:
    out = root / "site"
    rc = preview.run(parse(preview, "preview", "--out", str(out), "--name", "acme", *extra))
    return rc, (out / "index.html").read_text(encoding="utf-8"), out


@pytest.fixture
def site(project: Project) -> Built:
    root = project()
    h = hashes(root)
    write_state(
        root,
        {
            "image": published_entry(
                h["image"],
                "1801",
                "https://www.threads.net/@acme/post/ABC",
                published_at="2026-11-02T10:00:00+00:00",
            ),
            "link": published_entry(
                "an-older-hash", "1802", "https://www.threads.net/@acme/post/D"
            ),
            "poll": PostState(status="failed", content_hash=h["poll"], error="quota <exhausted>"),
        },
    )
    rc, html, out = build(root)
    return rc, html, out, cards(html)


def text_of(card: str, cls: str) -> list[str]:
    return re.findall(rf'<[^>]+class="{cls}"[^>]*>(.*?)</', card)


def test_every_post_and_every_broken_file_gets_a_card(site: Built) -> None:
    rc, _, out, by_anchor = site
    ids = {
        "text", "image", "video", "carousel", "spoiled-media", "poll", "link", "quote", "thread",
        "spoiler", "evil", "scheduled", "later", "draft", "gif",
    }  # fmt: skip
    assert {a for a in by_anchor if a.startswith("post-")} == {f"post-{i}" for i in ids}
    broken = [a for a in by_anchor if a.startswith("file-")]
    assert len(broken) == 1 and "broken.yaml" in broken[0]
    assert rc == 1  # invalid content: the site is written, and the exit code says so
    for anchor in by_anchor:
        assert (out / f"{anchor}.html").is_file()


def test_text_with_links_mentions_and_topic(site: Built) -> None:
    card = site[3]["post-text"]
    assert (
        '<a class="mention" href="https://www.threads.net/@alice.b" rel="noopener noreferrer">'
        "@alice.b</a>" in card
    )
    assert '<a class="link" href="https://example.org/docs"' in card
    assert '<span class="tag">#Python</span>' in card
    assert "Mail bob@example.com" in card  # an e-mail address is not a mention
    assert re.search(r'class="topic"[^>]*><span aria-hidden="true">›</span> Open Source', card)
    assert '<span class="account">acme</span>' in card


@pytest.mark.parametrize(
    ("anchor", "words"),
    [
        ("post-image", "Anyone can reply"),
        ("post-text", "Mentioned only"),
        ("post-link", "Profiles you follow"),
        ("post-poll", "Followers"),
        ("post-thread", "Only the author of the parent post"),
    ],
)
def test_reply_control_in_threads_words(site: Built, anchor: str, words: str) -> None:
    assert text_of(site[3][anchor], "reply-control")[0] == words


def test_single_image_is_copied_with_its_alt_text(site: Built) -> None:
    card, out = site[3]["post-image"], site[2]
    m = re.search(r'<img src="(media/[0-9a-f]+\.png)" alt="A red rectangle\."', card)
    assert m is not None
    assert (out / m.group(1)).read_bytes()[:4] == b"\x89PNG"


def test_video_shows_a_poster_with_the_remote_url(site: Built) -> None:
    card = site[3]["post-video"]
    assert '<figure class="video-poster">' in card
    assert 'src="https://cdn.example.net/clip.mp4" aria-label="Ten seconds of waves."' in card


def test_carousel_is_a_focusable_scroll_strip(site: Built) -> None:
    card = site[3]["post-carousel"]
    assert re.search(
        r'<div class="carousel" role="region" tabindex="0" aria-label="Carousel of 2', card
    )
    assert card.count('<li class="carousel-item">') == 2
    assert 'alt="Image 2 of 2 (no alt text given)"' in card
    assert '<span class="no-alt">no alt text</span>' in card
    css = (site[2] / "style.css").read_text()
    assert "scroll-snap-type: x mandatory" in css and "scroll-snap-align: start" in css


def test_spoiler_text_is_hidden_until_revealed(site: Built) -> None:
    card = site[3]["post-spoiler"]
    hidden = re.search(
        r'<label class="spoiler"><input type="checkbox" class="spoiler-toggle"'
        r' aria-label="Spoiler: reveal"><span class="spoiler-text">(.*?)</span></label>',
        card,
    )
    assert hidden is not None and hidden.group(1) == "the butler did it 🎩"
    assert "checked" not in card.replace("spoiler-toggle", "")  # starts hidden
    css = (site[2] / "style.css").read_text()
    rule = re.search(r"\.spoiler-toggle:not\(:checked\) \+ \.spoiler-text \{([^}]*)\}", css)
    assert rule is not None and "color: transparent" in rule.group(1)


def test_spoiler_media_is_blurred_until_revealed(site: Built) -> None:
    card = site[3]["post-spoiled-media"]
    assert '<div class="media media-spoiler">' in card
    assert re.search(
        r'<input type="checkbox" class="spoiler-toggle" id="spoiler-post-spoiled-media-0">', card
    )
    assert '<label class="media-spoiler-label" for="spoiler-post-spoiled-media-0">' in card
    css = (site[2] / "style.css").read_text()
    assert ".media-spoiler .spoiler-toggle:not(:checked) ~ .single-media img" in css


def test_poll_link_gif_and_attachment(site: Built) -> None:
    by_anchor = site[3]
    assert text_of(by_anchor["post-poll"], "poll-option") == ["Tabs", "Spaces", "Both"]
    link = by_anchor["post-link"]
    assert '<a class="link-card" href="https://www.example.org/changelog?v=2"' in link
    assert '<span class="link-domain">example.org</span>' in link
    gif = by_anchor["post-gif"]
    assert "<code>xT9IgG50Fb7Mi0prBC</code>" in gif
    assert "Attached text (38 characters)" in gif
    assert "Only in DE, AT" in gif


def test_quote_card_shows_the_quoted_post(site: Built) -> None:
    card = site[3]["post-quote"]
    quote = card[card.index('<div class="quote">') :]
    assert '<a href="post-text.html">Quoting text</a>' in quote
    assert "Hello @alice.b!" in re.sub(r"<[^>]+>", "", quote)
    assert "<a class=" not in quote  # a quoted post's text is shown, not clickable


def test_thread_parts_are_replies_underneath(site: Built) -> None:
    card = site[3]["post-thread"]
    posts = re.findall(r'<li class="post([^"]*)">', card)
    assert posts == [" has-next", " reply has-next", " reply"]
    assert 'aria-label="Thread of 3 posts"' in card
    assert '<span class="part-no">2/3</span>' in card
    assert 'alt="A green square"' in card


def test_html_in_post_text_is_escaped(site: Built) -> None:
    html, card = site[1], site[3]["post-evil"]
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in card
    assert "&lt;img src=x onerror=alert(1)&gt;" in card
    assert "&#34;quoted&#34;" in card
    assert "<script" not in html  # and the static site has no JavaScript at all
    assert "<img src=x" not in html


def test_character_count_against_500(site: Built) -> None:
    text = "Hello @alice.b! Read https://example.org/docs, then #Python. Mail bob@example.com"
    assert text_of(site[3]["post-text"], "count count-ok") == [f"{threads_length(text)}/500"]
    spoiler = "The ending: the butler did it 🎩. Really."
    assert text_of(site[3]["post-spoiler"], "count count-ok") == [f"{len(spoiler) + 3}/500"]


def test_near_the_limit_warns_on_the_card(project: Project) -> None:
    root = project({"content/long.yaml": f"text: {'x' * 480}\n"})
    rc, html, _ = build(root)
    card = cards(html)["post-long"]
    assert rc == 0
    assert text_of(card, "count count-near") == ["480/500"]
    assert re.search(r'class="problem problem-warning">.*text is 480 of 500 characters', card)


def test_the_verdict_counts_every_file_it_lists(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(
        {"content/a.yaml": "text: a\nbogus: 1\n", "content/b.yaml": f"text: {'x' * 480}\n"}
    )
    rc, _, _ = build(root)
    assert rc == 1
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == ["content/a.yaml", "content/b.yaml"]
    assert lines[-1] == "1 error, 1 warning in 2 files"


@pytest.mark.parametrize(
    ("anchor", "kind", "label"),
    [
        ("post-text", "publish", "Will publish at the next apply"),
        ("post-scheduled", "scheduled", "Scheduled for Mon 6 Jan 2031, 09:30 CET"),
        ("post-draft", "draft", "Draft"),
        ("post-image", "published", "Published"),
        ("post-link", "published", "Published"),
        ("post-poll", "failed", "Failed"),
    ],
)
def test_plan_action_badges(site: Built, anchor: str, kind: str, label: str) -> None:
    card = site[3][anchor]
    assert status_of(card) == kind
    assert text_of(card, f"badge badge-{kind}") == [label]


def test_published_links_to_its_permalink_and_failed_says_why(site: Built) -> None:
    by_anchor = site[3]
    assert (
        '<a class="permalink" href="https://www.threads.net/@acme/post/ABC"'
        in by_anchor["post-image"]
    )
    assert "Mon 2 Nov 2026, 11:00 CET" in by_anchor["post-image"]
    assert text_of(by_anchor["post-poll"], "status-detail") == ["quota &lt;exhausted&gt;"]
    assert "was edited after publishing" in text_of(by_anchor["post-link"], "status-detail")[0]


def test_a_broken_file_shows_its_error_on_its_card(site: Built) -> None:
    anchor = next(a for a in site[3] if a.startswith("file-"))
    card = site[3][anchor]
    assert status_of(card) == "invalid"
    assert text_of(card, "badge badge-invalid") == ["1 error: will not publish"]
    assert "content/broken.yaml:2:7</code> a poll has 2 to 4 options, not 1" in card
    assert "A poll with one option" in card  # its text, as written


def test_index_lists_posts_by_status_then_date(site: Built) -> None:
    html = site[1]
    groups = re.findall(r'<section class="group" id="group-([a-z]+)"', html)
    assert groups == ["invalid", "failed", "publish", "scheduled", "draft", "published"]
    scheduled = html[html.index('id="group-scheduled"') : html.index('id="group-draft"')]
    assert scheduled.index('id="post-scheduled"') < scheduled.index('id="post-later"')
    contents = html[
        html.index('<nav class="contents"') : html.index(
            "</nav>", html.index('<nav class="contents"')
        )
    ]
    badge = '<a class="badge badge-publish" href="#group-publish">Will publish'
    assert f'{badge} <span class="count">9</span></a>' in contents
    assert contents.index('href="#post-scheduled"') < contents.index('href="#post-later"')


def test_calendar_shows_scheduled_posts_on_their_day(site: Built) -> None:
    cal = (site[2] / "calendar.html").read_text()
    assert cal.count('<table class="calendar">') == 1
    assert "<caption>January 2031 <span" in cal
    cells = re.findall(
        r'<td class="has-posts">\s*<span class="day-number">(\d+)</span>(.*?)</td>', cal, re.S
    )
    assert [(day, re.findall(r'href="index.html#(post-[a-z]+)"', body)) for day, body in cells] == [
        ("6", ["post-scheduled"]),
        ("13", ["post-later"]),
    ]
    assert '<span class="time">09:30</span> scheduled' in cal
    assert '<span class="time">18:00</span> later' in cal


def test_pages_are_accessible(site: Built) -> None:
    html = site[1]
    assert '<html lang="en">' in html
    assert '<a class="skip-link" href="#main">Skip to content</a>' in html
    assert '<main id="main" tabindex="-1">' in html
    assert '<nav aria-label="Preview pages">' in html and "<footer" in html
    for img in re.findall(r"<img [^>]*>", html):
        assert re.search(r' alt="[^"]+"', img), img


def test_problems_outside_post_files_and_a_bad_state_file_make_a_banner(project: Project) -> None:
    root = project(
        {
            "content/_vars.yaml": "post: reserved\n",
            "content/a.yaml": "text: hi\n",
            ".threadsync/state.json": "{not json",
        }
    )
    rc, html, _ = build(root)
    banner = html[html.index('<section class="banner"') : html.index("</section>")]
    assert "content/_vars.yaml:1:1: &#39;post&#39; is a reserved template name" in banner
    assert "is corrupt" in banner
    assert status_of(cards(html)["post-a"]) == "publish"
    assert rc == 1


def test_a_post_page_per_card_and_the_default_out_dir(project: Project) -> None:
    root = project({"content/a.yaml": "text: hi\n"})
    assert preview.run(parse(preview, "preview")) == 0
    out = root / ".threadsync/preview"
    page = (out / "post-a.html").read_text()
    assert '<a href="index.html#post-a">' in page and 'id="post-a"' in page
    assert {p.name for p in out.iterdir()} >= {"index.html", "calendar.html", "style.css"}
