# ruff: noqa: E501  (exact expected messages read best on one line)
"""One broken content file per failure mode, each with its exact messages.

Each fixture in ``fixtures/invalid/`` is copied alone into a fresh project and
validated; the problems must be exactly the ones listed (``line:col: severity:
message``, positions in the fixture file itself).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from threadsync.config import load_config
from threadsync.content import load_project

FIXTURES = Path(__file__).parent / "fixtures" / "invalid"

EXPECTED: dict[str, list[str]] = {
    "alt-too-long.yaml": ["4:10: error: alt text is 1001 characters; Threads allows 1000"],
    "attachment-with-poll.yaml": ["3:13: error: attachment is not allowed together with a poll"],
    "bad-countries.yaml": [
        "2:17: error: 'uk' is not an ISO 3166-1 country code; did you mean 'GB' (United Kingdom)?",
        "2:21: error: 'XX' is not an ISO 3166-1 alpha-2 country code (two letters, e.g. 'US', 'GB', 'DE')",
        "2:25: error: country code 'de' must be upper case: 'DE' (Germany)",
    ],
    "bad-on-change.yaml": [
        "2:12: error: on_change must be one of: warn, replace; got the text 'delete'"
    ],
    "bad-reference.yaml": [
        "2:8: error: quote 'https://twitter.com/someone/status/1' is not a post of this project, a Threads media id (digits) or a threads.net permalink",
        "3:11: error: reply_to 'hello-wrld' is not a post of this project, a Threads media id (digits) or a threads.net permalink",
    ],
    "bad-reply-control.yaml": [
        "2:16: error: reply_control must be one of: everyone, accounts_you_follow, mentioned_only, parent_post_author_only, followers_only; got the text 'followers' (did you mean 'followers_only'?)"
    ],
    "bad-topic.yaml": ["2:8: error: topic may not contain '&' or '.'"],
    "carousel-too-big.yaml": ["3:3: error: 21 media items; a carousel holds 2 to 20"],
    "date-only-publish-at.yaml": [
        "2:13: error: publish_at needs a time of day, e.g. 2027-01-01T09:00:00+00:00"
    ],
    "duplicate-key.yaml": ["3:1: error: duplicate key 'text': it is already set on line 1"],
    "emoji-too-long.yaml": [
        "1:7: error: text is 504 characters; Threads allows 500 (emoji count as their UTF-8 bytes)"
    ],
    "empty.yaml": ["1:1: error: empty post file; give it at least text: or media:"],
    "gif-url.yaml": ["2:6: error: gif must be a GIPHY id, not a URL: use 'JIX9t2j0ZTN9S'"],
    "md-empty-part.md": ["6:1: error: text is empty; a post without media needs text"],
    "md-front-matter-list.md": [
        "2:1: error: front matter must be a mapping of fields (key: value)"
    ],
    "md-front-matter-yaml.md": [
        "4:1: error: invalid YAML: while parsing a flow sequence: did not find expected ',' or ']'"
    ],
    "md-template-line.md": [
        "7:1: error: thread[0].text: undefined variable 'typo_here' in template (define it in vars:)"
    ],
    "md-text-twice.md": [
        "2:7: error: text is given both in the front matter and in the body; keep one"
    ],
    "md-unclosed.md": ["1:1: error: front matter is not closed: add a '---' line after it"],
    "media-both-kinds.yaml": ["3:5: error: a media item needs exactly one of image: or video:"],
    "media-untyped.yaml": [
        "2:9: error: can't tell whether 'https://example.com/download?id=7' is an image or a video from its name; write {image: https://example.com/download?id=7} or {video: https://example.com/download?id=7}"
    ],
    "missing-local-media.yaml": ["3:5: error: media file content/_media/nope.png does not exist"],
    "naive-publish-at.yaml": [
        "2:13: error: publish_at has no timezone: add an offset (e.g. 2027-01-01T09:00:00+01:00) or set timezone: in threadsync.yaml"
    ],
    "not-a-mapping.yaml": [
        "1:1: error: a post file must be a mapping of fields (key: value), not a list"
    ],
    "poll-options.yaml": [
        "3:3: error: a poll has 2 to 4 options, not 1",
        "3:5: error: poll option is 44 characters; the limit is 25",
    ],
    "poll-with-media.yaml": [
        "3:7: error: poll is only allowed on text posts (this one has media)",
        "4:7: error: link is only allowed on text posts (this one has media)",
    ],
    "reserved-var.yaml": ["3:3: error: 'post' is a reserved template name; rename the variable"],
    "second-document.yaml": [
        "2:1: error: invalid YAML: found a second YAML document ('---'); a YAML post holds one document (for a thread, use thread: or a Markdown file)"
    ],
    "spoiler-media-on-text.yaml": ["2:16: error: spoiler_media needs media; this is a text post"],
    "spoiler-not-found.yaml": ["2:20: error: spoiler 'gardener' is not in the text"],
    "template-env.yaml": [
        "1:7: error: text: environment variable HOME is not available to templates: list it in threadsync.yaml, e.g. env: [HOME]"
    ],
    "template-sandbox.yaml": [
        "1:7: error: text: template tried to reach Python internals (access to attribute '__class__' of 'str' object is unsafe); templates may only use variables, filters and tests"
    ],
    "template-syntax.yaml": [
        "3:3: error: text: template syntax error: Expected an expression, got 'end of statement block'"
    ],
    "template-undefined.yaml": [
        "3:3: error: text: undefined variable 'undefined_thing' in template (define it in vars:)"
    ],
    "text-too-long.yaml": [
        "1:7: error: text is 501 characters; Threads allows 500 (emoji count as their UTF-8 bytes)"
    ],
    "thread-post-only-key.yaml": [
        "4:5: error: publish_at can't be set on a thread part: it applies to the whole post, so set it at the top level",
        "6:5: error: a thread part replies to the part before it; reply_to belongs to the first part (top level)",
    ],
    "too-many-links.yaml": ["1:7: error: 6 different links (text and link); Threads allows 5"],
    "unknown-key.yaml": ["2:1: error: unknown key 'medai' in a post (did you mean 'media'?)"],
    "unknown-media-key.yaml": [
        "4:5: error: unknown key 'alt_text' in a media item (did you mean 'alt'?)"
    ],
    "wrong-type.yaml": [
        "1:7: error: text must be a string, not the number 42 (put it in quotes to make it text)",
        "2:8: error: draft must be true or false, not the text 'yes'",
        "3:7: error: poll must be a list, not the text 'Red or blue'",
    ],
    "yaml-syntax.yaml": [
        "2:8: error: invalid YAML: mapping values are not allowed in this context"
    ],
}


def test_every_fixture_has_expectations() -> None:
    assert sorted(p.name for p in FIXTURES.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_fixture(name: str, tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    shutil.copy(FIXTURES / name, tmp_path / "content" / name)
    project = load_project(tmp_path, load_config(None, tmp_path), env={"HOME": "/root"})
    got = [f"{p.line}:{p.col}: {p.severity}: {p.message}" for p in project.problems]
    assert got == EXPECTED[name]
    assert all(p.path == f"content/{name}" for p in project.problems)
    # A file with an error never yields a post.
    assert project.posts == []
