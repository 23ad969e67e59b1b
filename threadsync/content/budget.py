"""The budget a template renders in: size, memory and time.

A post is at most 500 characters, so a template that makes a megabyte, or
runs for a second, is hostile.  Jinja's sandbox keeps templates away from
Python's internals but not from the machine's memory or time: ``center``,
``indent``, ``format`` or ``%`` with a huge width, ``join`` of a huge list,
big-integer powers, ``lipsum``, or nested loops can each take gigabytes or
hours in one step.  So every step that can make something big is checked
*before* it runs (the estimates below), every value made is measured, the
total made in one render is counted, and time is checked at every loop
iteration, call, filter and output (``sandbox.py`` puts the checks there).
"""

from __future__ import annotations

import re
import string
import time
from collections.abc import Callable, ItemsView, KeysView, ValuesView
from typing import Any

from jinja2.utils import Namespace

MAX_STRING = 1_000_000  # characters in any one value, and in a render's output
MAX_ITEMS = 100_000  # items a repetition, batch or slice may make
MAX_INT_BITS = 16_384  # about 4,900 digits: more than any post can show
MAX_CREATED = 16_000_000  # bytes (roughly) of new values in one render
MAX_WRAP = 100_000  # characters wordwrap may wrap (textwrap is slow Python)
MAX_RENDER_SECONDS = 1.0  # one render
MAX_TOTAL_RENDER_SECONDS = 10.0  # every render of one load, together


class BudgetExceeded(Exception):
    """A template went over its budget; the message says which limit."""


def _over(n: int, what: str, unit: str = "characters", limit: int = MAX_STRING) -> None:
    if n > limit:
        raise BudgetExceeded(f"{what} would make {n:,} {unit} (the limit is {limit:,})")


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


_VIEWS = (list, tuple, set, frozenset, KeysView, ValuesView, ItemsView)
_MAPS = (dict, Namespace)
_MEASURED = (str, bytes, *_VIEWS, *_MAPS)
_SMALL = frozenset({bool, float, type(None), range})  # short when printed, and made without cost


def measure(value: Any, cap: int = MAX_STRING, indent: int = 0, keyed: bool = False) -> int:
    """About ``len(str(value))``, counting shared parts each time they are shown.

    Counting stops soon after ``cap``, so measuring is cheap even for a list
    that holds a big list a hundred thousand times.  ``indent`` adds that
    much per level of nesting to every item, ``keyed`` the key's length too
    (``tojson(indent=...)`` and ``pprint`` indent nested items that way).
    """
    if isinstance(value, str | bytes):
        return len(value)
    total = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack and total <= cap:
        item, prefix = stack.pop()
        total += prefix
        if isinstance(item, str | bytes | bytearray):
            total += len(item) + 2
        elif isinstance(item, bool) or item is None:
            total += 5
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 2
        elif isinstance(item, float):
            total += 24
        elif isinstance(item, _MAPS):
            pairs = (
                item
                if isinstance(item, dict)
                else object.__getattribute__(item, "_Namespace__attrs")
            )
            total += 2 + 4 * len(pairs)
            if total <= cap:
                inner = prefix + indent
                for key, child in pairs.items():
                    stack.append((key, inner))
                    extra = len(key) + 4 if keyed and isinstance(key, str) else 0
                    stack.append((child, inner + extra))
        elif isinstance(item, _VIEWS):
            total += 2 + 2 * len(item)
            if total <= cap:
                inner = prefix + indent
                stack.extend((child, inner) for child in item)
        else:
            total += 16  # an object whose str() is short: a macro, a loop, a date
    return total


class Budget:
    """The limits of one render, and what the renders of one load spent."""

    def __init__(self) -> None:
        self.deadline = float("inf")
        self.started = 0.0
        self.spent = 0.0
        self.created = 0
        self._slice = MAX_RENDER_SECONDS  # the time the next render may take

    def start(self) -> None:
        self.started = now = time.monotonic()
        self.deadline = now + self._slice
        self.created = 0

    def stop(self) -> None:
        self.spent += time.monotonic() - self.started
        self.deadline = float("inf")
        self._slice = max(0.0, min(MAX_RENDER_SECONDS, MAX_TOTAL_RENDER_SECONDS - self.spent))

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            if self._slice < MAX_RENDER_SECONDS:
                raise BudgetExceeded(
                    f"the templates of this project took over {MAX_TOTAL_RENDER_SECONDS:g} s in all"
                )
            raise BudgetExceeded(f"rendering took over {MAX_RENDER_SECONDS:g} s")

    def charge(self, n: int) -> None:
        self.created += n
        if self.created > MAX_CREATED:
            raise BudgetExceeded(f"it made over {MAX_CREATED // 1_000_000} MB of values")

    def made(self, value: Any, what: str) -> Any:
        """``value``, once it is known to be within the limits; counts what it costs."""
        kind = type(value)
        if kind is str:
            size = len(value)
            if size > MAX_STRING:
                _over(size, what)
            self.created += 49 + size
        elif kind in _SMALL:
            return value
        elif isinstance(value, int):
            _over(value.bit_length(), what, "bits", MAX_INT_BITS)
            self.created += 28 + value.bit_length() // 8
        elif isinstance(value, _MEASURED):
            _over(measure(value), what)
            if isinstance(value, str | bytes):
                self.created += 49 + len(value)
            else:
                self.created += 56 + 8 * len(value) if isinstance(value, _VIEWS) else 240
        else:
            self.created += 16
        if self.created > MAX_CREATED:
            self.charge(0)
        return value


