"""Post ids can't forge output: a safe set of characters, no '.'/'..' segments, no leading '/'.

An id reaches the plan, the PR comment and the terminal; one with a newline,
a backtick, ``<`` or a bidi control could forge a line of any of them.
"""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threadsync.content import ids
from threadsync.content.ids import id_problem, printable

from .contentkit import load, messages

ALLOWED = "an id holds only letters, digits, '-', '_', '.' and '/'"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ('"a\\nb"', "has a newline"),
        ('"launch`rm`"', "has a backtick"),
        ('"<img src=x>"', "has '<' (U+003C)"),
        ('"x\\u202Eevil"', "has a bidi control character (U+202E)"),
        ('"x\\u200Fy"', "has a bidi control character (U+200F)"),
        ('"bell\\x07"', "has a control character (U+0007)"),
        ('"zero\\u200Bwidth"', "has an invisible or combining character (U+200B)"),
        ('"two words"', "has a space"),
        ('"../escape"', "has a '..' segment"),
        ('"a/./b"', "has a '.' segment"),
        ('"/abs"', "starts with '/'"),
        ('"a//b"', "has an empty segment ('//' or a '/' at the end)"),
        ('"a/"', "has an empty segment ('//' or a '/' at the end)"),
        ('""', "is empty"),
    ],
)
def test_explicit_ids_outside_the_safe_set_are_refused(
    tmp_path: Path, value: str, reason: str
) -> None:
    project = load(tmp_path, {"content/a.yaml": f"id: {value}\ntext: hi"})
    [problem] = project.problems
    assert (problem.path, problem.line, problem.col, problem.field) == (
        "content/a.yaml",
        1,
        5,
        "id",
    )
    assert problem.message.endswith(f"{reason}; {ALLOWED}")
    assert "\n" not in str(problem) and "\u202e" not in str(problem) and "`" not in str(problem)
    assert project.posts == []


@pytest.mark.parametrize(
    "post_id", ["launch", "2026/12/launch-day", "news/v1.2_final", "café/über", "42"]
)
def test_safe_ids_are_kept(tmp_path: Path, post_id: str) -> None:
    project = load(tmp_path, {"content/a.yaml": f"id: '{post_id}'\ntext: hi"})
    assert messages(project) == []
    assert [p.id for p in project.posts] == [post_id]


def test_an_id_from_a_path_with_a_space_needs_an_id_field(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {"content/launch day.md": "Hello", "content/named day.md": "---\nid: named-day\n---\nHi"},
    )
    assert messages(project) == [
        "content/launch day.md:1:1: the id 'launch day' (the file's path) has a space; rename "
        "the file or give it an id: (letters, digits, '-', '_', '.' and '/')"
    ]
    assert [p.id for p in project.posts] == ["named-day"]


@pytest.mark.parametrize(
    ("name", "shown", "what"),
    [
        ("a\nb.yaml", "content/a\\x0ab.yaml", "a newline"),
        ("tick`.yaml", "content/tick\\x60.yaml", "a backtick"),
        ("x<y.yaml", "content/x\\x3cy.yaml", "'<' (U+003C)"),
        ("rtl\u202egpj.yaml", "content/rtl\\u202egpj.yaml", "a bidi control character (U+202E)"),
    ],
)
def test_a_post_file_name_that_cant_be_shown_is_refused(
    tmp_path: Path, name: str, shown: str, what: str
) -> None:
    """Even with an id: of its own: the path is shown as well, so it is escaped and refused."""
    project = load(tmp_path, {f"content/{name}": "id: fine\ntext: hi"})
    assert messages(project) == [
        f"{shown}:1:1: the file's name has {what}, which output can't show safely; rename it "
        "(letters, digits, '-', '_', '.', '/' and spaces)"
    ]
    assert project.posts == []


def test_printable_escapes_only_what_an_id_cant_hold() -> None:
    assert printable("content/a b/café.md") == "content/a b/café.md"
    assert printable("a\\b\tc") == "a\\x5cb\\x09c"
    assert id_problem("ok/fine-id_1.2") is None


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["a", "é", "1", ".", "..", "/", "-", "_", " ", "\n", "\u202e"]),
                max_size=7).map("".join))  # fmt: skip
def test_the_one_pattern_for_good_ids_agrees_with_every_check(post_id: str) -> None:
    quick = id_problem(post_id)
    with mock.patch.object(ids, "_GOOD_ID", re.compile(r"(?!)")):  # matches nothing
        assert id_problem(post_id) == quick
