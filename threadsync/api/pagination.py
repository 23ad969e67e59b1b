"""Walk every page of a cursor-paginated list.

Threads lists give ``paging.cursors.after`` but no ``next`` URL, so the next
page is asked for with ``after=<cursor>``. The walk stops on a page without
``after``, on an empty page, and on a cursor seen before (a server that hands
back the same cursor would otherwise loop forever).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from threadsync.api.models import M, parse

Page = Mapping[str, Any]


def next_cursor(page: Page) -> str | None:
    paging = page.get("paging")
    cursors = paging.get("cursors") if isinstance(paging, Mapping) else None
    after = cursors.get("after") if isinstance(cursors, Mapping) else None
    return str(after) if after else None


def iter_pages(fetch: Callable[[str | None], Page], after: str | None = None) -> Iterator[Page]:
    """Yield pages from ``fetch(after_cursor)`` until the list ends."""
    seen: set[str] = set()
    while True:
        page = fetch(after)
        yield page
        data = page.get("data")
        after = next_cursor(page)
        if not data or after is None or after in seen:
            return
        seen.add(after)


def iter_items(fetch: Callable[[str | None], Page], model: type[M]) -> Iterator[M]:
    """Yield every item of every page as ``model``."""
    for page in iter_pages(fetch):
        for item in page.get("data") or []:
            yield parse(model, item)
