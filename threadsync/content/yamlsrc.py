"""Reading YAML with source positions.

``threadsync`` reports every problem at ``path:line:col`` of the file the user
edits.  To do that cheaply, a file is *composed* into a node tree by libyaml
(``yaml.CSafeLoader`` where available), the node tree is kept, and positions are
looked up in it only when a problem needs one.  Valid files never pay for it.

The loader follows YAML 1.2's core schema for plain scalars, not YAML 1.1: only
``true``/``false`` are booleans (so a poll option ``No`` or the country code
``NO`` stays a string) and ``10:30`` is text, not the sexagesimal number 630.
Timestamps are kept, so ``publish_at: 2027-01-01 09:00:00+01:00`` is a datetime.
Duplicate keys in a mapping are recorded so they can be reported.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from threadsync.content.aliases import AliasBomb, check_aliases
from threadsync.content.problems import Loc

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
HAVE_C_LOADER = _BaseLoader is not yaml.SafeLoader
if HAVE_C_LOADER:
    from yaml._yaml import CParser

_PLAIN = "!threadsync/plain"  # an untagged plain scalar, resolved by ``plain_scalar`` below
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_INT = re.compile(r"^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(
    r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"
    r"|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"
)
_TIMESTAMP = yaml.constructor.SafeConstructor.timestamp_regexp
_SPECIAL_FIRST = frozenset("-+.0123456789tTfFnN~<")
_WORDS: dict[str, Any] = {
    "": None,
    "~": None,
    "null": None,
    "Null": None,
    "NULL": None,
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}


class _Composer(_BaseLoader):  # type: ignore[misc]
    """libyaml's parser and composer; tags are resolved later, by ``_Builder``."""

    if HAVE_C_LOADER:

        def __init__(self, stream: str) -> None:
            # Only the C parser: this loader never uses the constructor or the
            # path resolvers whose state ``CSafeLoader.__init__`` also sets up.
            CParser.__init__(self, stream)

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass  # no path resolvers

    def ascend_resolver(self) -> None:
        pass


def _timestamp(value: str, mark: Mark | None) -> dt.date:
    if len(value) == 10:
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(value)
    elif len(value) >= 19 and value[10] in "Tt " and value[-1] not in "zZ":
        # The common ISO 8601 forms, fast; anything else goes through the YAML regex.
        with contextlib.suppress(ValueError):
            return dt.datetime.fromisoformat(value)
    m = _TIMESTAMP.match(value)
    if m is None:
        raise ConstructorError(None, None, f"invalid timestamp {value!r}", mark)
    v = m.groupdict()
    year, month, day = int(v["year"]), int(v["month"]), int(v["day"])
    try:
        if not v["hour"]:
            return dt.date(year, month, day)
        fraction = int((v["fraction"] or "")[:6].ljust(6, "0"))
        tz: dt.tzinfo | None = None
        if v["tz_sign"]:
            delta = dt.timedelta(hours=int(v["tz_hour"]), minutes=int(v["tz_minute"] or 0))
            tz = dt.timezone(-delta if v["tz_sign"] == "-" else delta)
        elif v["tz"]:
            tz = dt.timezone.utc
        return dt.datetime(
            year,
            month,
            day,
            int(v["hour"]),
            int(v["minute"]),
            int(v["second"]),
            fraction,
            tzinfo=tz,
        )
    except ValueError as exc:
        raise ConstructorError(None, None, f"invalid date {value!r}: {exc}", mark) from None


def _number(text: str) -> int | float:
    if _INT.match(text):
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text)
    low = text.lower()
    if low.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if low == ".nan":
        return float("nan")
    return float(text)


def plain_scalar(value: str, mark: Mark | None = None) -> Any:
    """YAML 1.2 core schema resolution of a plain scalar (plus timestamps).

    A bad date raises ``ConstructorError`` at ``mark``.
    """
    if not value:
        return None
    c = value[0]
    if c in "-+.0123456789":
        if _INT.match(value) or _FLOAT.match(value):
            try:
                return _number(value)
            except ValueError:  # Python refuses int() of over 4,300 digits
                raise ConstructorError(
                    None, None, f"a number of {len(value)} characters is too long", mark
                ) from None
        if c.isdigit() and _TIMESTAMP.match(value):
            return _timestamp(value, mark)
        return value
    if c in "tTfFnN~":
        return _WORDS.get(value, value)
    return value


