# ruff: noqa: E501  (exact expected messages read best on one line)
"""Templates render in a bounded budget: no step, value, output or render may grow without end.

Every attack of the review is here, each as a post's text, and each must stop
with ``path:line:col: template too large/slow: ...``.  The memory and time a
hostile repository costs are measured on a real ``threadsync validate`` process.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from threadsync.content import budget
from threadsync.content.templating import TemplateProblem, Templater

from .contentkit import load, messages, write

# name -> a template that, unbounded, takes gigabytes or hours
ATTACKS = {
    "center": "{{ 'x'|center(1000000000) }}",
    "str.center": "{{ 'x'.center(1000000000) }}",
    "ljust": "{{ 'x'.ljust(1000000000) }}",
    "zfill": "{{ '1'.zfill(1000000000) }}",
    "indent": "{{ ('a\\n' * 100000)|indent(100000) }}",
    "indent by a string": "{{ ('a\\n' * 100000)|indent('x' * 100000) }}",
    "format width": "{{ '%999999999s'|format(1) }}",
    "format precision": "{{ '%.999999999f'|format(1.0) }}",
    "percent": "{{ '%999999999d' % 1 }}",
    "percent star": "{{ '%*d' % (999999999, 1) }}",
    "percent reuse": "{{ ('%(a)s' * 100000) % {'a': 'x' * 1000} }}",
    "str.format": "{{ '{:>999999999}'.format(1) }}",
    "str.format nested": "{{ '{:>{w}}'.format(1, w=999999999) }}",
    "str.format reuse": "{{ ('{0}' * 300000).format('x' * 1000) }}",
    "join of a huge list": "{{ range(100000)|join('x' * 100000) }}",
    "str.join": "{{ ('x' * 100000).join(range(100000)|map('string')) }}",
    "replace": "{{ ('x' * 100000)|replace('', 'y' * 100000) }}",
    "str.replace": "{{ ('x' * 100000).replace('x', 'y' * 100000) }}",
    "expandtabs": "{{ ('\\t' * 100000).expandtabs(100000) }}",
    "translate": "{{ ('a' * 100000).translate({97: 'b' * 100000}) }}",
    "wordwrap": "{{ ('a ' * 100000)|wordwrap(1, wrapstring='x' * 1000) }}",
    "repetition": "{{ 'x' * 10000000 }}",
    "list repetition": "{{ [1, 2] * 10000000 }}",
    "big-integer power": "{{ ((2 ** 100) ** 100) ** 100 }}",
    "power in steps": "{% set a = 10 ** 100 %}{% set b = a ** 100 %}{{ b ** 100 }}",
    "squaring in a loop": "{% set ns = namespace(x=3) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}{% endfor %}",
    "doubling a string": "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "doubling with +": "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
    "shared lists": "{% set a = range(100000)|list %}{% set b = [a,a,a,a,a,a,a,a,a,a] %}{% set c = [b,b,b,b,b,b,b,b,b,b] %}{{ c }}",
    "captured block": "{% set x %}{% for i in range(100000) %}{{ 'y' * 100000 }}{% endfor %}{% endset %}",
    "output": "{% for i in range(100000) %}{{ 'y' * 900000 }}{% endfor %}",
    "batch fill": "{{ [1]|batch(1000000000, 'x')|list }}",
    "slice": "{{ [1]|slice(1000000000)|list }}",
    "sum of lists": "{% set a = [range(100)|list] * 1000 %}{{ ([a] * 100)|sum(start=[]) }}",
    "tojson indent": "{{ [[[[1]]]]|tojson(indent=1000000000) }}",
    "to_bytes": "{{ (1).to_bytes(1000000000, 'big') }}",
    "range": "{{ range(10000000)|list }}",
    "lipsum": "{{ lipsum(1000000) }}",
    "lipsum words": "{{ lipsum(10, max=100000000) }}",
    "nested loops": "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    "macro fan-out": "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}",
    "deep recursion": "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "slices kept": "{% set big = 'x' * 1000000 %}"
    + "".join(f"{{% set s{i} = big[{i}:] %}}" for i in range(60)),
}


def _post(template: str) -> str:
    return "text: |\n  line 1\n  " + template.replace("\n", "\n  ") + "\n"


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_each_attack_stops_with_a_located_budget_error(tmp_path: Path, name: str) -> None:
    started = time.monotonic()
    project = load(tmp_path, {"content/a.yaml": _post(ATTACKS[name])})
    took = time.monotonic() - started
    [problem] = project.problems
    assert (problem.path, problem.line, problem.field) == ("content/a.yaml", 3, "text")
    assert problem.message.startswith("template too large/slow: text: "), problem.message
    assert str(problem).startswith("content/a.yaml:3:")
    assert took < budget.MAX_RENDER_SECONDS + 2


def test_messages_name_the_step_and_the_limit(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/a.yaml": "text: \"{{ 'x'|center(1000000000) }}\"",
            "content/b.yaml": "text: '{{ 2 ** 100000 }}'",
            "content/c.yaml": "text: '{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}'",
            "content/d.yaml": "text: '{{ lipsum(1000000) }}'",
        },
    )
    assert messages(project) == [
        "content/a.yaml:1:7: template too large/slow: text: 'center' would make 1,000,000,000 characters (the limit is 1,000,000)",
        "content/b.yaml:1:7: template too large/slow: text: this power would make 200,000 bits (the limit is 16,384)",
        "content/c.yaml:1:7: template too large/slow: text: rendering took over 1 s",
        "content/d.yaml:1:7: template too large/slow: text: lipsum would make 1,440,000,000 characters (the limit is 1,000,000)",
    ]


def test_limit_in_a_partial_names_the_partial(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/_partials/big.j2": "ok\n{{ 'x' * 10000000 }}\n",
            "content/a.yaml": "text: |\n  Hi\n  {% include 'big.j2' %}\n",
        },
    )
    assert messages(project) == [
        "content/a.yaml:3:3: template too large/slow: text: repeating a value would make 10,000,000 characters (the limit is 1,000,000) in partial 'big.j2' line 2",
    ]


def test_ordinary_templates_are_untouched(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/a.yaml": """
                text: >-
                  {{ names|join(', ') }} {{ '%5s|' % 'x' }} {{ '{:>4}'.format(7) }}
                  {{ 'ab'|center(6) }}| {{ 2 ** 10 }} {{ items[1:]|list }}
                  {% for i in range(3) %}{{ loop.index }}{% endfor %} {{ 'a\tb'.expandtabs(2) }}
                  {{ 'x-y'.replace('-', '+') }} {{ [1, 2] + [3] }} {{ {'k': 1}.k }}
                  {{ lipsum(1, html=False, min=2, max=3)|wordcount > 0 }}
                vars: {names: [Ann, Bo], items: [1, 2, 3]}
            """,
        },
    )
    assert messages(project) == []
    assert project.posts[0].parts[0].text == (
        "Ann, Bo     x|    7   ab  | 1024 [2, 3] 123 a b x+y [1, 2, 3] 1 True"
    )


def test_many_fields_each_with_its_own_value_are_fine(tmp_path: Path) -> None:
    """A format with many fields is estimated by what it shows, not fields times values."""
    project = load(
        tmp_path,
        {
            "content/a.yaml": "text: \"{{ (('%s' * 1000) % (('x' * 20,) * 1000))|length }} "
            "{{ (('{}' * 1000).format(*(('y' * 20,) * 1000)))|length }}\"",
        },
    )
    assert messages(project) == []
    assert project.posts[0].parts[0].text == "20000 20000"


def test_lists_and_dicts_cant_be_changed(tmp_path: Path) -> None:
    """``append`` in a loop would grow a list without making a new value: it is refused."""
    project = load(tmp_path, {"content/a.yaml": "text: '{% set a = [] %}{{ a.append(1) }}'"})
    [problem] = project.problems
    assert "access to attribute 'append' of 'list' object is unsafe" in problem.message


def test_time_limit_holds_off_the_main_thread(tmp_path: Path) -> None:
    """watch renders on its own thread, where no signal can interrupt: the checks still stop it."""
    templater = Templater(None)
    loops = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
    found: list[BaseException] = []

    def render() -> None:
        try:
            templater.render(loops, {})
        except TemplateProblem as exc:
            found.append(exc)

    started = time.monotonic()
    worker = threading.Thread(target=render)
    worker.start()
    worker.join(timeout=budget.MAX_RENDER_SECONDS + 5)
    assert not worker.is_alive()
    assert time.monotonic() - started < budget.MAX_RENDER_SECONDS + 2
    assert [str(e) for e in found] == ["template too large/slow: rendering took over 1 s"]


def test_renders_of_one_load_share_a_total(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Many slow posts can't add up to hours: after the total, every render stops at once."""
    monkeypatch.setattr(budget, "MAX_RENDER_SECONDS", 0.2)
    monkeypatch.setattr(budget, "MAX_TOTAL_RENDER_SECONDS", 0.5)
    loops = "'{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}'"
    started = time.monotonic()
    project = load(tmp_path, {f"content/p{i}.yaml": f"text: {loops}" for i in range(8)})
    assert time.monotonic() - started < 2.5
    found = [p.message for p in project.problems]
    assert found[:2] == ["template too large/slow: text: rendering took over 0.2 s"] * 2
    assert (
        found[-1]
        == "template too large/slow: text: the templates of this project took over 0.5 s in all"
    )


