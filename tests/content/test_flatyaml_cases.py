"""The fast YAML reader on the cases YAML gets wrong most often, and through the loader.

The reference is the loader the fast path stands in for, ``yamlsrc.parse_yaml``
(YAML 1.2 core scalars), not ``yaml.safe_load``: both paths of a plan must read
a file the same way.  Each scalar is tried where a post can hold it: a
top-level value, a nested mapping's value, a list item and a flow item.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threadsync.config import load_config
from threadsync.content import flatyaml, load_project
from threadsync.content.safefs import TEXT_MAX_BYTES
from threadsync.content.yamlsrc import parse_yaml

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PLUS_ONE = dt.timezone(dt.timedelta(hours=1))
PLACES = ["v: {}\n", "m:\n  v: {}\n", "s:\n  - {}\n", "f: [{}]\n"]


def _taken(text: str) -> Any:
    """What the fast path read from ``text``, after checking the full loader reads the same."""
    flat = flatyaml.parse_flat(text)
    assert flat is not None, f"the fast path declined {text!r}"
    full = parse_yaml(text)
    assert repr(flat) == repr(full.data)  # repr: types count, and NaN equals NaN
    assert full.duplicates == []
    return flat


def _value(doc: Any) -> Any:
    (outer,) = doc.values()
    return outer["v"] if isinstance(outer, dict) else outer[0] if isinstance(outer, list) else outer


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize(
    ("scalar", "expected"),
    [
        # YAML 1.1's other booleans, in any case, are text (YAML 1.2 core, as yamlsrc reads).
        *[(w, w) for w in ("yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "oFF")],
        *[(w, w) for w in ("off", "y", "Y", "n", "N", "tRUE", "nULL")],
        ("true", True),
        ("True", True),
        ("FALSE", False),
        ("~", None),
        ("null", None),
        ("Null", None),
        ("NULL", None),
        ("0x1F", 31),
        ("0o17", 15),
        ("012", 12),  # decimal in YAML 1.2, not octal
        ("1_000", "1_000"),
        ("+1", 1),
        ("0b101", "0b101"),
        ("10:30", "10:30"),  # not the sexagesimal 630
        (".inf", float("inf")),
        (".NaN", float("nan")),
        ("1e3", 1000.0),
        ("1.", 1.0),
        ("2026-01-01", dt.date(2026, 1, 1)),
        ("2026-1-1", dt.date(2026, 1, 1)),
        ("2027-01-02T09:00:00+01:00", dt.datetime(2027, 1, 2, 9, tzinfo=PLUS_ONE)),
        ("2027-01-02 09:00:00Z", dt.datetime(2027, 1, 2, 9, tzinfo=UTC)),
        ("a#b", "a#b"),
        ("<<", "<<"),
        ("=", "="),
        ("'it''s'", "it's"),
        ('"a \' b"', "a ' b"),
        ("''", ""),
    ],
)
def test_scalars_read_as_the_full_loader_reads_them(place: str, scalar: str, expected: Any) -> None:
    text = place.format(scalar)
    if place.startswith("f:") and any(c in scalar for c in ":#"):
        assert flatyaml.parse_flat(text) is None  # flow items with these: left to libyaml
        return
    got = _value(_taken(text))
    assert repr(got) == repr(expected) and type(got) is type(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("url: http://x.y/a?b=c#d\n", {"url": "http://x.y/a?b=c#d"}),
        ("text: a :b\n", {"text": "a :b"}),
        ("text: a [b] {c} &d *e !f\n", {"text": "a [b] {c} &d *e !f"}),
        ("yes: 1\nno: 2\non: 3\nY: 4\n", {"yes": 1, "no": 2, "on": 3, "Y": 4}),  # keys, as text
        ("text: |\n  a\n\n  # not a comment\n    b\n\n\n", {"text": "a\n\n# not a comment\n  b\n"}),
        ("text: |-\n  a\n  ---\n  ...\n", {"text": "a\n---\n..."}),
    ],
)
def test_files_read_as_the_full_loader_reads_them(text: str, expected: dict[str, Any]) -> None:
    assert _taken(text) == expected


def test_the_reference_is_yaml_1_2_not_safe_load() -> None:
    """``safe_load`` would make ``yes`` true and ``012`` ten: neither path of threadsync does."""
    text = "v: yes\nw: 012\n"
    assert yaml.safe_load(text) == {"v": True, "w": 10}
    assert _taken(text) == {"v": "yes", "w": 12}


@pytest.mark.parametrize(
    "text",
    [
        "v:\n",  # an empty value: null, left to the full loader
        "v: a #b\n",
        "v:value\n",
        "v: -.inf\n",
        "v: -1\n",
        "v: 'a\\tb'\nw: \"a\\tb\"\n",
        'v: "\\u00e9"\n',
        "v:\ta\n",
        "v: a\t\n",
        "v: a  \n",
        "v: 1\r\nw: 2\r\n",
        "\ufeffv: 1\n",
        "%YAML 1.2\n---\nv: 1\n",
        "v: 1\n---\nw: 2\n",
        "v: 1\n...\n",
        "a: &x 1\nb: *x\n",
        "base: &b\n  a: 1\nv:\n  <<: *b\n",
        "v:\n  <<: {a: 1}\n",
        "<<: {a: 1}\n",
        "v: !!str 1\n",
        "v: !!int '1'\n",
        "v: !custom x\n",
        "v: 1\nv: 2\n",
        "v: {a: 1}\n",
        "v: [a, {b: 1}]\n",
        "v: >\n  a\n",
        "v: >-\n  a\n",
        "v: |+\n  a\n",
        "v: |2\n  a\n",
        "v: |-2\n  a\n",
        "v: |\n  a\n \n  b\n",
        "v: |\n   a\n",
        "v:\n    a: 1\n",
        "v:\n  a: 1\n    b: 2\n",
        "v:\n- a\n",
        "1: x\n",
        "'v': x\n",
        '"v": x\n',
        "? v\n: x\n",
        "[v]: x\n",
        "{v: 1}: x\n",
        "~: x\n",
        "null: x\n",
        "True: x\n",
        ".inf: x\n",
        "2026-01-01: x\n",
        "v: 2026-02-30\n",
    ],
)
def test_declines_what_it_does_not_read_exactly(text: str) -> None:
    assert flatyaml.parse_flat(text) is None


# -- through the loader: the same posts and the same messages with and without it -----------

_ALPHABET = st.sampled_from(
    [*"av :#'\"-[],|>&*!%\t\r\n~.01", "yes", "2027-01-02", "\n  ", "\n  - ", "\ufeff", "é", "\x85"]
)
_DOCS = st.tuples(
    st.sampled_from(["text: ", "text: |\n  ", "thread:\n  - text: ", "poll: [", "text: x\n"]),
    st.lists(_ALPHABET, max_size=12).map("".join),
)


def _load(root: Path, raw: bytes, *, fast: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "content" / "p.yaml").write_bytes(raw)
    took: list[bool] = []
    real = flatyaml.parse_flat

    def spy(text: str) -> dict[str, Any] | None:
        took.append(fast and real(text) is not None)
        return real(text) if fast else None

    with monkeypatch.context() as m:
        m.setattr(flatyaml, "parse_flat", spy)
        content = load_project(root, load_config(None, root), now=NOW)
    posts = [repr(p) for p in content.posts]  # every field, the content hash too
    return [str(p) for p in content.problems], posts, any(took)


def _same_both_ways(root: Path, raw: bytes, monkeypatch: pytest.MonkeyPatch) -> bool:
    fast = _load(root / "fast", raw, fast=True, monkeypatch=monkeypatch)
    slow = _load(root / "slow", raw, fast=False, monkeypatch=monkeypatch)
    assert fast[:2] == slow[:2], raw
    return fast[2]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(_DOCS)
def test_the_loader_says_the_same_with_or_without_the_fast_path(
    tmp_path_factory: pytest.TempPathFactory, doc: tuple[str, str]
) -> None:
    monkeypatch = pytest.MonkeyPatch()
    try:
        _same_both_ways(tmp_path_factory.mktemp("d"), "".join(doc).encode(), monkeypatch)
    finally:
        monkeypatch.undo()


@pytest.mark.parametrize(
    ("raw", "fast_took_it"),
    [
        (b"text: Hello\npublish_at: 2027-01-02T09:00:00+01:00\n", True),
        (b"text: Hello\ntopic: [x\n", False),  # a YAML error, at the same line:col
        (b"text: Hello\ntext: again\n", False),  # a duplicate key, on its line
        (b"text: Hello\nquote: 12\nlink: yes\n", True),  # a bad field, placed in the file
        (b"text: caf\xe9\n", False),  # not UTF-8: the byte's line and column
        (b"\xef\xbb\xbftext: Hello\r\ntopic: t\r\n", True),  # BOM and CRLF: gone before parsing
    ],
)
def test_messages_and_posts_match_the_full_loader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raw: bytes, fast_took_it: bool
) -> None:
    assert _same_both_ways(tmp_path, raw, monkeypatch) is fast_took_it


def test_a_flat_file_over_the_size_limit_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = b"text: " + b"a" * TEXT_MAX_BYTES + b"\n"
    calls: list[str] = []
    monkeypatch.setattr(flatyaml, "parse_flat", lambda text: calls.append(text))
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "p.yaml").write_bytes(raw)
    content = load_project(tmp_path, load_config(None, tmp_path), now=NOW)
    assert calls == [] and content.posts == []
    assert [str(p) for p in content.problems] == [
        "content/p.yaml:1:1: 4.0 MB; a file here may be at most 4.0 MB"
    ]


def test_a_fifo_named_like_a_post_is_refused_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "content").mkdir()
    os.mkfifo(tmp_path / "content" / "p.yaml")  # an open() of it would block for ever
    calls: list[str] = []
    monkeypatch.setattr(flatyaml, "parse_flat", lambda text: calls.append(text))
    content = load_project(tmp_path, load_config(None, tmp_path), now=NOW)
    assert calls == [] and content.posts == []
    assert "regular file" in str(content.problems[0])


def test_a_number_too_long_for_python_is_a_yaml_error_on_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """int() refuses over 4,300 digits: that was an internal error, on either path."""
    raw = b"text: x\nid: " + b"7" * 5000 + b"\n"
    _same_both_ways(tmp_path, raw, monkeypatch)
    problems, _, _ = _load(tmp_path / "again", raw, fast=True, monkeypatch=monkeypatch)
    assert problems == ["content/p.yaml:2:5: invalid YAML: a number of 5000 characters is too long"]


def test_an_alias_bomb_in_a_flat_looking_file_still_meets_the_alias_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    laughs = [f"  l0: &l0 [{', '.join(['lol'] * 10)}]"]
    laughs += [f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)]
    raw = ("text: x\nvars:\n" + "\n".join(laughs) + "\n").encode()
    assert _same_both_ways(tmp_path, raw, monkeypatch) is False
    problems, _, _ = _load(tmp_path / "again", raw, fast=True, monkeypatch=monkeypatch)
    assert problems == [
        "content/p.yaml:8:7: aliases here expand to over 1,000,000 characters; write the "
        "values out, or use fewer aliases"
    ]
