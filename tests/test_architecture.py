"""The layers keep their shape: each rule here failed once, or would let a past mistake back in.

Read from the source (``ast``), not by importing: an import inside a function
counts as much as one at the top of a module.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

import threadsync
from threadsync.config import ApplyConfig
from threadsync.publisher import ApplyOptions

PACKAGE = Path(threadsync.__file__).parent


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, ast.parse(path.read_text(encoding="utf-8"), str(path))


MODULES = dict(_modules())


def _imports(name: str) -> set[str]:
    """Every module ``name`` imports, anywhere in it, as absolute names."""
    found: set[str] = set()
    package = name if (PACKAGE / Path(*name.split(".")[1:]) / "__init__.py").exists() else ""
    package = package or name.rsplit(".", 1)[0]
    for node in ast.walk(MODULES[name]):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _ours(name: str) -> set[str]:
    return {m for m in _imports(name) if m == "threadsync" or m.startswith("threadsync.")}


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


@pytest.mark.parametrize("package", ["threadsync.api", "threadsync.emulator"])
def test_the_client_and_the_emulator_import_nothing_else_of_threadsync(package: str) -> None:
    """The emulator is written again from the reference, so its mistakes can't mirror ours."""
    leaks = {
        (name, imported)
        for name in MODULES
        if _within(name, package)
        for imported in _ours(name)
        if not _within(imported, package)
    }
    assert leaks == set()


def test_nothing_below_the_commands_imports_them() -> None:
    allowed = ("threadsync.cli", "threadsync.commands", "threadsync.__main__")
    leaks = {
        (name, imported)
        for name in MODULES
        if not any(_within(name, a) for a in allowed)
        for imported in _ours(name)
        if _within(imported, "threadsync.commands") or imported == "threadsync.cli"
    }
    assert leaks == set()


def test_only_the_command_line_imports_the_emulator() -> None:
    users = {
        name
        for name in MODULES
        if not _within(name, "threadsync.emulator")
        and any(_within(m, "threadsync.emulator") for m in _ours(name))
    }
    assert users <= {n for n in MODULES if _within(n, "threadsync.commands")}


@pytest.mark.parametrize(
    "name", ["threadsync.runner", "threadsync.state_flows", "threadsync.project"]
)
def test_the_flows_know_no_command_line(name: str) -> None:
    assert "argparse" not in _imports(name)
    assert not any(_within(m, "threadsync.commands") for m in _ours(name))


def test_the_core_imports_no_layer_above_it() -> None:
    core = [
        *("plan", "diff", "state", "state_edit", "journal", "lock"),
        *("publisher", "apply", "saved_plan"),
    ]
    above = ("threadsync.runner", "threadsync.project", "threadsync.output", "threadsync.cli")
    leaks = {
        (name, imported)
        for name in (f"threadsync.{c}" for c in core)
        for imported in _ours(name)
        if any(_within(imported, a) for a in above)
    }
    assert leaks == set()


def test_errors_knows_only_threadsyncs_own_errors() -> None:
    assert _ours("threadsync.errors") == set()


# -- commands read their arguments once ------------------------------------------------------

READERS = {"add_parser", "request_from", "view_from"}


def _args_uses(function: ast.FunctionDef) -> list[ast.Name]:
    return [n for n in ast.walk(function) if isinstance(n, ast.Name) and n.id == "args"]


def _command_modules() -> list[str]:
    return sorted(n for n in MODULES if n.startswith("threadsync.commands.") and n.endswith("_cmd"))


@pytest.mark.parametrize("name", _command_modules())
def test_a_command_reads_its_arguments_only_to_build_its_request(name: str) -> None:
    """``args`` is read in request_from/view_from; run() only hands it to them."""
    problems = []
    for node in MODULES[name].body:
        if not isinstance(node, ast.FunctionDef) or node.name in READERS:
            continue
        uses = _args_uses(node)
        if node.name != "run":
            problems += [f"{node.name} uses args (line {u.lineno})" for u in uses]
            continue
        handed = {
            id(arg)
            for call in ast.walk(node)
            if isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id in READERS
            for arg in call.args
        }
        problems += [f"run reads args (line {u.lineno})" for u in uses if id(u) not in handed]
    assert problems == []


def test_every_command_of_the_table_has_its_module() -> None:
    from threadsync.cli import COMMANDS

    assert {f"threadsync.commands.{m}" for _, m in COMMANDS} == set(_command_modules())


# -- a typed vocabulary ----------------------------------------------------------------------


def _string_comparisons_of(attribute: str) -> list[tuple[str, int]]:
    found = []
    for name, tree in MODULES.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Compare):
                continue
            sides = [node.left, *node.comparators]
            if not any(isinstance(s, ast.Attribute) and s.attr == attribute for s in sides):
                continue
            constants = [
                c
                for s in sides
                for c in ([s] if not isinstance(s, ast.Tuple | ast.List | ast.Set) else s.elts)
                if isinstance(c, ast.Constant) and isinstance(c.value, str)
            ]
            if constants:
                found.append((name, node.lineno))
    return found


def test_actions_are_never_compared_with_strings() -> None:
    """Action is an enum; a string comparison is always False and would hide a bug.

    (The emulator's fault rules have actions of their own, in their own words.)
    """
    found = _string_comparisons_of("action")
    assert [(n, line) for n, line in found if not _within(n, "threadsync.emulator")] == []


def test_graph_error_codes_are_read_only_by_the_client() -> None:
    """NotFound, QuotaExceeded and the rest come from the client's one mapping."""
    found = [
        (name, line)
        for attribute in ("code", "error_subcode", "http_status")
        for name, line in _int_comparisons_of(attribute)
        if not _within(name, "threadsync.api") and not _within(name, "threadsync.emulator")
    ]
    assert found == []


def _int_comparisons_of(attribute: str) -> list[tuple[str, int]]:
    found = []
    for name, tree in MODULES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(isinstance(s, ast.Attribute) and s.attr == attribute for s in sides):
                    found.append((name, node.lineno))
    return found


# -- one settings model ----------------------------------------------------------------------


def test_apply_options_have_no_defaults_of_their_own() -> None:
    """Each default is written once, in threadsync.yaml's model (config.ApplyConfig)."""
    with_defaults = [
        f.name
        for f in dataclasses.fields(ApplyOptions)
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
    ]
    assert with_defaults == []


def test_apply_options_come_from_the_config_unchanged() -> None:
    config = ApplyConfig()
    options = ApplyOptions.from_config(config)
    for field in dataclasses.fields(ApplyOptions):
        if field.name == "poll":
            assert options.poll.initial == config.poll_initial
            assert options.poll.multiplier == config.poll_multiplier
            assert options.poll.maximum == config.poll_max
        else:
            assert getattr(options, field.name) == getattr(config, field.name), field.name


def test_there_is_one_limits_model() -> None:
    classes = [
        name
        for name, tree in MODULES.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and node.name == "Limits"
    ]
    assert classes == ["threadsync.config"]
