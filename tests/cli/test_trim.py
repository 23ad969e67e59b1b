"""Trailing whitespace of every text is trimmed, and posts published untrimmed stay unedited."""

from __future__ import annotations

import json
from collections.abc import Callable

from threadsync.emulator import Emulator

from .support import Project, Run, live_texts

FILES = {
    "content/block.yaml": "text: |\n  Hello\n  world\nthread:\n  - text: |+\n      Second\n\n",
    "content/body.md": "---\ntopic: News\n---\nBody with spaces   \n\n",
}
# What threadsync wrote in the state for these files before it trimmed text:
# the hash of the untrimmed text, computed by the release before this change.
UNTRIMMED_HASHES = {
    "block": "51e831e4ee672bc7365dcd34028dddb8dcaa7e41c010463335d28ddf4ea5a114",
    "body": "d50f21fae0e0ff6d52c76a984673e57155caa00597de1026fdce476c61db4137",
}


def test_yaml_blocks_and_markdown_bodies_go_out_trimmed(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    make_project(FILES)
    assert cli("apply", "--yes").rc == 0
    assert sorted(live_texts(emu)) == ["Body with spaces", "Hello\nworld", "Second"]


def _as_an_older_threadsync_wrote_it(project: Project, hashes: dict[str, str]) -> None:
    state = json.loads(project.state_path.read_text(encoding="utf-8"))
    for post_id, old_hash in hashes.items():
        state["posts"][post_id]["content_hash"] = old_hash
    project.state_path.write_text(json.dumps(state), encoding="utf-8")


def test_a_post_published_before_trimming_is_not_edited(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    files = {
        "content/block.yaml": "text: |\n  Hello\n  world\n",
        "content/body.md": FILES["content/body.md"],
    }
    project = make_project(files)
    assert cli("apply", "--yes").rc == 0
    _as_an_older_threadsync_wrote_it(project, UNTRIMMED_HASHES)

    assert cli("plan", "--detailed-exitcode").rc == 0
    assert cli("plan", "--json").json()["warnings"] == []
    assert "edited since it was published" not in cli("status").out

    project.rename("content/block.yaml", "content/moved.yaml")  # still recognised by its hash
    changes = cli("plan", "--json").json()["changes"]
    assert [(c["id"], c["action"]) for c in changes] == [("moved", "move")]

    project.post("body", "---\ntopic: News\n---\nBody, edited\n", suffix=".md")
    warnings = cli("plan", "--json").json()["warnings"]
    assert [w["id"] for w in warnings] == ["body"]
    assert "was edited after publishing" in warnings[0]["message"]