def test_measure_stops_counting_soon_after_the_cap() -> None:
    inner = list(range(100_000))
    shared = [inner] * 100_000  # shown, ten billion numbers; held, one list
    started = time.process_time()  # CPU time: a busy machine doesn't make it flaky
    assert budget.measure(shared) > budget.MAX_STRING
    assert time.process_time() - started < 0.5
    assert budget.measure({"a": [1, "xy"]}) < 30


# -- YAML aliases ("billion laughs") in vars ---------------------------------------------

LAUGHS = "\n".join(
    [f"  l0: &l0 [{', '.join(['lol'] * 10)}]"]
    + [f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)]
)


def test_alias_bomb_in_post_vars_is_refused(tmp_path: Path) -> None:
    project = load(tmp_path, {"content/a.yaml": f"text: '{{{{ l8 }}}}'\nvars:\n{LAUGHS}\n"})
    assert messages(project) == [
        "content/a.yaml:8:7: aliases here expand to over 1,000,000 characters; write the values "
        "out, or use fewer aliases"
    ]


def test_alias_bomb_in_vars_file_is_refused(tmp_path: Path) -> None:
    laughs = textwrap.dedent(LAUGHS.replace("\n  ", "\n")).lstrip()
    project = load(tmp_path, {"content/_vars.yaml": laughs.lstrip(), "content/a.yaml": "text: hi"})
    assert messages(project) == [
        "content/_vars.yaml:6:5: aliases here expand to over 1,000,000 characters; write the "
        "values out, or use fewer aliases"
    ]


