"""The Jinja2 side of the preview: one environment, autoescaped, templates from the package.

Autoescape is on for every template, so text from posts can never become
markup; the only ``Markup`` made here wraps fragments these same templates
rendered (cards reused inside pages).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from threadsync.preview.calendar import Month
from threadsync.preview.model import CardView

STYLESHEET = "style.css"


@dataclass(frozen=True)
class Group:
    """One status group of the index, its cards and list rows already rendered and joined."""

    kind: str
    title: str
    count: int
    cards_html: Markup
    rows_html: Markup


@functools.cache
def environment() -> jinja2.Environment:
    """One environment per process: compiling the templates is most of a small build."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("threadsync.preview", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


class Renderer:
    def __init__(self, *, title: str = "threadsync preview") -> None:
        self.title = title
        self.env = environment()

    @cached_property
    def _card(self) -> jinja2.Template:
        return self.env.get_template("card.html.j2")

    @cached_property
    def _row(self) -> jinja2.Template:
        return self.env.get_template("row.html.j2")

    def row(self, view: CardView) -> Markup:
        return Markup(self._row.render(card=view))  # noqa: S704 - our own autoescaped template

    def stylesheet(self) -> str:
        return (
            resources.files("threadsync.preview")
            .joinpath(f"templates/{STYLESHEET}")
            .read_text("utf-8")
        )

    def card(self, view: CardView) -> Markup:
        return Markup(self._card.render(card=view))  # noqa: S704 - our own autoescaped template

    def _page(self, name: str, **values: Any) -> str:
        return self.env.get_template(name).render(site_title=self.title, **values)

    def post_page(self, view: CardView, html: Markup, account: str) -> str:
        return self._page("post.html.j2", card=view, card_html=html, account=account)

    def index(
        self,
        groups: Sequence[Group],
        banner: Sequence[str],
        account: str,
        total: int,
    ) -> str:
        return self._page(
            "index.html.j2", groups=groups, banner=banner, account=account, total=total
        )

    def calendar(
        self, months: Sequence[Month], unscheduled: int, account: str, banner: Sequence[str]
    ) -> str:
        return self._page(
            "calendar.html.j2",
            months=months,
            unscheduled=unscheduled,
            account=account,
            banner=banner,
        )
