"""The Jinja environment templates run in: sandboxed, immutable, within a budget.

Jinja's sandbox already refuses Python internals; this adds what content
from a stranger also needs (``budget.py`` says why and how much):

- every loop iteration, call, filter, operator and output checks the time,
  so even nested loops that call nothing stop at the time limit;
- operators, calls and filters that can make something big in one step are
  estimated first, and every value made is measured and counted;
- a render's output, and every captured block (``{% set %}``, a macro),
  stops growing at ``MAX_STRING``;
- lists, dicts and sets can't be changed (``append`` in a loop would grow
  without a new value being made);
- partials are read through :class:`~threadsync.content.safefs.RepoFiles`:
  only files under ``_partials/``, inside the repository.

The checks are put into the compiled template (see :class:`_Instrument`), so
a template that uses none of these costs a function call per output.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum
from jinja2.visitor import NodeTransformer

from threadsync.content.budget import (
    FILTER_CHECKS,
    MAX_ITEMS,
    MAX_STRING,
    Budget,
    BudgetExceeded,
    check_binop,
    check_lipsum,
    check_method,
    measure,
)
from threadsync.content.safefs import Refused, RepoFiles

LITERALS = "_threadsync_literals"  # the table of a compiled skeleton's literal texts
_OUT, _LOOP, _CONCAT, _VALUE = "_ts_out", "_ts_loop", "_ts_concat", "_ts_value"
_SMALL_INT = 2**63


class _Instrument(NodeTransformer):
    """Puts the budget's checks into a template's syntax tree before it is compiled."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = _filter(node.iter, _LOOP)
        return node

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        node.nodes = [n if _is_literal(n) else _filter(n, _OUT) for n in node.nodes]
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _filter(nodes.Tuple(node.nodes, "load", lineno=node.lineno), _CONCAT)

    def _made(self, node: nodes.Expr) -> nodes.Node:
        """A list, tuple or dict written in the template, or a slice (a copy): measured."""
        self.generic_visit(node)
        if getattr(node, "ctx", "load") != "load":
            return node
        if isinstance(node, nodes.Getitem) and not isinstance(node.arg, nodes.Slice):
            return node
        return _filter(node, _VALUE)

    visit_List = visit_Tuple = visit_Dict = visit_Getitem = _made


def _filter(node: nodes.Node, name: str) -> nodes.Filter:
    wrapped = nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)
    if node.environment is not None:
        wrapped.set_environment(node.environment)
    return wrapped


def _is_literal(node: nodes.Node) -> bool:
    if isinstance(node, nodes.TemplateData):
        return True
    return (
        isinstance(node, nodes.Getitem)
        and isinstance(node.node, nodes.Name)
        and node.node.name == LITERALS
    )


class PartialLoader(jinja2.BaseLoader):
    """``{% include "name" %}``: ``name`` under ``_partials/``, read through :class:`RepoFiles`."""

    def __init__(self, files: RepoFiles, directory: Path, label: str) -> None:
        self.files = files
        self.directory = os.path.abspath(directory)
        self.label = label

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        segments = template.replace("\\", "/").split("/")
        if template.startswith(("/", "\\")) or any(s in ("", ".", "..") for s in segments):
            raise Refused(
                repr(template), f"names a file outside {self.label}/; use a name under it"
            )
        full = os.path.join(self.directory, *segments)
        try:
            raw = self.files.read(full, f"{self.label}/{'/'.join(segments)}")
        except (FileNotFoundError, NotADirectoryError):
            raise jinja2.TemplateNotFound(template) from None
        return raw.decode("utf-8"), full, lambda: True


class BudgetedEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, with the budget's checks in its hooks (see the module's docstring)."""

    intercepted_binops = frozenset(("+", "-", "*", "/", "//", "%", "**"))

    def __init__(
        self, budget: Budget, filters: dict[str, Callable[..., Any]], **options: Any
    ) -> None:
        super().__init__(**options)
        self.budget = budget
        self.filters.update(filters)
        self.filters = {name: _guarded(name, f, budget) for name, f in self.filters.items()}
        self.filters.update(
            {
                _OUT: self._out,
                _LOOP: self._loop,
                _CONCAT: self._concat,
                _VALUE: self._value,
            }
        )
        self.globals["lipsum"] = _lipsum
        self.globals["range"] = _range

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as one dict, not Jinja's ChainMap over the environment's.

        Every render copies them into its context, and copying a ChainMap is
        slow (a sixth of rendering a short post).  The environment's globals
        are all set in ``__init__``, before any template exists, so a copy
        misses nothing.
        """
        return {**self.globals, **(d or {})}

    def _generate(self, source: nodes.Template, *args: Any, **kwargs: Any) -> str:
        return super()._generate(_Instrument().visit(source), *args, **kwargs)

    # -- the checks the compiled template calls ----------------------------------------

    def _out(self, value: Any) -> Any:
        kind = type(value)
        if kind is str or (kind is int and -_SMALL_INT < value < _SMALL_INT):
            return value  # a text is measured when made; a small number is short
        self.budget.check_time()
        return self.budget.made(value, "this output")

    def _loop(self, iterable: Iterable[Any]) -> Iterator[Any]:
        check = self.budget.check_time
        for item in iterable:
            check()
            yield item

    def _concat(self, values: tuple[Any, ...]) -> str:
        self.budget.check_time()
        if sum(measure(v) for v in values) > MAX_STRING:
            raise BudgetExceeded(f"'~' would make over {MAX_STRING:,} characters")
        joined: str = "".join([str(v) for v in values])
        return self.budget.made(joined, "'~'")  # type: ignore[no-any-return]

    def _value(self, value: Any) -> Any:
        self.budget.check_time()
        return self.budget.made(value, "this list, mapping or slice")

    # -- the sandbox's hooks ---------------------------------------------------------------

    def concat(self, parts: Iterable[str]) -> str:
        """A render's output, or a captured block: refused once over ``MAX_STRING``."""
        # Every part is a literal of the template or a value already measured and
        # counted when made, so collecting them costs no more than that.
        parts = parts if isinstance(parts, list) else list(parts)
        if sum(map(len, parts)) > MAX_STRING:
            raise BudgetExceeded(f"the text is over {MAX_STRING:,} characters")
        return "".join(parts)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.budget.check_time()
        check_binop(operator, left, right)
        result = super().call_binop(context, operator, left, right)
        return self.budget.made(result, f"'{operator}'")

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = __self.budget
        budget.check_time()
        args = check_method(__obj, args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        return budget.made(result, "this call")


def _guarded(name: str, func: Callable[..., Any], budget: Budget) -> Callable[..., Any]:
    """``func`` as a filter within the budget: checked first if it can grow, then measured."""
    check = FILTER_CHECKS.get(name)
    skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0
    what = f"'{name}'"

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        budget.check_time()
        if check is not None and len(args) > skip:
            value = check(args[skip], args[skip + 1 :], kwargs)
            args = (*args[:skip], value, *args[skip + 1 :])
        return budget.made(func(*args, **kwargs), what)

    return guarded


def _range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_ITEMS:
        raise BudgetExceeded(
            f"range() would make {len(numbers):,} items (the limit is {MAX_ITEMS:,})"
        )
    return numbers


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    check_lipsum(n, html, min, max)
    return str(generate_lorem_ipsum(n, html, min, max))


__all__ = ["LITERALS", "BudgetExceeded", "BudgetedEnvironment", "PartialLoader"]