class _Builder:
    """Builds Python data from a node tree, faster than PyYAML's constructor.

    Shared nodes (anchors and aliases) are built once, so alias bombs stay
    small.  Duplicate keys are recorded; merge keys (``<<``) are supported.
    """

    def __init__(self) -> None:
        self.memo: dict[int, Any] = {}
        self.duplicates: list[tuple[Node, Any]] = []

    def build(self, node: Node) -> Any:
        tag = node.tag
        if tag == _PLAIN:
            value = node.value
            if value and value[0] not in _SPECIAL_FIRST:
                return value
            return plain_scalar(value, node.start_mark)
        if tag == _STR and isinstance(node, ScalarNode):
            return node.value
        memo = self.memo.get(id(node))
        if memo is not None:
            return memo
        if isinstance(node, MappingNode) and tag in (_MAP, "!"):
            return self._mapping(node)
        if isinstance(node, SequenceNode) and tag in (_SEQ, "!"):
            out: list[Any] = []
            self.memo[id(node)] = out
            build = self.build
            out.extend([build(child) for child in node.value])
            return out
        if isinstance(node, ScalarNode):
            if tag == "!":
                return node.value
            return self._tagged_scalar(node)
        raise ConstructorError(None, None, f"unsupported YAML tag {tag!r}", node.start_mark)

    def _tagged_scalar(self, node: ScalarNode) -> Any:
        tag, value = node.tag, node.value
        try:
            if tag == "tag:yaml.org,2002:int":
                return _number(value) if _INT.match(value) else int(value)
            if tag == "tag:yaml.org,2002:float":
                return float(_number(value))
            if tag == "tag:yaml.org,2002:bool":
                if value in _WORDS and isinstance(_WORDS[value], bool):
                    return _WORDS[value]
                raise ValueError(value)
            if tag == "tag:yaml.org,2002:null":
                return None
            if tag == "tag:yaml.org,2002:timestamp":
                return _timestamp(value, node.start_mark)
        except ValueError:
            raise ConstructorError(
                None, None, f"{value!r} is not a valid {tag.rsplit(':', 1)[-1]}", node.start_mark
            ) from None
        raise ConstructorError(None, None, f"unsupported YAML tag {tag!r}", node.start_mark)

    def _mapping(self, node: MappingNode) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        self.memo[id(node)] = result
        merges: list[Node] = []
        build = self.build
        for key_node, value_node in node.value:
            key = key_node.value
            if key_node.tag != _PLAIN or not key or key[0] in _SPECIAL_FIRST or key == "<<":
                if key_node.tag == "tag:yaml.org,2002:merge" or (
                    key_node.tag == _PLAIN and key == "<<"
                ):
                    merges.append(value_node)
                    continue
                key = build(key_node)
            # Plain and quoted scalar values inline: most values are, and a call is slow.
            tag = value_node.tag
            if tag == _PLAIN:
                text = value_node.value
                if text and text[0] not in _SPECIAL_FIRST:
                    value = text
                else:
                    value = plain_scalar(text, value_node.start_mark)
            elif tag == _STR and type(value_node) is ScalarNode:
                value = value_node.value
            else:
                value = build(value_node)
            try:
                if key in result:
                    first = next(k for k, _ in node.value if k.value == key_node.value)
                    self.duplicates.append((key_node, (key, first.start_mark.line)))
                result[key] = value
            except TypeError:
                raise ConstructorError(
                    None,
                    None,
                    "a mapping key must be a plain value, not a list or mapping",
                    key_node.start_mark,
                ) from None
        for merge in merges:
            sources = merge.value if isinstance(merge, SequenceNode) else [merge]
            for src in sources:
                merged = self.build(src) if isinstance(src, MappingNode) else None
                if not isinstance(merged, dict):
                    raise ConstructorError(
                        None, None, "'<<' needs a mapping or a list of mappings", src.start_mark
                    )
                for k, v in merged.items():
                    result.setdefault(k, v)
        return result


@dataclass
class Parsed:
    """A composed YAML document: its Python data and the node tree it came from."""

    data: Any
    root: Node | None
    duplicates: list[tuple[Node, Any]]


