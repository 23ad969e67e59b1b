"""Chart geometry for the HTML report, drawn as inline SVG by our own template.

No charting library: these charts are a few rectangles, circles and labels,
and computing them here keeps the template a plain loop over shapes.  Colours
are the Okabe-Ito palette, told apart by people with colour-vision
deficiencies; every shape also has a ``<title>`` and the page a data table.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from threadsync.stats.cache import DayValue
from threadsync.stats.report import ENGAGEMENT, KindRow, PostRow

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#999999")
KIND_COLOURS = dict(
    zip(("text", "image", "video", "carousel", "thread", "unknown"), PALETTE, strict=False)
)
METRIC_COLOURS = dict(zip(ENGAGEMENT, PALETTE, strict=False))


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    title: str


@dataclass(frozen=True)
class Dot:
    cx: float
    cy: float
    base: float
    fill: str
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass
class Chart:
    title: str
    description: str
    width: int = 680
    height: int = 280
    left: float = 56
    right: float = 16
    top: float = 16
    bottom: float = 40
    rects: list[Rect] = field(default_factory=list)
    dots: list[Dot] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    grid: list[float] = field(default_factory=list)  # y of horizontal grid lines
    legend: list[tuple[str, str]] = field(default_factory=list)

    @property
    def plot_w(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> float:
        return self.height - self.top - self.bottom

    @property
    def baseline(self) -> float:
        return self.top + self.plot_h


def nice_ticks(top: float, count: int = 4) -> list[int]:
    """0 and round steps up to at least ``top`` (1, 2 or 5 times a power of ten)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(1, int(step))
    n = math.ceil(top / step)
    return [i * step for i in range(n + 1)]


def _y_axis(chart: Chart, top: float) -> float:
    ticks = nice_ticks(top)
    scale_top = ticks[-1]
    for t in ticks:
        y = chart.baseline - chart.plot_h * t / scale_top
        chart.grid.append(y)
        chart.labels.append(Label(chart.left - 6, y + 4, f"{t:,}", "end"))
    return scale_top


def views_over_time(rows: Sequence[PostRow]) -> Chart | None:
    """A lollipop per post: its publish date across, its views up."""
    points = [r for r in rows if r.published_at is not None and r.metrics]
    if not points:
        return None
    chart = Chart(
        "Views per post over time",
        "Each post's views, placed at the date it was published; colour shows its kind.",
    )
    times = [r.published_at.timestamp() for r in points if r.published_at]
    first, last = min(times), max(times)
    span = (last - first) or 1.0
    scale_top = _y_axis(chart, max(r.views for r in points))
    pad = 14.0

    def x_of(t: float) -> float:
        if last == first:
            return chart.left + chart.plot_w / 2
        return chart.left + pad + (chart.plot_w - 2 * pad) * (t - first) / span

    for r in sorted(points, key=lambda r: r.published_at or dt.datetime.min):
        assert r.published_at is not None
        x = x_of(r.published_at.timestamp())
        y = chart.baseline - chart.plot_h * r.views / scale_top
        title = f"{r.id} ({r.kind}): {r.views:,} views, published {r.published_at:%Y-%m-%d}"
        chart.dots.append(Dot(x, y, chart.baseline, KIND_COLOURS.get(r.kind, PALETTE[-1]), title))
    marks = 5 if last > first else 1
    seen: set[str] = set()
    for i in range(marks):
        t = first + (last - first) * i / max(1, marks - 1)
        text = f"{dt.datetime.fromtimestamp(t, dt.timezone.utc):%Y-%m-%d}"
        if text in seen:
            continue
        seen.add(text)
        anchor = "start" if i == 0 and marks > 1 else "end" if i == marks - 1 > 0 else "middle"
        chart.labels.append(Label(x_of(t), chart.baseline + 18, text, anchor))
    kinds = sorted({r.kind for r in points})
    chart.legend = [(KIND_COLOURS.get(k, PALETTE[-1]), k) for k in kinds]
    return chart


def account_views(days: Sequence[DayValue]) -> Chart | None:
    """The account's views per day over the period: one bar per day."""
    if not days:
        return None
    chart = Chart("Account views per day", "Views of all the account's posts, day by day.")
    scale_top = _y_axis(chart, max(d.value for d in days))
    slot = chart.plot_w / len(days)
    every = max(1, math.ceil(len(days) / 6))
    for i, d in enumerate(days):
        h = chart.plot_h * d.value / scale_top
        x = chart.left + i * slot + slot * 0.15
        title = f"{d.end_time:%Y-%m-%d}: {d.value:,} views"
        chart.rects.append(Rect(x, chart.baseline - h, max(1.0, slot * 0.7), h, PALETTE[0], title))
        if i % every == 0:
            chart.labels.append(
                Label(chart.left + (i + 0.5) * slot, chart.baseline + 18, f"{d.end_time:%m-%d}")
            )
    return chart


def engagement_by_kind(kinds: Sequence[KindRow], rows: Sequence[PostRow]) -> Chart | None:
    """Per kind of post, the average engagement of a post, stacked by what it is made of."""
    if not kinds:
        return None
    height = 40 + 44 * len(kinds) + 24
    chart = Chart(
        "Engagement by kind of post",
        "Average likes, replies, reposts, quotes and shares per post, for each kind of post.",
        height=height,
        left=96,
        right=56,
        bottom=40,
    )
    averages: dict[str, dict[str, float]] = {}
    for k in kinds:
        members = [r for r in rows if r.kind == k.kind and r.metrics]
        averages[k.kind] = {
            m: sum(r.metrics.get(m, 0) for r in members) / k.posts for m in ENGAGEMENT
        }
    top = max(sum(a.values()) for a in averages.values()) or 1.0
    ticks = nice_ticks(top)
    scale = ticks[-1]
    for t in ticks:
        x = chart.left + chart.plot_w * t / scale
        chart.labels.append(Label(x, chart.baseline + 18, f"{t:,}"))
    bar = 26.0
    for i, k in enumerate(kinds):
        y = chart.top + 8 + i * 44
        chart.labels.append(Label(chart.left - 8, y + bar / 2 + 4, k.kind, "end"))
        x = chart.left
        for metric in ENGAGEMENT:
            value = averages[k.kind][metric]
            w = chart.plot_w * value / scale
            if w > 0:
                title = f"{k.kind}: {value:,.1f} {metric} per post ({k.posts} posts)"
                chart.rects.append(Rect(x, y, w, bar, METRIC_COLOURS[metric], title))
            x += w
        total = sum(averages[k.kind].values())
        chart.labels.append(Label(x + 6, y + bar / 2 + 4, f"{total:,.1f}", "start"))
    chart.legend = [(METRIC_COLOURS[m], m) for m in ENGAGEMENT]
    return chart
