# ruff: noqa: E501  (exact expected messages read best on one line)
"""The YAML reader: YAML 1.2 scalars, positions, duplicates, errors."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from threadsync.content.yamlsrc import HAVE_C_LOADER, Source, parse_yaml, yaml_error_position


def test_uses_the_c_loader() -> None:
    assert HAVE_C_LOADER


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("NO", "NO"),  # the Norway problem: a string
        ("yes", "yes"),
        ("off", "off"),
        ("10:30", "10:30"),  # not sexagesimal
        ("true", True),
        ("False", False),
        ("~", None),
        ("null", None),
        ("", None),
        ("42", 42),
        ("-7", -7),
        ("0x1F", 31),
        ("0o17", 15),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("-.inf", float("-inf")),
        ("017", 17),
        ("1_000", "1_000"),
        ("+", "+"),
        ("2027-01-02", dt.date(2027, 1, 2)),
        ("2027-01-02 03:04:05", dt.datetime(2027, 1, 2, 3, 4, 5)),
        (
            "2027-01-02T03:04:05.5Z",
            dt.datetime(2027, 1, 2, 3, 4, 5, 500000, tzinfo=dt.timezone.utc),
        ),
        ("'123'", "123"),
        ("!!str 5", "5"),
        ("!!int '5'", 5),
        ("!!float 2", 2.0),
        ("!!bool true", True),
        ("!!null ''", None),
        ("!!timestamp 2027-01-02", dt.date(2027, 1, 2)),
    ],
)
def test_scalars(text: str, value: object) -> None:
    assert parse_yaml(f"v: {text}").data == {"v": value}


def test_nan() -> None:
    value = parse_yaml("v: .nan").data["v"]
    assert value != value


def test_collections_aliases_and_merge_keys() -> None:
    parsed = parse_yaml(
        "base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\nn:\n  <<: [*b, {z: 4}]\nl: &l [1, 2]\nk: *l\n1: int key\n"
    )
    data = parsed.data
    assert data["m"] == {"x": 1, "y": 3}
    assert data["n"] == {"x": 1, "y": 2, "z": 4}
    assert data["k"] is data["l"]  # aliases are built once
    assert data[1] == "int key"
    assert parsed.duplicates == []


def test_recursive_alias_is_safe() -> None:
    data = parse_yaml("a: &a [*a]").data
    assert data["a"][0] is data["a"]


def test_duplicate_keys_are_recorded() -> None:
    parsed = parse_yaml("a: 1\nb: 2\na: 3\n")
    assert parsed.data == {"a": 3, "b": 2}
    [(node, (key, first_line))] = parsed.duplicates
    assert (key, first_line, node.start_mark.line) == ("a", 0, 2)


@pytest.mark.parametrize(
    ("text", "position"),
    [
        (
            "a: [1, 2\n",
            (2, 1, "invalid YAML: while parsing a flow sequence: did not find expected ',' or ']'"),
        ),
        ("a: b: c\n", (1, 5, "invalid YAML: mapping values are not allowed in this context")),
        (
            "a: !!python/object:os.system x\n",
            (
                1,
                4,
                "invalid YAML: unsupported YAML tag 'tag:yaml.org,2002:python/object:os.system'",
            ),
        ),
        (
            "a: !!binary aGk=\n",
            (1, 4, "invalid YAML: unsupported YAML tag 'tag:yaml.org,2002:binary'"),
        ),
        ("a: !!int x\n", (1, 4, "invalid YAML: 'x' is not a valid int")),
        (
            "? [a]\n: 1\n",
            (1, 3, "invalid YAML: a mapping key must be a plain value, not a list or mapping"),
        ),
        (
            "a: 2027-02-30\n",
            (1, 4, "invalid YAML: invalid date '2027-02-30': day is out of range for month"),
        ),
        ("m:\n  <<: 5\n", (2, 7, "invalid YAML: '<<' needs a mapping or a list of mappings")),
        ("a: *nope\n", (1, 4, "invalid YAML: found undefined alias")),
        ("a: \x07\n", (1, 4, "invalid character U+0007: control characters are not allowed")),
    ],
)
def test_errors_have_positions(text: str, position: tuple[int, int, str]) -> None:
    with pytest.raises(yaml.YAMLError) as info:
        parse_yaml(text)
    assert yaml_error_position(info.value, text) == position


def test_locate_values_keys_and_missing_paths() -> None:
    text = "text: |\n  one\n  two\nmedia:\n  - image: a.png\n    alt: x\nthread:\n  - text: hi\n"
    source = Source("p.yaml", text, yaml_text=text)
    assert source.locate(("text",)) == (1, 7)
    assert source.locate(("text",), key=True) == (1, 1)
    assert source.locate(("media", 0, "alt")) == (6, 10)
    assert source.locate(("media", 0, "alt"), key=True) == (6, 5)
    assert source.locate(("media", 0, "video")) == (5, 5)  # missing key: the parent
    assert source.locate(("media", 7)) == (5, 3)  # out of range: the list
    assert source.locate(("nothing",)) == (1, 1)
    assert source.template_line(("text",), 2) == (3, 3)
    assert source.template_line(("thread", 0, "text"), 1) == (8, 11)


def test_locate_without_a_tree() -> None:
    assert Source("p.yaml").locate(("x",)) == (1, 1)
    assert Source("p.yaml", "a: [", yaml_text="a: [").locate(("a",)) == (1, 1)
