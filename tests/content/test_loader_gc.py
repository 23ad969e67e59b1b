"""The loader and the cyclic garbage collector: what a load made is not walked again."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from .contentkit import load

FILES: dict[str, str | bytes] = {
    f"content/p{i}.yaml": f"text: Post {i}\nthread:\n  - text: Reply {i}\n" for i in range(30)
}


@pytest.fixture
def nothing_frozen() -> Iterator[None]:
    """No object set aside by gc.freeze (other tests' plans froze what they loaded)."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_what_a_load_made_goes_to_the_oldest_generation(
    tmp_path: Path, nothing_frozen: None
) -> None:
    # Left in the youngest generation, the first collection after the load would
    # walk every post, part and parsed value, and the next generation's again.
    gc.collect()
    project = load(tmp_path, FILES)
    assert gc.isenabled()
    assert len(project.posts) == 30
    oldest = {id(o) for o in gc.get_objects(2)}
    assert all(id(post) in oldest for post in project.posts)
    assert all(id(part) in oldest for post in project.posts for part in post.parts)


def test_a_load_thaws_nothing_that_was_frozen(tmp_path: Path, nothing_frozen: None) -> None:
    kept = [{"long": "lived"} for _ in range(100)]
    gc.freeze()
    frozen = gc.get_freeze_count()
    load(tmp_path, FILES)
    assert gc.get_freeze_count() >= frozen
    assert kept


def test_a_load_with_the_collector_paused_leaves_it_paused(
    tmp_path: Path, nothing_frozen: None
) -> None:
    gc.disable()
    try:
        load(tmp_path, FILES)
        assert not gc.isenabled()
        assert gc.get_freeze_count() == 0  # long_lived freezes at its end, not the loader
    finally:
        gc.enable()