def parse_yaml(text: str) -> Parsed:
    """Parse one YAML document; raises ``yaml.YAMLError`` on bad input."""
    loader = _Composer(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    if root is None:
        return Parsed(None, None, [])
    if "&" in text:  # no anchor, no alias: most files skip the walk
        check_aliases(root)
    builder = _Builder()
    data = builder.build(root)
    return Parsed(data, root, builder.duplicates)


def yaml_error_position(exc: yaml.YAMLError, text: str) -> tuple[int, int, str]:
    """(line, col, message) of a YAML error, 1-based, relative to ``text``."""
    if isinstance(exc, AliasBomb) and exc.problem_mark is not None:
        return exc.problem_mark.line + 1, exc.problem_mark.column + 1, str(exc.problem)
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        parts = [p for p in (exc.context, exc.problem) if p]
        message = ": ".join(parts) if parts else "invalid YAML"
        if "expected a single document" in f"{exc.context} {exc.problem}":
            message = (
                "found a second YAML document ('---'); a YAML post holds one document "
                "(for a thread, use thread: or a Markdown file)"
            )
        if mark is not None:
            return mark.line + 1, mark.column + 1, f"invalid YAML: {message}"
        return 1, 1, f"invalid YAML: {message}"
    if isinstance(exc, yaml.reader.ReaderError):
        line, col = position_to_line_col(text, exc.position)
        return line, col, f"invalid character {_char_name(exc.character)}: {exc.reason}"
    return 1, 1, f"invalid YAML: {exc}"


def _char_name(char: Any) -> str:
    if isinstance(char, int):
        return f"U+{char:04X}"
    if isinstance(char, str) and len(char) == 1:
        return f"U+{ord(char):04X}"
    return repr(char)


def position_to_line_col(text: str, position: int) -> tuple[int, int]:
    position = max(0, min(position, len(text)))
    line = text.count("\n", 0, position) + 1
    start = text.rfind("\n", 0, position) + 1
    return line, position - start + 1


def _key_matches(key_node: Node, key: str | int) -> bool:
    return isinstance(key_node, ScalarNode) and key_node.value == str(key)


def node_at(root: Node | None, loc: Loc) -> tuple[Node | None, Node | None, int]:
    """Follow ``loc`` down the node tree as far as it goes.

    Returns ``(node, key_node, depth)``: the deepest node reached, the key node
    of the last step when that step was a mapping key (else ``None``), and how
    many steps of ``loc`` were followed.
    """
    node = root
    key_node: Node | None = None
    depth = 0
    for step in loc:
        nxt: Node | None = None
        nkey: Node | None = None
        if isinstance(node, MappingNode):
            for k, v in node.value:
                if _key_matches(k, step):
                    nxt, nkey = v, k
                    break
        elif (
            isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value)
        ):
            nxt = node.value[step]
        if nxt is None:
            break
        node, key_node = nxt, nkey
        depth += 1
    return node, key_node, depth


@dataclass(slots=True)
class Source:
    """A content file's text and how to turn a field location into ``line:col``.

    ``root`` is the YAML node tree (of the whole file, or of Markdown front
    matter, whose first line is ``line_offset`` lines down).  ``overrides`` holds
    positions of fields that come from outside the YAML (a Markdown body), and
    ``line_maps`` the source line of each line of such a text.
    """

    path: str
    text: str = ""
    root_node: Node | None = None
    line_offset: int = 0
    yaml_text: str | None = None
    overrides: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    line_maps: dict[Loc, Sequence[int]] = field(default_factory=dict)
    duplicates: list[tuple[Node, Any]] = field(default_factory=list)

    @property
    def root(self) -> Node | None:
        """The YAML node tree, composed again from ``yaml_text`` on first use.

        Node trees are only needed to place problems, so the loader keeps the
        text, not the tree, of every file: that saves memory and time.
        """
        if self.root_node is None and self.yaml_text is not None:
            with contextlib.suppress(yaml.YAMLError, RecursionError):
                self.root_node = parse_yaml(self.yaml_text).root
            self.yaml_text = None
        return self.root_node

    def locate(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, col) of the value at ``loc`` (or of its key, with ``key=True``).

        Where ``loc`` leads past what the file has (a missing key), the position
        of the deepest existing parent is given.
        """
        over_depth, over = -1, (1, 1)
        for n in range(len(loc), -1, -1):
            if loc[:n] in self.overrides:
                over_depth, over = n, self.overrides[loc[:n]]
                break
        root = self.root
        if root is None:
            return over
        node, key_node, depth = node_at(root, loc)
        if over_depth >= depth or node is None:
            return over
        target = key_node if key and depth == len(loc) and key_node is not None else node
        mark = target.start_mark
        return mark.line + 1 + self.line_offset, mark.column + 1

    def template_line(self, loc: Loc, template_line: int) -> tuple[int, int]:
        """Source position of line ``template_line`` (1-based) of the text at ``loc``."""
        if loc in self.line_maps:
            lines = self.line_maps[loc]
            if 1 <= template_line <= len(lines):
                return lines[template_line - 1], 1
            return self.locate(loc)
        if self.root is not None:
            node, _, depth = node_at(self.root_node, loc)
            if depth == len(loc) and isinstance(node, ScalarNode) and node.style == "|":
                line0 = node.start_mark.line + template_line  # 0-based source line
                return line0 + 1 + self.line_offset, self._indent(line0 + self.line_offset) + 1
        return self.locate(loc)

    def _indent(self, line0: int) -> int:
        lines = self.text.split("\n")
        if 0 <= line0 < len(lines):
            line = lines[line0]
            return len(line) - len(line.lstrip(" "))
        return 0
