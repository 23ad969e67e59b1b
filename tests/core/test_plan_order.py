"""The planner trusts the loader's order: the two must order posts the same way.

``load_project`` returns posts in publishing order at its ``now``, and
``make_plan(..., in_order=True)`` does not sort them again.  These tests hold
the loader's order to the planner's own key on generated projects (dated and
undated posts, several zones, a DST change), and the plan made either way to
the same changes.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threadsync.config import load_config
from threadsync.content import load_project
from threadsync.diff import _order_key, make_plan
from threadsync.state import State

NOW = dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.timezone.utc)  # the night Berlin leaves DST
ZONES = ["+00:00", "+01:00", "+02:00", "-05:00", "+05:30", ""]  # "": threadsync.yaml's zone

when = st.one_of(
    st.none(),
    st.tuples(
        st.integers(min_value=-180, max_value=180),  # minutes from NOW
        st.sampled_from(ZONES),
    ),
)


def _write(root: Path, posts: list[tuple[int, tuple[int, str] | None]]) -> None:
    (root / "threadsync.yaml").write_text("timezone: Europe/Berlin\n", encoding="utf-8")
    content = root / "content"
    content.mkdir()
    berlin = dt.timezone(dt.timedelta(hours=1))
    for n, at in posts:
        line = ""
        if at is not None:
            minutes, zone = at
            instant = NOW + dt.timedelta(minutes=minutes)
            if zone:
                sign = -1 if zone[0] == "-" else 1
                hours, mins = zone[1:].split(":")
                offset = dt.timedelta(hours=int(hours), minutes=int(mins)) * sign
                local = instant.astimezone(dt.timezone(offset))
                line = f"publish_at: '{local.isoformat()}'\n"
            else:  # no offset: the configured zone (around its DST change)
                local = instant.astimezone(berlin).replace(tzinfo=None)
                line = f"publish_at: '{local.isoformat()}'\n"
        (content / f"p{n:03d}.yaml").write_text(f"text: post {n}\n{line}", encoding="utf-8")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(when, min_size=1, max_size=25), st.randoms(use_true_random=False))
def test_the_loaders_order_is_the_planners(
    tmp_path_factory: object, dates: list[tuple[int, str] | None], rnd: random.Random
) -> None:
    root = tmp_path_factory.mktemp("order")  # type: ignore[attr-defined]
    posts = list(enumerate(dates))
    rnd.shuffle(posts)  # file names do not follow the dates
    _write(root, posts)
    content = load_project(root, load_config(None, root), now=NOW)
    assert not content.errors
    assert content.ordered_at == NOW
    keys = [_order_key(p.publish_at, p.path, NOW) for p in content.posts]
    assert keys == sorted(keys)

    shuffled = list(content.posts)
    rnd.shuffle(shuffled)
    sorted_plan = make_plan(shuffled, State(), NOW)
    trusted_plan = make_plan(content.posts, State(), NOW, in_order=True)
    assert [(c.id, c.action) for c in trusted_plan.changes] == [
        (c.id, c.action) for c in sorted_plan.changes
    ]


def test_content_loaded_at_another_instant_is_sorted_again(tmp_path: Path) -> None:
    # Undated posts count as "now": loaded at one instant, planned at a later one,
    # a post dated between the two moves ahead of them.
    _write(tmp_path, [(0, None), (1, (30, "+00:00"))])
    content = load_project(tmp_path, load_config(None, tmp_path), now=NOW)
    assert [p.id for p in content.posts] == ["p000", "p001"]
    later = NOW + dt.timedelta(hours=1)
    plan = make_plan(content.posts, State(), later, in_order=content.ordered_at == later)
    assert [c.id for c in plan.changes] == ["p001", "p000"]
