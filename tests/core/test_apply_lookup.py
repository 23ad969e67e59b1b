"""Applier: what it reads of the account before it publishes.

A post a lost state forgot is looked for (and adopted, never posted again),
and the posts that quotes and replies point at are found.
"""

from __future__ import annotations

import datetime as dt

from threadsync.plan import Action

from .conftest import Project, calls, image_post, listings, live, post_on_account, statuses


def test_lookup_adopts_an_unknown_post_already_on_the_account(project: Project) -> None:
    found = post_on_account(project.emu, "Lost state")
    project.write({"a.yaml": "text: Lost state\n"})
    project.emu.clear_requests()
    report = project.apply()
    assert statuses(report) == {"a": "adopted"}
    assert report.results[0].action is Action.CREATE
    assert calls(project.emu, "POST", "/threads_publish") == []
    entry = project.state().posts["a"]
    assert (entry.source, entry.status, entry.media_id) == ("adopt", "published", found)


def test_lookup_finishes_a_thread_whose_root_is_on_the_account(project: Project) -> None:
    root = post_on_account(project.emu, "Thread root")
    project.write({"t.yaml": "text: Thread root\nthread:\n  - text: The rest\n"})
    report = project.apply()
    assert statuses(report) == {"t": "published"}
    reply = live(project.emu)["The rest"]
    assert reply["reply_to"] == root
    assert project.state().posts["t"].media_ids == [root, reply["id"]]
    assert any("1 of its 2 parts" in m for _, m in project.progress)


def test_lookup_does_not_adopt_a_post_another_entry_claims(project: Project) -> None:
    project.write({"z.yaml": "text: Same words\n"})
    project.apply()
    claimed = project.state().posts["z"].media_id
    project.write({"a.yaml": "text: Same words\n"})
    report = project.apply()
    assert statuses(report) == {"a": "published"}
    same = [p["id"] for p in project.emu.posts() if p["params"]["text"] == "Same words"]
    assert len(same) == 2
    assert project.state().posts["a"].media_id == same[1] != claimed


def test_lookup_off_reads_no_listing(project: Project) -> None:
    post_on_account(project.emu, "Already there")
    project.with_options(lookup=False)
    project.write({"a.yaml": "text: Already there\n"})
    project.emu.clear_requests()
    report = project.apply()
    assert statuses(report) == {"a": "published"}
    assert calls(project.emu, "GET", "/threads") == []
    assert calls(project.emu, "GET", "/replies") == []
    assert len([p for p in project.emu.posts() if p["params"]["text"] == "Already there"]) == 2


def test_permalink_quotes_are_resolved_once(project: Project) -> None:
    quoted = post_on_account(project.emu, "Quote me")
    link = live(project.emu)["Quote me"]["permalink"]
    assert isinstance(link, str)
    other = link.replace("threads.net", "threads.com") + "/"
    project.with_options(lookup=False)
    project.write(
        {"a.yaml": f"text: One\nquote: {link}\n", "b.yaml": f"text: Two\nquote: {other}\n"}
    )
    project.emu.clear_requests()
    report = project.apply()
    assert statuses(report) == {"a": "published", "b": "published"}
    assert live(project.emu)["One"]["quote_of"] == quoted
    assert live(project.emu)["Two"]["quote_of"] == quoted
    assert len(listings(project.emu, "/threads")) == 1


def test_an_unknown_permalink_fails_the_post(project: Project) -> None:
    link = "https://www.threads.net/@someone/post/Nowhere"
    project.with_options(lookup=False)
    project.write({"a.yaml": image_post("Quotes nothing", "q") + f"quote: {link}\n"})
    report = project.apply()
    assert statuses(report) == {"a": "failed"}
    assert "cannot find" in report.results[0].detail
    assert project.emu.posts() == []


def test_lookup_window_opens_at_the_oldest_scheduled_post(project: Project) -> None:
    now = dt.datetime.fromtimestamp(project.emu.now(), dt.timezone.utc)
    due = (now - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    project.write({"a.yaml": f"text: Was scheduled\npublish_at: {due}\n"})
    project.emu.clear_requests()
    project.apply()
    since = int(calls(project.emu, "GET", "/threads")[0]["params"]["since"])
    opened = now - dt.timedelta(hours=2, minutes=10)
    assert abs(since - opened.timestamp()) < 5


def test_reply_to_a_media_id_on_the_account(project: Project) -> None:
    target = post_on_account(project.emu, "Someone else's")
    project.write({"a.yaml": f"text: Replying\nreply_to: '{target}'\n"})
    report = project.apply()
    assert statuses(report) == {"a": "published"}
    assert live(project.emu)["Replying"]["reply_to"] == target
