"""YAML aliases that would expand to far more than the file holds ("billion laughs").

Ten lines of anchors, each aliasing the one before ten times, stand for ten
billion values.  The builder shares an anchored value rather than copying
it, so the data stays small; but whatever writes it out (a template, a merge
``<<`` that copies it) would not.  So a document whose aliases would add more
than ``MAX_ALIAS_EXPANSION`` characters, written out, is refused where the
alias is written.
"""

from __future__ import annotations

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_ALIAS_EXPANSION = 1_000_000  # characters aliases may add, written out


class AliasBomb(yaml.MarkedYAMLError):
    """Aliases that expand to far more than the file holds ("billion laughs")."""


def check_aliases(root: Node) -> None:
    """Raise :class:`AliasBomb` if the aliases under ``root`` would add too much.

    A node met again is an alias: its whole subtree counts, each time it is
    met.  An alias inside its own anchor (a loop) is printed ``[...]``: it adds nothing.
    """
    seen: set[int] = set()
    open_: set[int] = set()  # the nodes being walked: met again inside, an alias is a loop
    added = 0
    stack: list[tuple[Node, Node | None, Node | None, bool]] = [(root, None, None, False)]
    while stack:
        node, parent, site, leaving = stack.pop()
        if leaving:
            open_.discard(id(node))
            continue
        if id(node) in open_:
            continue  # printed as [...] or {...}: adds nothing
        if site is None and id(node) in seen:
            site = parent or node  # where the alias is written
        if site is None:
            seen.add(id(node))
        else:
            added += len(node.value) + 2 if isinstance(node, ScalarNode) else 2
            if added > MAX_ALIAS_EXPANSION:
                raise AliasBomb(
                    problem=f"aliases here expand to over {MAX_ALIAS_EXPANSION:,} characters; "
                    "write the values out, or use fewer aliases",
                    problem_mark=site.start_mark,
                )
        if isinstance(node, MappingNode | SequenceNode):
            open_.add(id(node))
            stack.append((node, parent, site, True))
            children = (
                [child for pair in node.value for child in pair]
                if isinstance(node, MappingNode)
                else node.value
            )
            stack.extend((child, node, site, False) for child in children)


__all__ = ["MAX_ALIAS_EXPANSION", "AliasBomb", "check_aliases"]
