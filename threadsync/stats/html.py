"""``stats --format html``: one self-contained page with inline SVG charts and the tables."""

from __future__ import annotations

import jinja2

from threadsync.stats.charts import account_views, engagement_by_kind, views_over_time
from threadsync.stats.collect import MEDIA_METRICS
from threadsync.stats.report import Report


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("threadsync.stats", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(report: Report) -> str:
    kinds = report.by_kind()
    charts = [
        c
        for c in (
            views_over_time(report.rows),
            engagement_by_kind(kinds, report.rows),
            account_views(report.user.views if report.user else []),
        )
        if c is not None
    ]
    safe_links = {
        r.id: r.permalink
        for r in report.rows
        if r.permalink and r.permalink.lower().startswith(("https://", "http://"))
    }
    return (
        _env()
        .get_template("stats.html.j2")
        .render(
            report=report,
            charts=charts,
            kinds=kinds,
            metrics=MEDIA_METRICS,
            totals=report.totals(),
            links=safe_links,
        )
    )
