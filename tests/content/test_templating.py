# ruff: noqa: E501  (exact expected messages read best on one line)
"""Templating: variables and their precedence, partials, env, filters, the sandbox."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2.sandbox import SandboxedEnvironment

from threadsync.content.templating import TemplateProblem, Templater

from .contentkit import load, messages


def texts(project: object) -> dict[str, list[str]]:
    return {p.id: [part.text for part in p.parts] for p in project.posts}  # type: ignore[attr-defined]


def test_variable_precedence(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/_vars.yaml": "b: from _vars\nc: from _vars\nd: from _vars",
            "content/a.yaml": """
                text: "{{ a }} / {{ b }} / {{ c }} / {{ d }}"
                vars: {c: from post, d: from post}
                thread:
                  - text: "{{ a }} / {{ b }} / {{ c }} / {{ d }}"
                    vars: {d: from part}
            """,
        },
        config="vars: {a: from config, b: from config, c: from config, d: from config}\n",
    )
    assert messages(project) == []
    assert texts(project)["a"] == [
        "from config / from _vars / from post / from post",
        "from config / from _vars / from post / from part",
    ]


def test_post_and_part_variables(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/news/a.md": "---\npublish_at: 2027-03-04T05:06:00Z\n---\n"
            "{{ post.id }} {{ post.path }} {{ post.publish_at | date('%d.%m.%Y %H:%M') }} "
            "{{ part.number }}/{{ part.count }}\n---\n{{ part.index }} of {{ part.count }}",
        },
    )
    assert texts(project)["news/a"] == ["news/a content/news/a.md 04.03.2027 05:06 1/2", "1 of 2"]


def test_include_reads_partials(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/_partials/footer.j2": "— {{ team }}\n",
            "content/_partials/nested/tag.txt": "#{{ word }}",
            "content/a.yaml": """
                text: |
                  Body
                  {% include "footer.j2" %}
                vars: {team: us}
            """,
            "content/b.yaml": 'text: \'{% set word = "x" %}{% include "nested/tag.txt" %}\'',
            "content/c.yaml": "text: |\n  ok\n  {% include 'missing.j2' %}",
            "content/d.yaml": "text: \"{% include '../a.yaml' %}\"",
        },
    )
    assert texts(project) == {"a": ["Body\n— us"], "b": ["#x"]}
    assert messages(project) == [
        "content/c.yaml:3:3: text: partial 'missing.j2' not found in content/_partials/",
        "content/d.yaml:1:7: text: partial '../a.yaml': names a file outside "
        "content/_partials/; use a name under it",
    ]


def test_strict_undefined(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/a.yaml": "text: '{{ nope }}'",
            "content/b.yaml": "text: '{{ thing.missing }}'\nvars: {thing: {present: 1}}",
            "content/c.yaml": "text: '{{ nope | default(\"fallback\") }}'",
        },
    )
    assert messages(project) == [
        "content/a.yaml:1:7: text: undefined variable 'nope' in template (define it in vars:)",
        "content/b.yaml:1:7: text: undefined value in template: 'dict object' has no attribute 'missing'",
    ]
    assert texts(project) == {"c": ["fallback"]}


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ post.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
    ],
)
def test_sandbox_escapes_are_clear_errors(tmp_path: Path, template: str) -> None:
    project = load(tmp_path, {"content/a.yaml": f"text: |\n  line 1\n  {template}\n"})
    assert len(project.problems) == 1
    problem = project.problems[0]
    assert (problem.path, problem.line, problem.col, problem.field) == (
        "content/a.yaml",
        3,
        3,
        "text",
    )
    assert problem.message.startswith("text: template tried to reach Python internals (")
    assert "Traceback" not in problem.message


def test_env_vars_only_when_listed(tmp_path: Path) -> None:
    env = {"RELEASE_VERSION": "1.2.3", "SECRET_THING": "hunter2"}
    project = load(
        tmp_path,
        {
            "content/a.yaml": "text: 'v{{ env.RELEASE_VERSION }}'",
            "content/b.yaml": "text: '{{ env.SECRET_THING }}'",
            "content/c.yaml": "text: '{{ env.BUILD_ID }}'",
        },
        config="env: [RELEASE_VERSION, BUILD_ID]\n",
        env=env,
    )
    assert texts(project) == {"a": ["v1.2.3"]}
    assert messages(project) == [
        "content/b.yaml:1:7: text: environment variable SECRET_THING is not available to templates: "
        "list it in threadsync.yaml, e.g. env: [SECRET_THING]",
        "content/c.yaml:1:7: text: environment variable BUILD_ID is not set (it is listed in "
        "threadsync.yaml env:)",
    ]


def test_filters(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/a.yaml": """
                text: "{{ '2027-01-02' | date('%b %d') }} {{ 'threads' | mention }} {{ '@me' | mention }} {{ '😀ab' | threads_length }} {{ name | upper }}"
                vars: {name: ada}
            """,
            "content/b.yaml": "text: '{{ 5 | date }}'",
        },
    )
    assert texts(project) == {"a": ["Jan 02 @threads @me 6 ADA"]}
    assert messages(project) == [
        "content/b.yaml:1:7: text: template error: TypeError: date filter needs a date or date-time, got int"
    ]


def test_templated_fields_beyond_text(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/a.yaml": """
                text: Spoiler for {{ movie }}
                spoilers: ["{{ movie }}"]
                topic: "{{ movie }} club"
                poll: ["{{ movie }}", Other]
                link: "https://example.com/{{ movie | lower }}"
                vars: {movie: Heat}
            """,
            "content/c.yaml": """
                text: Long read
                attachment: "All about {{ movie }}"
                vars: {movie: Heat}
            """,
            "content/b.yaml": """
                text: Photo
                media:
                  - image: https://example.com/a.png
                    alt: "A still from {{ movie }}"
                vars: {movie: Heat}
            """,
        },
    )
    assert messages(project) == []
    a, b, c = (p.parts[0] for p in project.posts)
    assert (a.topic, a.poll, a.link, c.attachment) == (
        "Heat club",
        ["Heat", "Other"],
        "https://example.com/heat",
        "All about Heat",
    )
    assert [(e.offset, e.length) for e in a.text_entities] == [(12, 4)]
    assert b.media[0].alt == "A still from Heat"


def test_reserved_names_and_bad_vars_file(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/_vars.yaml": "env: x\n1: y\nok: z",
            "content/a.yaml": "text: x\nthread:\n  - text: y\n    vars: {part: 1}",
        },
    )
    assert messages(project) == [
        "content/_vars.yaml:1:1: 'env' is a reserved template name; rename the variable",
        "content/_vars.yaml:2:1: variable name 1 must be text",
        "content/a.yaml:4:12: 'part' is a reserved template name; rename the variable",
    ]


def test_vars_file_must_be_a_mapping(tmp_path: Path) -> None:
    project = load(tmp_path, {"content/_vars.yaml": "- a\n", "content/a.yaml": "text: x"})
    assert messages(project) == [
        "content/_vars.yaml:1:1: _vars.yaml must be a mapping of variables (name: value)"
    ]
    project = load(tmp_path, {"content/_vars.yaml": "a: [\n"})
    assert [p.path for p in project.problems] == ["content/_vars.yaml"]


def test_error_lines_in_markdown_and_partials(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/_partials/bad.j2": "fine\n{{ 1 / 0 }}\n",
            "content/_partials/syntax.j2": "{% if %}",
            "content/_partials/sub/undef.j2": "ok\n\n{{ nowhere }}",
            "content/a.md": "---\ntopic: x\n---\n\nLine one\n\n![img](https://e.x/a.png)\nthen {{ oops }}",
            "content/b.md": "Intro\n---\npart two\n{% include 'bad.j2' %}",
            "content/c.yaml": "text: \"{% include 'syntax.j2' %}\"",
            "content/d.yaml": "text: \"{% include 'sub/undef.j2' %}\"",
        },
    )
    assert messages(project) == [
        "content/a.md:8:1: text: undefined variable 'oops' in template (define it in vars:)",
        "content/b.md:4:1: thread[0].text: template error in partial 'bad.j2' line 2: ZeroDivisionError: "
        "division by zero",
        "content/c.yaml:1:7: text: template syntax error in partial 'syntax.j2' line 1: Expected an "
        "expression, got 'end of statement block'",
        "content/d.yaml:1:7: text: undefined variable 'nowhere' in template (define it in vars:) in "
        "partial 'sub/undef.j2' line 3",
    ]


def test_text_without_template_syntax_is_not_rendered(tmp_path: Path) -> None:
    project = load(tmp_path, {"content/a.yaml": "text: '50% off {not a template} }}'"})
    assert texts(project) == {"a": ["50% off {not a template} }}"]}


REFERENCE_CASES = [
    "plain {{ x }} text\n",
    "{% raw %}{{ x }}{% endraw %} after",
    "  {%- if x %} yes {% else %}no{%- endif %}  \n\n",
    "{% for i in range(3) %}[{{ i }}]{% else %}none{% endfor %}",
    "{# comment #}x\n{{ x|upper }}\n",
    "{% set y %}block {{ x }}{% endset %}{{ y }}",
    "{% macro m(a) %}<{{ a }}>{% endmacro %}{{ m(1) }}{{ m(x) }}",
    "a\n\n{{ x }}\n\n",
    "{{ 'lit' ~ x }} and {{ \"}}\" }} too",
    "{% if x == 'X' -%}\n   trimmed\n{%- endif %}",
]


@pytest.mark.parametrize("template", REFERENCE_CASES)
def test_cached_skeletons_render_like_jinja(tmp_path: Path, template: str) -> None:
    ours = Templater(None)
    reference = SandboxedEnvironment(undefined=jinja2.StrictUndefined)
    expected = reference.from_string(template).render(x="X")
    assert ours.render(template, {"x": "X"}) == expected
    # A second template with the same tags but other literal text shares the compiled code.
    other = template.replace("plain", "other").replace("after", "later")
    assert ours.render(other, {"x": "X"}) == reference.from_string(other).render(x="X")


def test_skeleton_cache_is_shared() -> None:
    ours = Templater(None)
    for i in range(50):
        assert ours.render(f"Post {i}: {{{{ x }}}}!", {"x": i}) == f"Post {i}: {i}!"
    assert len(ours._cache) == 1


def test_template_problem_lines() -> None:
    ours = Templater(None)
    with pytest.raises(TemplateProblem) as info:
        ours.render("a\nb\n{{ c }}", {})
    assert info.value.line == 3
    with pytest.raises(TemplateProblem) as info:
        ours.render("a\n{% for %}", {})
    assert info.value.line == 2
    assert ours.render("{{ d | date('%Y') }}", {"d": dt.date(2030, 1, 1)}) == "2030"


TEMPLATE_PIECES = st.sampled_from(
    [
        "a",
        "b c",
        "\n",
        " ",
        "}}",
        "%}",
        "{",
        "}",
        "'",
        '"',
        "\r",
        "raw",
        "{{ x }}",
        "{{x}}",
        "{{ x|upper }}",
        "{{ 'q' }}",
        '{{ "}}" }}',
        "{{ n + 1 }}",
        "{% if x %}",
        "{% else %}",
        "{% endif %}",
        "{% for i in [1, 2] %}",
        "{{ i }}",
        "{% endfor %}",
        "{{- x }}",
        "{{ x -}}",
        "{%- if x -%}",
        "{# note #}",
        "{% raw %}",
        "{% endraw %}",
        '{{ "%}" }}',
        "{% set y = '}}' %}",
        "{{ y }}",
        '{% include "p" %}',
        "{{ missing }}",
        "{{",
        "{%",
        "{#",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(TEMPLATE_PIECES, min_size=1, max_size=12), st.sampled_from(["", "Z", "\n"]))
def test_render_matches_jinja(pieces: list[str], extra: str) -> None:
    """Differential test: the cached-skeleton renderer agrees with plain Jinja."""
    reference = SandboxedEnvironment(undefined=jinja2.StrictUndefined)
    ours = Templater(None)
    context = {"x": "X", "n": 1}
    source = "".join(pieces)
    # The same shape with other literal text, rendered by the same (warm) Templater.
    sibling = "".join(p + extra if not p.startswith("{") else p for p in pieces)
    for text in (source, source, sibling):
        try:
            expected: str | None = reference.from_string(text).render(context)
        except Exception:
            expected = None
        try:
            got: str | None = ours.render(text, context)
        except TemplateProblem:
            got = None
        assert got == expected, text