# -- estimates of what one step would make, before it runs --------------------------------

_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?(.)", re.DOTALL)
_DIGITS = re.compile(r"\d+")


def _number(digits: str) -> int:
    return int(digits) if len(digits) < 10 else 10**10


def _star_widths(args: Any) -> int:
    values = args.values() if isinstance(args, dict) else args if isinstance(args, tuple) else ()
    return sum(abs(_int(v)) for v in values)


def printf_size(fmt: str, args: Any) -> int:
    """About the length of ``fmt % args``: its text, every width and precision, the values."""
    fields = widths = 0
    star = False
    for m in _PRINTF.finditer(fmt):
        if m.group(3) == "%":
            continue
        fields += 1
        for part in (m.group(1), m.group(2)):
            if part == "*":
                star = True
            elif part:
                widths += _number(part)
    if star:
        widths += _star_widths(args)
    if isinstance(args, dict):  # "%(name)s" may show one value many times
        return len(fmt) + widths + fields * measure(args)
    return len(fmt) + widths + measure(args)  # each field takes a value of its own


def format_size(fmt: str, args: Any, kwargs: Any) -> int:
    """About the length of ``fmt.format(*args, **kwargs)`` (nested ``{}`` widths included)."""
    fields = widths = 0
    star = named = False
    try:
        for _, name, spec, _ in string.Formatter().parse(fmt):
            if name is None:
                continue
            fields += 1
            named = named or name != ""  # "{0}" or "{name}" may show a value many times
            if spec:
                star = star or "{" in spec
                widths += sum(_number(d) for d in _DIGITS.findall(spec))
    except ValueError:
        return len(fmt)  # the call itself will fail
    if star:
        widths += _star_widths(args) + _star_widths(kwargs)
    values = measure((args, kwargs))
    return len(fmt) + widths + (fields * values if named else values)


def replace_size(s: str | bytes, old: Any, new: Any, count: Any) -> int:
    if not isinstance(old, str | bytes) or not isinstance(new, str | bytes):
        return len(s)
    hits = s.count(old) if old else len(s) + 1  # type: ignore[arg-type]
    limit = _int(count, -1)
    if limit >= 0:
        hits = min(hits, limit)
    return len(s) + hits * len(new)


def check_binop(op: str, left: Any, right: Any) -> None:
    """Refuse ``left op right`` if it would be too big; the operator then runs as usual."""
    if op == "*":
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, str | bytes | list | tuple) and isinstance(n, int):
                if isinstance(seq, list | tuple):
                    _over(len(seq) * n, "repeating a list", "items", MAX_ITEMS)
                _over(measure(seq) * n, "repeating a value")
                return
        if isinstance(left, int) and isinstance(right, int):
            _over(left.bit_length() + right.bit_length(), "this product", "bits", MAX_INT_BITS)
    elif op == "**":
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            _over(left.bit_length() * right, "this power", "bits", MAX_INT_BITS)
    elif op == "+":
        if isinstance(left, str | bytes | list | tuple) and isinstance(right, type(left)):
            _over(measure(left) + measure(right), "joining two values")
    elif op == "%" and isinstance(left, str):
        _over(printf_size(left, right), "'%' formatting")


_GROWING = frozenset(
    {"center", "ljust", "rjust", "zfill", "expandtabs", "replace", "join", "translate"}
    | {"format", "format_map", "to_bytes"}
)


