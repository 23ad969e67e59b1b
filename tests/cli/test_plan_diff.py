"""``threadsync plan`` diffs real content files against the state file that apply wrote."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from threadsync.emulator import Emulator

from .support import Outside, Project, Run, live_texts


def actions(result_json: dict[str, object]) -> list[tuple[str, str]]:
    changes = result_json["changes"]
    assert isinstance(changes, list)
    return [(c["id"], c["action"]) for c in changes]


def test_new_posts_are_created_scheduled_ones_wait_and_drafts_are_skipped(
    make_project: Callable[..., Project], cli: Run
) -> None:
    make_project(
        {
            "content/now.yaml": "text: Due now\n",
            "content/soon.md": "---\npublish_at: 2099-06-01T12:00:00Z\n---\nIn the future\n",
            "content/draft-one.yaml": "text: Draft\ndraft: true\n",
            "content/draft-two.md": "---\ndraft: true\n---\nAnother draft\n",
        }
    )
    data = cli("plan", "--json").json()
    assert actions(data) == [("now", "create"), ("soon", "wait")]
    assert data["changes"][1]["publish_at"] == "2099-06-01T12:00:00+00:00"
    assert data["drafts"] == 2
    text = cli("plan").out
    assert "… soon  at 2099-06-01 12:00 UTC" in text
    assert "2 draft(s) skipped." in text


def test_edit_after_publish_warns_and_changes_nothing(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project({"content/a.yaml": "text: As published\n"})
    assert cli("apply", "--yes").rc == 0
    project.post("a", "text: Edited afterwards\n")

    result = cli("plan", "--detailed-exitcode")
    assert result.rc == 0  # a warning is not a change
    assert "No changes." in result.out
    assert "a: was edited after publishing; Threads cannot edit a post" in result.out
    assert cli("plan", "--json").json()["changes"] == []
    assert cli("apply", "--yes").rc == 0
    assert live_texts(emu) == ["As published"]


def test_on_change_replace_deletes_the_old_post_and_publishes_the_new_one(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project(
        {"content/a.yaml": "text: Version one\non_change: replace\n"},
        config="limits:\n  max_deletes_per_apply: 1\n",
    )
    assert cli("apply", "--yes").rc == 0
    old_media = project.state()["posts"]["a"]["parts"][0]["media_id"]
    project.post("a", "text: Version two\non_change: replace\n")

    data = cli("plan", "--json").json()
    assert actions(data) == [("a", "replace")]
    assert data["summary"]["replace"] == 1
    assert cli("plan", "--detailed-exitcode").rc == 2
    assert cli("apply", "--yes").rc == 0
    assert live_texts(emu) == ["Version two"]
    new_media = project.state()["posts"]["a"]["parts"][0]["media_id"]
    assert new_media != old_media
    assert cli("plan", "--detailed-exitcode").rc == 0


def test_a_replace_that_the_quota_defers_keeps_the_old_post_live(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project(
        {"content/a.yaml": "text: Version one\non_change: replace\n"},
        config="limits:\n  max_deletes_per_apply: 1\n",
    )
    assert cli("apply", "--yes").rc == 0
    project.post("a", "text: Version two\non_change: replace\n")
    for _ in range(249):  # 250 posts per rolling 24 h: none left
        emu.core.store.count_quota(emu.user_id, "post")
    assert cli("apply", "--yes").rc == 0
    assert live_texts(emu) == ["Version one"]  # not deleted while the new one must wait
    assert actions(cli("plan", "--json").json()) == [("a", "replace")]


def test_removed_post_is_forgotten_by_default(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project({"content/a.yaml": "text: Keep\n", "content/b.yaml": "text: Drop\n"})
    assert cli("apply", "--yes").rc == 0
    project.remove("content/b.yaml")

    assert actions(cli("plan", "--json").json()) == [("b", "forget")]
    assert cli("plan", "--detailed-exitcode").rc == 2  # forget changes the state
    assert cli("apply", "--yes").rc == 0
    assert "b" not in project.state()["posts"]
    assert live_texts(emu) == ["Keep", "Drop"]  # still on Threads
    assert cli("plan", "--detailed-exitcode").rc == 0


@pytest.mark.parametrize("how", ["--prune", "prune: true"])
def test_prune_deletes_removed_posts_from_threads(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, how: str
) -> None:
    config = "prune: true\n" if how == "prune: true" else None
    project = make_project(
        {"content/a.yaml": "text: Keep\n", "content/b.yaml": "text: Drop\n"}, config=config
    )
    assert cli("apply", "--yes").rc == 0
    project.remove("content/b.yaml")
    flags = ["--prune"] if how == "--prune" else []

    data = cli("plan", "--json", *flags).json()
    assert actions(data) == [("b", "delete")]
    assert "- b" in cli("plan", *flags).out
    assert cli("apply", "--yes", *flags).rc == 0
    assert live_texts(emu) == ["Keep"]
    assert "b" not in project.state()["posts"]


def test_a_delete_without_the_delete_scope_names_the_scope(
    make_project: Callable[..., Project],
    cli: Run,
    emu: Emulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = make_project({"content/a.yaml": "text: Keep\n", "content/b.yaml": "text: Drop\n"})
    assert cli("apply", "--yes").rc == 0
    project.remove("content/b.yaml")
    scopes = ["threads_basic", "threads_content_publish"]
    monkeypatch.setenv("THREADS_ACCESS_TOKEN", emu.mint_token(scopes=scopes)["access_token"])
    result = cli("apply", "--yes", "--prune")
    assert result.rc == 1
    assert "threads_delete" in result.err
    assert live_texts(emu) == ["Keep", "Drop"]


def test_renamed_file_moves_its_state_and_nothing_is_posted_twice(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project(
        {
            "content/post.yaml": "text: Same words\n",
            "content/thread.md": "Root\n\n---\nReply\n",
        }
    )
    assert cli("apply", "--yes").rc == 0
    before = project.state()["posts"]
    project.rename("content/post.yaml", "content/renamed.yaml")
    (project.root / "content/2026").mkdir()
    project.rename("content/thread.md", "content/2026/thread.md")

    data = cli("plan", "--json").json()
    assert sorted(actions(data)) == [("2026/thread", "move"), ("renamed", "move")]
    moves = {c["id"]: c.get("previous_id") for c in data["changes"]}
    assert moves == {"renamed": "post", "2026/thread": "thread"}
    assert data["summary"]["create"] == 0
    assert cli("apply", "--yes").rc == 0

    assert live_texts(emu) == ["Same words", "Root", "Reply"]
    after = project.state()["posts"]
    assert set(after) == {"renamed", "2026/thread"}
    assert after["renamed"]["parts"] == before["post"]["parts"]
    assert after["renamed"]["path"] == "content/renamed.yaml"
    assert after["2026/thread"]["parts"] == before["thread"]["parts"]
    assert cli("plan", "--detailed-exitcode").rc == 0


def test_replies_and_quotes_publish_after_their_targets_and_thread_parts_after_the_root(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    # path order would put the quote and the reply first
    project = make_project(
        {
            "content/a-quote.yaml": "text: Read this\nquote: z-target\n",
            "content/b-reply.yaml": "text: And a reply\nreply_to: z-target\n",
            "content/z-target.md": (
                "Target root\n\n---\nTarget part two\n\n---\nTarget part three\n"
            ),
        }
    )
    order = [c for c, _ in actions(cli("plan", "--json").json())]
    assert order.index("z-target") < order.index("a-quote")
    assert order.index("z-target") < order.index("b-reply")
    assert cli("apply", "--yes").rc == 0

    posts = {p["params"].get("text"): p for p in emu.posts()}
    root = posts["Target root"]
    assert posts["Target part two"]["reply_to"] == root["id"]
    assert posts["Target part three"]["reply_to"] == posts["Target part two"]["id"]
    assert posts["Read this"]["quote_of"] == root["id"]
    assert posts["And a reply"]["reply_to"] == root["id"]
    parts = project.state()["posts"]["z-target"]["parts"]
    assert [p["media_id"] for p in parts] == [
        root["id"],
        posts["Target part two"]["id"],
        posts["Target part three"]["id"],
    ]


def test_target_limits_the_plan_to_those_posts_and_their_dependencies(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    make_project(
        {
            "content/a.yaml": "text: Quoted\n",
            "content/b.yaml": "text: Untouched\n",
            "content/c.yaml": "text: Quoting\nquote: a\n",
            "content/d.yaml": "text: Alone\n",
        }
    )
    data = cli("plan", "--json", "--target", "c", "--target", "d").json()
    assert actions(data) == [("a", "create"), ("c", "create"), ("d", "create")]
    assert cli("apply", "--yes", "--target", "c", "--target", "d").rc == 0
    assert sorted(live_texts(emu)) == ["Alone", "Quoted", "Quoting"]
    assert actions(cli("plan", "--json").json()) == [("b", "create")]


def test_unknown_target_is_one_error_line(make_project: Callable[..., Project], cli: Run) -> None:
    make_project({"content/a.yaml": "text: A\n"})
    result = cli("plan", "--target", "nope")
    assert result.rc == 1
    assert result.error_lines == [
        "error: --target 'nope' is not a post id; see 'threadsync validate'"
    ]


# -- safety ----------------------------------------------------------------------------------


def test_publishing_more_than_max_posts_per_apply_is_refused_unless_forced(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    make_project({f"content/p{i:02}.yaml": f"text: Post number {i}\n" for i in range(26)})
    result = cli("plan")
    assert result.rc == 1
    assert "Plan: 26 to publish" in result.out  # the plan is still shown
    assert result.error_lines == [
        "error: the plan would publish 26 posts, more than limits.max_posts_per_apply (25); "
        "check it, then use --force or raise the limit in threadsync.yaml"
    ]
    assert cli("apply", "--yes").rc == 1
    assert emu.posts() == []
    assert cli("plan", "--force", "--detailed-exitcode").rc == 2


def test_max_posts_per_apply_comes_from_threadsync_yaml(
    make_project: Callable[..., Project], cli: Run
) -> None:
    make_project(
        {f"content/p{i}.yaml": f"text: Post {i}\n" for i in range(3)},
        config="limits:\n  max_posts_per_apply: 2\n",
    )
    result = cli("plan")
    assert result.rc == 1
    assert "limits.max_posts_per_apply (2)" in result.error_lines[0]
    assert cli("plan", "--target", "p0", "--target", "p1").rc == 0
    assert cli("plan", "--force").rc == 0


def test_pruning_more_than_max_prune_deletes_per_apply_is_refused_unless_forced(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project(
        {f"content/p{i}.yaml": f"text: Post {i}\n" for i in range(3)},
        config="limits:\n  max_deletes_per_apply: 5\n  max_prune_deletes_per_apply: 1\n",
    )
    assert cli("apply", "--yes").rc == 0
    project.remove("content/p0.yaml")
    project.remove("content/p1.yaml")

    result = cli("apply", "--yes", "--prune")
    assert result.rc == 1
    assert (
        "would delete 2 published post(s), more than limits.max_prune_deletes_per_apply (1)"
        in (result.error_lines[0])
    )
    assert len(live_texts(emu)) == 3
    assert cli("plan", "--prune", "--target", "p0").rc == 0
    assert cli("apply", "--yes", "--prune", "--force").rc == 0
    assert live_texts(emu) == ["Post 2"]


# -- exit codes ------------------------------------------------------------------------------


def test_detailed_exitcode(make_project: Callable[..., Project], cli: Run, emu: Emulator) -> None:
    project = make_project({"content/later.yaml": "text: L\npublish_at: 2099-01-01T00:00:00Z\n"})
    assert cli("plan", "--detailed-exitcode").rc == 0  # only a wait
    project.post("now", "text: N\n")
    assert cli("plan").rc == 0  # without the flag, changes are still success
    assert cli("plan", "--detailed-exitcode").rc == 2
    assert cli("apply", "--yes").rc == 0
    assert cli("plan", "--detailed-exitcode").rc == 0


def test_invalid_content_is_an_error_with_detailed_exitcode(
    make_project: Callable[..., Project], cli: Run
) -> None:
    make_project({"content/bad.yaml": "text: [unclosed\n", "content/ok.yaml": "text: fine\n"})
    result = cli("plan", "--detailed-exitcode")
    assert result.rc == 1
    assert result.out == ""
    assert result.err.startswith("error: the content has 1 error(s)")
    assert "\ncontent/bad.yaml:" in result.err
    assert "Traceback" not in result.err


def test_posts_quoting_one_permalink_look_it_up_once(
    make_project: Callable[..., Project], cli: Run, emu: Emulator, outside: Outside
) -> None:
    media_id = outside.publish("Posted outside threadsync")
    permalink = next(p for p in emu.posts() if p["id"] == media_id)["permalink"]
    make_project(
        {f"content/q{i}.yaml": f"text: Quote {i}\nquote: '{permalink}'\n" for i in range(3)}
    )
    emu.clear_requests()
    assert cli("apply", "--yes").rc == 0
    listings = [r for r in emu.requests() if "/me/threads?fields=id%2Cpermalink" in r["path"]]
    assert len(listings) == 1, [r["path"] for r in listings]
    quoted = [r["params"].get("quote_post_id") for r in emu.requests() if r["method"] == "POST"]
    assert quoted.count(media_id) == 3


def test_a_file_renamed_and_edited_at_once_is_named_in_every_form_of_the_plan(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project({"content/news/launch.yaml": "text: We launch today\n"})
    assert cli("apply", "--yes").rc == 0
    project.rename("content/news", "content/blog")
    project.post("blog/launch", "text: We launched today\n")

    hint = 'looks like a rename of news/launch: add "id: news/launch" to keep it'
    assert f"! blog/launch: {hint}" in cli("plan").out
    assert hint in cli("plan", "--format", "markdown").out
    warnings = cli("plan", "--json").json()["warnings"]
    assert [w["id"] for w in warnings if hint in w["message"]] == ["blog/launch"]

    project.post("blog/launch", "id: news/launch\ntext: We launched today\n")
    plan = cli("plan", "--json").json()
    assert plan["changes"] == []  # kept: an edit of a published post, with its warning
    assert [w["id"] for w in plan["warnings"]] == ["news/launch"]


def test_replacing_a_post_others_reply_to_or_quote_warns_and_apply_counts_the_delete(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project(
        {
            "content/a.yaml": "text: Version one\non_change: replace\n",
            "content/b.yaml": "text: A reply\nreply_to: a\n",
            "content/c.yaml": "text: A quote\nquote: a\n",
        }
    )
    assert cli("apply", "--yes").rc == 0
    project.post("a", "text: Version two\non_change: replace\n")

    plan = cli("plan", "--json").json()
    assert [(c["id"], c["action"]) for c in plan["changes"]] == [("a", "replace")]
    assert plan["warnings"] == [
        {
            "id": "a",
            "message": "on_change: replace deletes the post that b, c reply to or quote: on "
            "Threads they will point at a deleted post. apply deletes the old post, publishes "
            "the new one and leaves b, c as they are",
        }
    ]
    assert "! a: on_change: replace deletes the post that b, c reply to" in cli("plan").out

    result = cli("apply", "--yes", "--force")
    assert result.rc == 0, result.err
    assert "Apply: 1 published, 1 deleted." in result.out
    assert sorted(live_texts(emu)) == ["A quote", "A reply", "Version two"]


def test_apply_json_counts_the_delete_of_a_replace(
    make_project: Callable[..., Project], cli: Run, emu: Emulator
) -> None:
    project = make_project({"content/a.yaml": "text: One\non_change: replace\n"})
    assert cli("apply", "--yes").rc == 0
    project.post("a", "text: Two\non_change: replace\n")
    report = cli("apply", "--yes", "--force", "--json").json()
    assert report["summary"]["published"] == 1
    assert report["deletes"] == 1
