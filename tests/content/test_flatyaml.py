"""The flat-YAML fast path reads exactly what libyaml reads, or leaves the file to it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threadsync.content.flatyaml import parse_flat
from threadsync.content.yamlsrc import parse_yaml

SETTINGS = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _same(flat: Any, full: Any) -> bool:
    """Equal, and of the same types all the way down (``1`` is not ``1.0``; NaN is NaN)."""
    return repr(flat) == repr(full)


def _check(text: str) -> dict[str, Any] | None:
    """``parse_flat(text)``, after checking that libyaml agrees wherever it answered."""
    flat = parse_flat(text)
    if flat is not None:
        full = parse_yaml(text)  # must not raise: the fast path took a valid file
        assert full.duplicates == []
        assert _same(flat, full.data), (text, flat, full.data)
    return flat


# Characters and pieces that mean something to YAML, and some that libyaml refuses,
# among plain letters: most generated values are close to valid, so that the odd
# piece in them is what decides.
SPECIAL = [
    *":#'\"-?,[]{}&*!|>%@`\\.~</",
    *("\t", "é", "😀", "\u2028", "\x85", "\xa0", "\x00", "\ufeff", "\r", "\n  "),
    *("true", "null", "False", "~", "2027-01-02", "2027-13-45", "2027-01-02 09:00:00"),
    *("1e3", "0x1F", "0o17", ".inf", "-.inf", ".nan", "1_000", "+1", "017", "://", "-1"),
    *("''", "'", '"', ", ", ": ", " #", "[a, b]", "['a', \"b\"]", "[]", "|", ">-", "&x ", "*x"),
    *(":", " :", "# ", "[a,b]", "[ a ]", "[a, b,]", "[a, [b]]", "[a: b]", "!!str "),
]
PLAIN = [*"abcXYZ019 ", "n", "t", "word", " two words", ".", ",", "-", "("]
PIECES = st.sampled_from(PLAIN * 3 + SPECIAL)
values = st.lists(PIECES, min_size=1, max_size=6).map("".join)
keys = st.one_of(
    st.sampled_from(["text", "topic", "poll", "a", "n", "y", "_k", "a1", "true", "Null", "on"]),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,5}", fullmatch=True),
    values,
)
separators = st.sampled_from([": "] * 8 + [":", ":  ", " : ", ":\t"])
line_kinds = st.sampled_from(["entry"] * 6 + ["block"] * 3 + ["blank", "comment", "raw"])
# How a line in a block starts: mostly what the fast path reads, and its near misses.
INDENTS = st.sampled_from(
    ["  "] * 3 + ["  - "] * 3 + ["    "] * 2 + ["", " ", "   ", "- ", "    - "]
)
headers = st.sampled_from([":"] * 3 + [": |"] * 2 + [": |-", ": |+", ": |2", ": >", ": | #c", ": "])


@st.composite
def entries(draw: st.DrawFn) -> str:
    usual = draw(st.booleans())
    key = draw(st.sampled_from(["text", "poll", "k"])) if usual else draw(keys)
    return key + draw(separators) + draw(values)


@st.composite
def blocks(draw: st.DrawFn) -> list[str]:
    """A key with an indented block: a mapping, a sequence or a literal text, or near it."""
    lines = [draw(st.sampled_from(["thread", "vars", "text", "k"])) + draw(headers)]
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["entry", "entry", "value", "blank"]))
        if kind == "blank":
            lines.append(draw(st.sampled_from(["", "", "  ", " "])))
        else:
            rest = draw(entries()) if kind == "entry" else draw(values)
            lines.append(draw(INDENTS) + rest)
    return lines


@st.composite
def documents(draw: st.DrawFn) -> str:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(line_kinds)
        if kind == "entry":
            lines.append(draw(entries()))
        elif kind == "block":
            lines += draw(blocks())
        elif kind == "blank":
            lines.append(draw(st.sampled_from(["", " ", "---", "..."])))
        elif kind == "comment":
            lines.append("#" + draw(values))
        else:
            lines.append(draw(values))
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))


@SETTINGS
@given(documents())
def test_agrees_with_libyaml_on_any_input(text: str) -> None:
    _check(text)


# Files the fast path is for: it must take them (and agree), not leave them all to libyaml.
words = st.from_regex(r"[A-Za-z][A-Za-z0-9 ,.!?()/=+'\"%@`-]{0,40}[A-Za-z0-9.!?)]", fullmatch=True)
quoted = st.text(st.characters(min_codepoint=32, max_codepoint=0x1FAFF), max_size=20).filter(
    str.isprintable
)
items = st.from_regex(r"[A-Za-z][A-Za-z0-9 .]{0,8}[A-Za-z0-9]|[A-Za-z0-9]", fullmatch=True)


@st.composite
def scalars(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["words", "single", "double", "flow", "number", "bool"]))
    if kind == "words":
        return draw(words)
    if kind == "single":
        return "'" + draw(quoted).replace("'", "''") + "'"
    if kind == "double":
        return '"' + draw(quoted).replace('"', "").replace("\\", "") + '"'
    if kind == "flow":
        return "[" + ", ".join(draw(st.lists(items, max_size=4))) + "]"
    if kind == "number":
        return str(draw(st.integers(0, 10**12)))
    return draw(st.sampled_from(["true", "false"]))


field_names = st.lists(
    st.sampled_from(["text", "topic", "link", "quote", "id", "alt"]),
    min_size=1,
    max_size=4,
    unique=True,
)
_LITERAL_TEXT = r"[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]{0,20}"
literal_lines = st.lists(
    st.one_of(
        st.just(""),
        st.from_regex(_LITERAL_TEXT, fullmatch=True).filter(str.isprintable).map("  {}".format),
    ),
    min_size=1,
    max_size=5,
).filter(lambda lines: lines[0] != "")


@st.composite
def flat_posts(draw: st.DrawFn) -> str:
    keys = ["text", "topic", "thread", "media", "vars", "draft", "poll", "n"]
    fields = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=6, unique=True))
    lines = []
    for key in fields:
        kind = draw(st.sampled_from(["scalar", "scalar", "map", "seq", "maps", "literal"]))
        if kind == "scalar":
            lines.append(f"{key}: {draw(scalars())}")
        elif kind == "map":
            lines.append(f"{key}:")
            lines += [f"  {name}: {draw(scalars())}" for name in draw(field_names)]
        elif kind == "seq":
            lines.append(f"{key}:")
            lines += [f"  - {draw(scalars())}" for _ in range(draw(st.integers(1, 3)))]
        elif kind == "maps":
            lines.append(f"{key}:")
            for _ in range(draw(st.integers(1, 3))):
                first, *more = draw(field_names)
                lines.append(f"  - {first}: {draw(scalars())}")
                lines += [f"    {name}: {draw(scalars())}" for name in more]
        else:
            lines.append(f"{key}: {draw(st.sampled_from(['|', '|-']))}")
            lines += draw(literal_lines)
    return "\n".join(lines) + "\n"


@SETTINGS
@given(flat_posts())
def test_takes_the_flat_files_it_is_for(text: str) -> None:
    assert _check(text) is not None, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("text: Hello, world\n", {"text": "Hello, world"}),
        ("text: a:b https://x.y/z?a=b#c\n", {"text": "a:b https://x.y/z?a=b#c"}),
        ('text: it\'s "fine" 100% @you `code`\n', {"text": 'it\'s "fine" 100% @you `code`'}),
        ("text: 'It''s: # here'\n", {"text": "It's: # here"}),
        ('text: "a: b # c"\n', {"text": "a: b # c"}),
        ("poll: [Yes, No, 'Maybe, later', \"x\"]\n", {"poll": ["Yes", "No", "Maybe, later", "x"]}),
        ("poll: []\n", {"poll": []}),
        ("# a comment\n\ntext: x\n", {"text": "x"}),
        ("n: 017\nf: 1e3\nh: 0x1F\nb: true\nno: NO\nz: ~\n", None),  # "no" is a key like any
        (
            "publish_at: 2027-01-02 09:00:00\nd: 2027-01-02\n",
            {"publish_at": dt.datetime(2027, 1, 2, 9), "d": dt.date(2027, 1, 2)},
        ),
        ("draft: false\nid: 17890012345\n", {"draft": False, "id": 17890012345}),
        ("text: emoji 😀 and é\n", {"text": "emoji 😀 and é"}),
        ("text: |\n  block\n", {"text": "block\n"}),
        ("text: |-\n  a: #\n\n    b\n\n\ntopic: x\n", {"text": "a: #\n\n  b", "topic": "x"}),
        (
            "thread:\n  - text: x\n  - text: y\n    quote: '1'\n",
            {"thread": [{"text": "x"}, {"text": "y", "quote": "1"}]},
        ),
        ("media:\n  - a.png\n  - [b, c]\n", {"media": ["a.png", ["b", "c"]]}),
        ("vars:\n  n: 3\n  name: x\n# c\ntext: t\n", {"vars": {"n": 3, "name": "x"}, "text": "t"}),
    ],
)
def test_reads_flat_files(text: str, expected: dict[str, Any] | None) -> None:
    result = _check(text)
    if expected is None:
        assert result is not None
    else:
        assert result == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# only a comment\n",
        "text: a: b\n",  # a mapping value where none may be: libyaml's error
        "text: a # comment\n",
        "text: a:\n",
        "text: x\ntext: y\n",  # a duplicate key: reported by the full parser
        "text: >\n  folded\n",
        "text: hello\n  continued\n",
        "text: |\n  no line break at the end",
        "text: |\n\n  a blank line first\n",
        "text: |\n    indented by four\n",
        "text: |\n  a\n   \n  spaces only between\n",
        "text: |+\n  a\n",
        "text: |2\n  a\n",
        "text: | # c\n  a\n",
        "text: |\n  a\n b\n",
        "thread:\n- text: x\n",  # a sequence not indented under its key
        "thread:\n  - text: x\n   quote: y\n",
        "thread:\n  - text: x\n      quote: y\n",
        "thread:\n  - text: x\n  quote: y\n",
        "thread:\n  - - x\n",
        "thread:\n  -  x\n",
        "thread:\n  - text:\n      x\n",
        "thread:\n  - text: |\n      x\n",
        "vars:\n  a:\n    b: 1\n",
        "vars:\n\n  a: 1\n",
        "vars:\n",
        "vars:",
        "thread:\n  - true: x\n",
        "vars:\ntext: x\n",
        "vars:\n  a: 1\n  a: 2\n",
        "vars:\n  true: 1\n",
        "vars:\n  a: 1\n   b: 2\n",
        "text: &a x\nother: *a\n",
        "text: !!str 5\n",
        "text: 'unclosed\n",
        'text: "esc\\n"\n',
        "text: -x\n",
        "text:  two spaces\n",
        "text : x\n",
        "text: x \n",
        "text:\tx\n",
        "text: a\tb\n",
        "text: a\x00b\n",
        "text: a\u2028b\n",
        "text: a\x85b\n",
        "\ufefftext: x\n",
        "---\ntext: x\n",
        "text: x\n...\n",
        "true: x\n",
        "publish_at: 2027-13-45\n",
        "poll: [a, b,]\n",
        "poll: [ a, b ]\n",
        "poll: [a, [b]]\n",
        "poll: {a: b}\n",
        "text: x\r\n",
        "  text: x\n",
        "text: x\n#a\x00\n",  # libyaml refuses a control character even in a comment
        "text: x\n# a\u2028b\n",  # and takes U+2028 for a line break there
        "poll: [- a]\n",
        "poll: [a: b]\n",
    ],
)
def test_leaves_everything_else_to_libyaml(text: str) -> None:
    assert _check(text) is None