def check_method(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Refuse a call of a growing ``str`` (or ``bytes``, ``int``) method that would be too big.

    Returns the arguments to call with: ``join``'s iterable is read into a
    list first, to be measured.
    """
    name = getattr(obj, "__name__", "")
    if name not in _GROWING:
        return args
    owner = getattr(obj, "__self__", None)
    wrapped = getattr(obj, "__wrapped__", None)  # the sandbox's str.format wrapper
    if name in ("format", "format_map") and isinstance(getattr(wrapped, "__self__", None), str):
        fmt = wrapped.__self__  # type: ignore[union-attr]
        mapping = args[0] if name == "format_map" and args else kwargs
        _over(format_size(fmt, () if name == "format_map" else args, mapping), "format()")
    elif isinstance(owner, str | bytes):
        first = args[0] if args else None
        if name in ("center", "ljust", "rjust", "zfill"):
            _over(max(len(owner), _int(first if args else kwargs.get("width"))), f"{name}()")
        elif name == "expandtabs":
            size = _int(first if args else kwargs.get("tabsize"), 8)
            tabs = owner.count("\t" if isinstance(owner, str) else b"\t")  # type: ignore[arg-type]
            _over(len(owner) + tabs * size, "expandtabs()")
        elif name == "replace" and len(args) >= 2:
            count = args[2] if len(args) > 2 else kwargs.get("count")
            _over(replace_size(owner, args[0], args[1], count), "replace()")
        elif name == "join" and args:
            items = list(args[0])
            _over(measure(items) + len(owner) * len(items), "join()")
            return (items, *args[1:])
        elif name == "translate" and args:
            _over(len(owner) * max(1, measure(first)), "translate()")
    elif isinstance(owner, int) and name == "to_bytes":
        _over(_int(args[0] if args else kwargs.get("length"), 1), "to_bytes()", "bytes")
    return args


# -- filters: the arguments after the value, by position or by name ---------------------


def _arg(args: tuple[Any, ...], kwargs: dict[str, Any], i: int, name: str, default: Any) -> Any:
    return args[i] if len(args) > i else kwargs.get(name, default)


def _center(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    _over(max(measure(value), _int(_arg(args, kwargs, 0, "width", 80))), "'center'")
    return value


def _indent(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    width = _arg(args, kwargs, 0, "width", 4)
    step = len(width) if isinstance(width, str) else _int(width)
    lines = str(value).count("\n") + 1 if measure(value) <= MAX_STRING else MAX_STRING
    _over(measure(value) + lines * step, "'indent'")
    return value


def _format(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    fmt = str(value) if measure(value) <= MAX_STRING else ""
    _over(printf_size(fmt, kwargs or args), "'format'")
    return value


def _wordwrap(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    size = measure(value)
    _over(size, "'wordwrap' of this text", limit=MAX_WRAP)
    wrapstring = _arg(args, kwargs, 2, "wrapstring", None)
    step = len(wrapstring) if isinstance(wrapstring, str) else 1
    _over(size + (size + 1) * step, "'wordwrap'")
    return value


def _join(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    items = list(value)
    sep = _arg(args, kwargs, 0, "d", "")
    _over(measure(items) + measure(sep) * len(items), "'join'")
    return items


def _replace(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if len(args) >= 2 and measure(value) <= MAX_STRING:
        count = _arg(args, kwargs, 2, "count", None)
        _over(replace_size(str(value), args[0], args[1], count), "'replace'")
    return value


def _count(name: str, param: str) -> Callable[[Any, tuple[Any, ...], dict[str, Any]], Any]:
    def check(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        _over(_int(_arg(args, kwargs, 0, param, 0)), name, "items", MAX_ITEMS)
        return value

    return check


def _sum(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    items = list(value)
    start = _arg(args, kwargs, 1, "start", 0)
    if isinstance(start, str | list | tuple):
        _over(measure(items) + measure(start), "'sum'")
    return items


def _tojson(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    indent = _int(_arg(args, kwargs, 0, "indent", None))
    _over(indent, "the indent of 'tojson'", "spaces", 16)
    _over(measure(value, indent=indent), "'tojson'")
    return value


def _pprint(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    _over(measure(value, indent=1, keyed=True), "'pprint'")
    return value


FilterCheck = Callable[[Any, tuple[Any, ...], dict[str, Any]], Any]

# Filters that can make something big in one step: each check refuses what
# would be too big, and returns the value to filter (an iterable read into a list).
FILTER_CHECKS: dict[str, FilterCheck] = {
    "center": _center,
    "indent": _indent,
    "format": _format,
    "wordwrap": _wordwrap,
    "join": _join,
    "replace": _replace,
    "batch": _count("'batch'", "linecount"),
    "slice": _count("'slice'", "slices"),
    "sum": _sum,
    "tojson": _tojson,
    "pprint": _pprint,
}


def check_lipsum(n: Any = 5, html: Any = True, min: Any = 20, max: Any = 100) -> None:
    words = _int(n, 5) * (_int(max, 100) + _int(min, 20))
    _over(words * 12, "lipsum")


__all__ = [
    "FILTER_CHECKS",
    "MAX_CREATED",
    "MAX_INT_BITS",
    "MAX_ITEMS",
    "MAX_RENDER_SECONDS",
    "MAX_STRING",
    "MAX_TOTAL_RENDER_SECONDS",
    "Budget",
    "BudgetExceeded",
    "check_binop",
    "check_lipsum",
    "check_method",
    "measure",
]