def test_alias_bomb_in_threadsync_yaml_is_refused(tmp_path: Path) -> None:
    from threadsync.config import ConfigError, load_config

    (tmp_path / "threadsync.yaml").write_text(f"vars:\n{LAUGHS}\n")
    with pytest.raises(ConfigError) as info:
        load_config(None, tmp_path)
    assert str(info.value) == (
        "threadsync.yaml:7:7: aliases here expand to over 1,000,000 characters; write the values "
        "out, or use fewer aliases"
    )


def test_merging_a_big_anchor_many_times_is_refused(tmp_path: Path) -> None:
    keys = ", ".join(f"k{i}: {i}" for i in range(20_000))
    merges = "\n".join(f"  m{i}: {{<<: *big}}" for i in range(200))
    project = load(
        tmp_path, {"content/a.yaml": f"text: hi\nvars:\n  big: &big {{{keys}}}\n{merges}\n"}
    )
    [problem] = project.problems
    assert problem.message.startswith("aliases here expand to over 1,000,000 characters")


def test_small_aliases_keep_working(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/a.yaml": "text: '{{ b.x }} {{ c|length }}'\nvars:\n  a: &a {x: 1}\n  b: *a\n  c: [*a, *a]\n"
        },
    )
    assert messages(project) == []
    assert project.posts[0].parts[0].text == "1 2"


# -- a real validate run: peak memory and time ---------------------------------------------

_RUN = """
import sys, time
from threadsync.cli import main
started = time.monotonic()
try:
    code = main(["validate"])
finally:
    took = time.monotonic() - started
    status = open("/proc/self/status").read()
    peak = next(l for l in status.splitlines() if l.startswith("VmHWM:")).split()[1]
    print(f"PEAK_KB={peak} TOOK={took:.2f}", file=sys.stderr)
sys.exit(code)
"""


def _validate(root: Path) -> tuple[subprocess.CompletedProcess[str], int, float, float]:
    """``threadsync validate`` in a fresh interpreter: its result, peak RSS (kB), wall time
    and CPU time (what the runner pays, and what a machine busy with other jobs leaves
    alone: the wall time of a loaded machine says little)."""
    # Without coverage's tracing (CI measures subprocesses too), which makes Python code
    # two to three times slower: the budget is the product's, not the tracer's.
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    env["PYTHONHASHSEED"] = "0"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _RUN], cwd=root, capture_output=True, text=True, env=env, timeout=60
    )
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    line = next(x for x in done.stderr.splitlines() if x.startswith("PEAK_KB="))
    return done, int(line.split()[0].split("=")[1]), wall, cpu


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc")
def test_hostile_repository_stays_within_memory_and_time(tmp_path: Path) -> None:
    innocent = tmp_path / "innocent"
    write(innocent, {"content/a.yaml": "text: '{{ product }} is out'\nvars: {product: Acme}"})
    _, base_kb, _, _ = _validate(innocent)

    hostile = tmp_path / "hostile"
    write(hostile, {f"content/{i:02d}.yaml": _post(t) for i, t in enumerate(ATTACKS.values())})
    write(hostile, {"content/laughs.yaml": f"text: '{{{{ l8 }}}}'\nvars:\n{LAUGHS}\n"})
    done, peak_kb, wall, cpu = _validate(hostile)

    assert done.returncode == 1
    lines = [x for x in done.stdout.splitlines() if x.startswith("content/")]
    assert len(lines) == len(ATTACKS) + 1
    assert sum("template too large/slow: text: " in x for x in lines) == len(ATTACKS)
    print(
        f"validate peak RSS: innocent {base_kb / 1024:.0f} MB, hostile {peak_kb / 1024:.0f} MB;"
        f" {wall:.1f} s wall, {cpu:.1f} s CPU"
    )
    assert (peak_kb - base_kb) / 1024 < 100
    # Two attacks run into the time limit (1 s each); everything else stops at once.
    # The limits are wall-clock, so CPU stays under them; the wall bound allows for a
    # machine busy with other jobs (the limit stops a render, not the scheduler).
    assert cpu < 5
    assert wall < 15
