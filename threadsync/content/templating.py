"""Jinja2 templating of post text, sandboxed.

One :class:`Templater` serves a whole project: the environment is built once and
a text is compiled only when it contains ``{{``, ``{%`` or ``{#``.

Names a template sees, later ones winning:

1. ``vars:`` of threadsync.yaml;
2. ``content/_vars.yaml``;
3. the post's ``vars:``, then the thread part's ``vars:``;
4. ``post`` (``post.id``, ``post.path``, ``post.publish_at``), ``part``
   (``part.index`` from 0, ``part.number`` from 1, ``part.count``) and ``env``
   (only the environment variables that threadsync.yaml's ``env:`` lists).

Filters added to Jinja's built-in ones:

- ``date(format="%Y-%m-%d")``: format a date-time, a date or an ISO 8601 string;
- ``threads_length``: the length Threads counts for a text (emoji count as their UTF-8 bytes);
- ``mention``: ``"threads"|mention`` gives ``@threads`` (an existing ``@`` is kept).

``{% include "name" %}`` reads ``content/_partials/name``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.lexer import TokenStream
from jinja2.parser import Parser

from threadsync.content.budget import Budget, BudgetExceeded
from threadsync.content.rules import threads_length
from threadsync.content.safefs import Refused, RepoFiles
from threadsync.content.sandbox import LITERALS, BudgetedEnvironment, PartialLoader
from threadsync.content.templatetext import TOO_BIG, EnvVars, TemplateProblem

MAIN_TEMPLATE = "<template>"
_CACHE_SIZE = 4096


_TAG = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})", re.DOTALL)
_MARKER = re.compile(r"\{\{|\{%|\{#|\}\}|%\}|#\}")
_UNSAFE = object()


def _quick_split(source: str) -> tuple[tuple[Any, ...], list[str]] | None:
    """A template's shape and literal texts, without Jinja's lexer, if it is simple.

    Simple: no ``\\r``, no whitespace control (``{%-``, ``+%}``), no comments,
    no raw blocks, and no tag markers left in the text between tags (a string
    holding ``}}`` cuts its tag short and leaves one there, so it is not
    simple).  For those, Jinja's text tokens are exactly the non-empty pieces
    between tags (after Jinja drops one trailing newline).
    """
    if "\r" in source:
        return None
    text = source[:-1] if source.endswith("\n") else source
    pieces = _TAG.split(text)
    tags = pieces[1::2]
    for tag in tags:
        if tag[2:3] in "-+#" or tag[-3:-2] in "-+" or tag[1] == "#" or "raw" in tag:
            return None
    literals = pieces[0::2]
    # One search over all the literal texts; no marker can span the NUL between two.
    if _MARKER.search("\x00".join(literals)):
        return None
    shape = (
        tuple(tags),
        tuple([literal.count("\n") for literal in literals]),
        tuple([literal != "" for literal in literals]),
    )
    return shape, [literal for literal in literals if literal]


def _date(value: Any, fmt: str = "%Y-%m-%d") -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    if not isinstance(value, dt.date):
        raise TypeError(f"date filter needs a date or date-time, got {type(value).__name__}")
    return value.strftime(fmt)


def _mention(value: Any) -> str:
    text = str(value)
    return text if text.startswith("@") else "@" + text


class Templater:
    """Renders texts for one project."""

    def __init__(
        self,
        partials_dir: Path | None,
        partials_label: str = "_partials",
        files: RepoFiles | None = None,
    ) -> None:
        loader = None
        if partials_dir is not None:
            files = files or RepoFiles(partials_dir)
            loader = PartialLoader(files, partials_dir, partials_label)
        self.budget = Budget()
        self.env = BudgetedEnvironment(
            self.budget,
            {"date": _date, "threads_length": threads_length, "mention": _mention},
            undefined=jinja2.StrictUndefined,
            loader=loader,
            autoescape=False,
            auto_reload=False,
            keep_trailing_newline=False,
        )
        self.partials_label = partials_label
        self.partials_dir = (
            Path(os.path.abspath(partials_dir)) if partials_dir is not None else None
        )

        self._cache: dict[tuple[Any, ...], jinja2.Template] = {}
        self._quick: dict[tuple[Any, ...], jinja2.Template | object] = {}

    def _template(self, source: str) -> tuple[jinja2.Template, list[str]]:
        """The compiled template for ``source`` and the literal text it needs.

        Compiling costs far more than rendering, and most posts' templates
        differ only in their literal text.  So the template is compiled from its
        token stream with each literal replaced by a lookup in a list, and cached
        by its tags: "Hello {{ name }}" and "Bye {{ name }}" share one compiled
        template and are rendered with different literals.  Line numbers are
        kept, so errors still point at the right line.

        Simple templates (see ``_quick_split``) skip even Jinja's lexer: the
        first template of each shape is lexed by Jinja and its literals compared
        with the quick split; only a shape where they agree is served quickly.
        """
        quick = _quick_split(source)
        if quick is not None:
            key, literals = quick
            known = self._quick.get(key)
            if isinstance(known, jinja2.Template):
                return known, literals
            if known is None:
                template, lexed = self._lexed(source)
                self._quick[key] = template if lexed == literals else _UNSAFE
                if len(self._quick) >= _CACHE_SIZE:
                    self._quick.clear()
                return template, lexed
        return self._lexed(source)

    def _lexed(self, source: str) -> tuple[jinja2.Template, list[str]]:
        raw = list(self.env.lexer.tokeniter(source, None))
        literals = [value for _, kind, value in raw if kind == "data"]
        key = tuple((lineno, kind, "" if kind == "data" else value) for lineno, kind, value in raw)
        template = self._cache.get(key)
        if template is None:
            template = self._compile_skeleton(source, raw)
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = template
        return template, literals

    def _compile_skeleton(self, source: str, raw: list[tuple[int, str, str]]) -> jinja2.Template:
        def tokens() -> Any:
            n = 0
            for lineno, kind, value in raw:
                if kind == "data":
                    yield lineno, kind, f"\x00{n}\x00"
                    n += 1
                else:
                    yield lineno, kind, value

        parser = Parser(self.env, source)
        parser.stream = TokenStream(self.env.lexer.wrap(tokens()), None, None)
        tree = parser.parse()
        table = nodes.Name(LITERALS, "load")
        for output in tree.find_all(nodes.Output):
            output.nodes = [
                nodes.Getitem(
                    table, nodes.Const(int(n.data.strip("\x00"))), "load", lineno=n.lineno
                )
                if isinstance(n, nodes.TemplateData)
                else n
                for n in output.nodes
            ]
        tree.set_environment(self.env)
        code = self.env.compile(tree)
        return self.env.template_class.from_code(self.env, code, self.env.make_globals(None))

    def render(self, source: str, context: Mapping[str, Any]) -> str:
        """Render ``source``; raises :class:`TemplateProblem` with a writer-facing message."""
        self.budget.start()
        try:
            template, literals = self._template(source)
            return template.render({**context, LITERALS: literals})
        except BudgetExceeded as exc:
            partial = _partial_note(exc.__traceback__, self.partials_dir)
            line = _main_line(exc.__traceback__)
            raise TemplateProblem(f"{TOO_BIG}: {exc}{partial}", line) from None
        except RecursionError as exc:
            line = _main_line(exc.__traceback__)
            raise TemplateProblem(f"{TOO_BIG}: it nests too deeply (recursion)", line) from None
        except MemoryError:
            raise TemplateProblem(f"{TOO_BIG}: it ran out of memory", None) from None
        except Refused as exc:
            raise TemplateProblem(f"partial {exc.message}", _main_line(exc.__traceback__)) from None
        except jinja2.TemplateSyntaxError as exc:
            where = "" if exc.name is None else f" in partial {exc.name!r} line {exc.lineno}"
            line = exc.lineno if exc.name is None else _main_line(exc.__traceback__)
            raise TemplateProblem(f"template syntax error{where}: {exc.message}", line) from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateProblem(
                f"partial {exc.name!r} not found in {self.partials_label}/",
                _main_line(exc.__traceback__),
            ) from None
        except jinja2.exceptions.SecurityError as exc:
            partial = _partial_note(exc.__traceback__, self.partials_dir)
            raise TemplateProblem(
                f"template tried to reach Python internals{partial} "
                f"({str(exc).rstrip('.')}); templates may only use variables, filters and tests",
                _main_line(exc.__traceback__),
            ) from None
        except jinja2.UndefinedError as exc:
            partial = _partial_note(exc.__traceback__, self.partials_dir)
            message = _undefined_message(str(exc.message), context)
            if partial:
                message = f"{message}{partial}"
            raise TemplateProblem(message, _main_line(exc.__traceback__)) from None
        except Exception as exc:
            partial = _partial_note(exc.__traceback__, self.partials_dir)
            raise TemplateProblem(
                f"template error{partial}: {type(exc).__name__}: {exc}",
                _main_line(exc.__traceback__),
            ) from None
        finally:
            self.budget.stop()


_NO_ATTR = re.compile(r"^'(?P<obj>[^']*)' has no attribute '(?P<name>[^']*)'$")


def _undefined_message(message: str, context: Mapping[str, Any]) -> str:
    m = _NO_ATTR.match(message)
    env = context.get("env")
    if m and isinstance(env, EnvVars) and m.group("obj").endswith("EnvVars object"):
        name = m.group("name")
        if name in env.refused:
            return (
                f"environment variable {name} holds a token threadsync uses; "
                "templates may not read it"
            )
        if name in env.allowed:
            return f"environment variable {name} is not set (it is listed in threadsync.yaml env:)"
        return (
            f"environment variable {name} is not available to templates: list it in "
            f"threadsync.yaml, e.g. env: [{name}]"
        )
    m2 = re.match(r"^'(?P<name>[^']*)' is undefined$", message)
    if m2:
        return f"undefined variable {m2.group('name')!r} in template (define it in vars:)"
    return f"undefined value in template: {message}"


def _frames(tb: TracebackType | None) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    while tb is not None:
        out.append((tb.tb_frame.f_code.co_filename, tb.tb_lineno))
        tb = tb.tb_next
    return out


def _main_line(tb: TracebackType | None) -> int | None:
    lines = [line for name, line in _frames(tb) if name == MAIN_TEMPLATE]
    return lines[-1] if lines else None


def _partial_note(tb: TracebackType | None, partials: Path | None) -> str:
    """`` in partial 'name' line N`` when the error happened inside a partial."""
    frames = _frames(tb)
    idx = [i for i, (name, _) in enumerate(frames) if name == MAIN_TEMPLATE]
    if not idx or partials is None:
        return ""
    inner = [f for f in frames[idx[-1] + 1 :] if not f[0].endswith(".py")]
    if not inner:
        return ""
    filename, line = inner[-1]
    try:
        name = Path(filename).relative_to(partials).as_posix()
    except ValueError:
        name = Path(filename).name
    return f" in partial {name!r} line {line}"
