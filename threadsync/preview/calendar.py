"""Month grids of the scheduled posts, for the calendar page.

Posts are placed on the day of their ``publish_at`` in the project's timezone
(threadsync.yaml's ``timezone:``, else UTC), the day their author had in mind.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from threadsync.preview.model import CardView


@dataclass(frozen=True)
class Entry:
    time: str
    title: str
    anchor: str
    summary: str


@dataclass(frozen=True)
class Day:
    day: int  # 0: a cell outside the month
    iso: str
    entries: tuple[Entry, ...] = ()


@dataclass(frozen=True)
class Month:
    title: str
    weeks: tuple[tuple[Day, ...], ...]
    count: int


def months_of(cards: Iterable[CardView], tz: dt.tzinfo) -> list[Month]:
    """One grid per month that has at least one scheduled post, in date order."""
    by_day: dict[dt.date, list[tuple[dt.datetime, Entry]]] = {}
    for card in cards:
        when = card.status.when
        if card.status.kind != "scheduled" or when is None:
            continue
        local = when.astimezone(tz)
        first = card.parts[0].segments if card.parts else ()
        summary = "".join(s.text if s.kind != "spoiler" else "▒▒▒" for s in first)[:80]
        entry = Entry(f"{local:%H:%M}", card.title, card.anchor, summary)
        by_day.setdefault(local.date(), []).append((local, entry))
    months: dict[tuple[int, int], int] = {}
    for day, items in by_day.items():
        key = (day.year, day.month)
        months[key] = months.get(key, 0) + len(items)
    cal = calendar.Calendar(firstweekday=0)
    out = []
    for (year, month), count in sorted(months.items()):
        weeks = []
        for week in cal.monthdayscalendar(year, month):
            days = []
            for n in week:
                if n == 0:
                    days.append(Day(0, ""))
                    continue
                date = dt.date(year, month, n)
                items = sorted(by_day.get(date, []), key=lambda t: (t[0], t[1].title))
                days.append(Day(n, date.isoformat(), tuple(e for _, e in items)))
            weeks.append(tuple(days))
        title = f"{calendar.month_name[month]} {year}"
        out.append(Month(title, tuple(weeks), count))
    return out
