"""The escaping functions every renderer uses for untrusted values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from threadsync.output.escape import md_code, md_fence, md_link, md_text, terminal_text

from .markdown import cells, code_spans, prose, raw_html, split_fences

HOSTILE = [
    "`",
    "a``b`",
    "```",
    "````text",
    "<!--",
    "-->",
    "<!-- threadsync-plan -->",
    "</details>",
    "<script>alert(1)</script>",
    "a | b | c",
    "x\n**Plan: 0 to publish, 0 scheduled, 0 to delete.**",
    "\n\n## Fake heading",
    "\x1b[2J\x1b[H",
    "\u202eevil\u202c",
    "\u2066isolate\u2069",
    "- a list item",
    "12. numbered",
    "    indented code",
    "@octo-org/everyone",
    "[link](https://evil.example)",
    "![img](https://evil.example/x.png)",
    "&#8238;&lt;!--",
    "\\|\\",
    " ` ",
    "",
]
UNSAFE_CHARS = ("\x1b", "\x00", "\x85", "\u202e", "\u202c", "\u2066", "\u2069", "\u200f", "\u061c")


@pytest.mark.parametrize("value", HOSTILE)
def test_terminal_text_keeps_a_value_on_one_line_and_shows_its_controls(value: str) -> None:
    shown = terminal_text(value)
    assert "\n" not in shown and "\r" not in shown
    assert not any(c in shown for c in UNSAFE_CHARS)


def test_terminal_text_names_each_control_visibly() -> None:
    assert terminal_text("a\x1b[2Jb\u202ec\nd\te\x00\x9b") == "a\\x1b[2Jb\\u202ec\\nd\\te\\x00\\x9b"
    assert terminal_text("line 1\nline 2\tx\x1b", newlines=True) == "line 1\nline 2\tx\\x1b"


def test_ordinary_values_are_unchanged() -> None:
    for value in ("hello-world", "news/2026-01-launch", "Ünïcödé 👋 שלום", "a.b_c"):
        assert terminal_text(value) == value
        assert md_code(value) == f"`{value}`"
    assert md_text("text edited since it was published") == "text edited since it was published"


@pytest.mark.parametrize("value", HOSTILE)
def test_md_code_is_one_span_holding_exactly_the_value(value: str) -> None:
    spans, outside = code_spans(md_code(value))
    assert spans == [terminal_text(value) or " "] and outside == "\x00"


@pytest.mark.parametrize("value", HOSTILE)
def test_md_code_in_a_table_cell_stays_in_its_cell(value: str) -> None:
    row = f"| {md_code(value, table=True)} | next |"
    first, second = cells(row)
    assert second == "next"
    assert code_spans(first)[0] == [terminal_text(value) or " "]


@given(st.text())
def test_md_code_holds_any_text(value: str) -> None:
    spans, outside = code_spans(md_code(value, table=True).replace("\\|", "|"))
    assert spans == [terminal_text(value) or " "] and outside == "\x00"


@pytest.mark.parametrize("value", HOSTILE)
def test_md_text_is_prose_with_no_markup(value: str) -> None:
    text = md_text(value)
    assert "\n" not in text
    assert code_spans(text)[0] == []  # no code span opens
    assert raw_html(text) == []  # no tag, no comment
    assert not any(c in text for c in UNSAFE_CHARS)
    assert cells(f"| {text} | next |")[1:] == ["next"]
    for start in ("-", "+", "=", "#", ">", "    ", "1.", "12."):
        assert not text.startswith(start)  # no list, heading, quote or code block
    assert "](" not in text.replace("\\]", "")  # no link
    assert "@" not in text.replace("@\u200b", "")  # no mention


@given(st.text())
def test_md_text_never_opens_markup(value: str) -> None:
    text = md_text(value)
    assert "\n" not in text and code_spans(text)[0] == [] and raw_html(text) == []


def test_md_link_links_only_a_plain_web_address() -> None:
    good = "https://www.threads.net/@you/post/Cabc123"
    assert md_link("post", good) == f"[post]({good})"
    for bad in ("javascript:alert(1)", "https://x.example/a)b", "https://x\n| a | b |", "ftp://x"):
        shown = md_link("post", bad, table=True)
        assert shown.startswith("`") and "](" not in prose(shown)


@pytest.mark.parametrize("value", HOSTILE)
def test_md_fence_is_one_block_that_no_line_closes(value: str) -> None:
    text = f"before\n{value}\n```\nafter ````"
    doc = split_fences(f"intro\n{md_fence(text)}\noutro")
    assert doc.lines == ["intro", "outro"]
    assert doc.blocks == [terminal_text(text, newlines=True)]
