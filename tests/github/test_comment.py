"""The sticky plan comment: the REST logic against a local fake GitHub, and the
``github-comment save|post`` command as the two workflows run it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from threadsync.github import MARKER, GitHub, GitHubError, find_marked, upsert_comment
from threadsync.output.plan_markdown import MARKER as PLAN_MARKER

from .conftest import ActionsEnv, Run
from .fake_github import FakeGitHub

REPO = "octo/content"
SHA = "a" * 40
OTHER_SHA = "b" * 40


def test_the_marker_is_the_one_markdown_plans_start_with() -> None:
    assert MARKER == PLAN_MARKER == "<!-- threadsync-plan -->"


def test_first_run_creates_the_comment(fake_github: FakeGitHub) -> None:
    gh = GitHub(fake_github.token, api_url=fake_github.url)
    result = upsert_comment(gh, REPO, 7, f"{MARKER}\nplan one")
    assert result.action == "created"
    assert [c["body"] for c in fake_github.comments[7]] == [f"{MARKER}\nplan one"]
    posted = fake_github.requests("POST")[0]
    assert posted.path == "/repos/octo/content/issues/7/comments"
    assert posted.authorization == f"Bearer {fake_github.token}"


def test_later_runs_update_the_one_comment_found_across_pages(fake_github: FakeGitHub) -> None:
    fake_github.page_size = 2
    for i in range(5):
        fake_github.add_comment(7, f"a review comment {i}", login="alice")
    ours = fake_github.add_comment(7, f"{MARKER}\nold plan")
    fake_github.add_comment(7, "a later comment", login="bob")
    gh = GitHub(fake_github.token, api_url=fake_github.url)
    result = upsert_comment(gh, REPO, 7, f"{MARKER}\nnew plan")
    assert (result.action, result.comment_id) == ("updated", ours["id"])
    assert ours["body"] == f"{MARKER}\nnew plan"
    assert len(fake_github.comments[7]) == 7  # nothing added
    pages = [r.path for r in fake_github.requests("GET")]
    assert len(pages) == 4  # 7 comments, 2 per page
    assert "page=4" in pages[-1]
    assert not fake_github.requests("POST")


def test_an_unchanged_plan_is_not_rewritten(fake_github: FakeGitHub) -> None:
    fake_github.add_comment(3, f"{MARKER}\nsame")
    gh = GitHub(fake_github.token, api_url=fake_github.url)
    assert upsert_comment(gh, REPO, 3, f"{MARKER}\nsame").action == "unchanged"
    assert not fake_github.requests("PATCH")


def test_a_body_without_the_marker_gets_it(fake_github: FakeGitHub) -> None:
    gh = GitHub(fake_github.token, api_url=fake_github.url)
    upsert_comment(gh, REPO, 3, "plan")
    assert fake_github.comments[3][0]["body"] == f"{MARKER}\nplan"


def test_duplicates_from_a_race_are_removed(fake_github: FakeGitHub) -> None:
    first = fake_github.add_comment(9, f"{MARKER}\nA")
    fake_github.add_comment(9, f"{MARKER}\nB")
    gh = GitHub(fake_github.token, api_url=fake_github.url)
    result = upsert_comment(gh, REPO, 9, f"{MARKER}\nC")
    assert (result.action, result.removed) == ("updated", 1)
    assert [c["id"] for c in fake_github.comments[9]] == [first["id"]]
    assert fake_github.comments[9][0]["body"] == f"{MARKER}\nC"


def test_a_marker_in_someone_elses_comment_is_left_alone(fake_github: FakeGitHub) -> None:
    quoted = fake_github.add_comment(4, f"look: {MARKER} in my comment", login="mallory")
    gh = GitHub(fake_github.token, api_url=fake_github.url)
    assert upsert_comment(gh, REPO, 4, f"{MARKER}\nplan").action == "created"
    assert quoted["body"] == f"look: {MARKER} in my comment"
    assert find_marked(fake_github.comments[4], author=None) == fake_github.comments[4]


def test_the_token_is_never_sent_to_another_host(fake_github: FakeGitHub) -> None:
    fake_github.page_size = 1
    fake_github.add_comment(5, "one", login="alice")
    fake_github.add_comment(5, "two", login="alice")
    fake_github.next_link_override = "http://127.0.0.2:9/steal"
    gh = GitHub(fake_github.token, api_url=fake_github.url)
    with pytest.raises(GitHubError, match=r"refusing to send the GitHub token to 127\.0\.0\.2:9"):
        upsert_comment(gh, REPO, 5, "plan")


def test_a_redirect_to_another_host_does_not_carry_the_token() -> None:
    """urllib copies ordinary headers to a redirect's target; the token must stay behind."""
    import http.server
    import threading

    seen: list[str | None] = []

    class Other(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("Authorization"))
            body = b"{}"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(307)
            self.send_header("Location", f"http://127.0.0.1:{other.server_port}/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    other = http.server.HTTPServer(("127.0.0.1", 0), Other)
    first = http.server.HTTPServer(("127.0.0.1", 0), Redirect)
    for server in (other, first):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = GitHub("canary-gh-token-123456", api_url=f"http://127.0.0.1:{first.server_port}")
        client.request("GET", "repos/o/r")
    finally:
        for server in (other, first):
            server.shutdown()
            server.server_close()
    assert seen == [None]


def test_errors_name_the_status_and_never_the_token(fake_github: FakeGitHub) -> None:
    gh = GitHub("ghs_wrong_token_canary_123456", api_url=fake_github.url)
    with pytest.raises(GitHubError) as info:
        upsert_comment(gh, REPO, 1, "plan")
    assert info.value.status == 401
    assert "401" in str(info.value) and "Bad credentials" in str(info.value)
    assert "canary" not in str(info.value)
    gh = GitHub("t", api_url="http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(GitHubError, match="could not reach GitHub"):
        gh.pull_request(REPO, 1)


# -- the command, as the two workflows run it ------------------------------------------------


def _save(cli: Run, tmp_path: Path, plan: str | None, *extra: str, account: str = "") -> Path:
    work = tmp_path / "work"  # as download-artifact lays out several artifacts
    source = tmp_path / f"plan-{account or 'default'}.md"
    args = ["github-comment", "save", str(work / f"threadsync-plan-{account or 'default'}")]
    if plan is not None:
        source.write_text(plan)
        args += ["--plan", str(source)]
    result = cli(*args, "--account", account, *extra)
    assert result.rc == 0, result.err
    return work / f"threadsync-plan-{account or 'default'}"


def test_save_writes_the_plan_summary_and_metadata(
    cli: Run, actions: ActionsEnv, tmp_path: Path
) -> None:
    actions.set_event({"number": 12, "pull_request": {"number": 12, "head": {"sha": SHA}}})
    out = _save(cli, tmp_path, f"{MARKER}\n## threadsync plan\n\n+ hello\n")
    assert (out / "plan.md").read_text().startswith(MARKER)
    assert json.loads((out / "meta.json").read_text()) == {
        "account": "",
        "pr": 12,
        "sha": SHA,
        "ok": True,
    }
    assert "## threadsync plan" in actions.summary.read_text()
    assert actions.outputs()["ok"] == "true"


def test_save_after_a_failed_validation_shows_the_errors(
    cli: Run, actions: ActionsEnv, tmp_path: Path
) -> None:
    log = tmp_path / "validate.log"
    log.write_text("content/a.yaml:3:7: error: text is too long (612 > 500)\n1 error in 1 file\n")
    out = _save(cli, tmp_path, None, "--log", str(log), "--log", str(tmp_path / "missing.log"))
    body = (out / "plan.md").read_text()
    assert body.startswith(f"{MARKER}\n### ❌ threadsync could not make a plan")
    assert "content/a.yaml:3:7: error: text is too long" in body
    assert actions.outputs()["ok"] == "false"
    assert "could not make a plan" in actions.summary.read_text()


def test_save_of_a_plan_that_then_failed_keeps_both(
    cli: Run, actions: ActionsEnv, tmp_path: Path
) -> None:
    log = tmp_path / "plan.log"
    log.write_text("error: the plan deletes 3 posts; limits.max_deletes_per_apply is 0\n")
    out = _save(cli, tmp_path, f"{MARKER}\n- bye\n", "--failed", "--log", str(log))
    body = (out / "plan.md").read_text()
    assert "max_deletes_per_apply" in body and "<details><summary>The plan so far" in body


def _workflow_run(actions: ActionsEnv, *, pulls: list[int], sha: str = SHA) -> None:
    actions.set_event(
        {
            "workflow_run": {
                "id": 99,
                "event": "pull_request",
                "head_sha": sha,
                "pull_requests": [{"number": n} for n in pulls],
            }
        }
    )


def test_post_updates_the_comment_of_the_planned_pr(
    cli: Run, actions: ActionsEnv, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    actions.set_event({"pull_request": {"number": 12, "head": {"sha": SHA}}})
    out = _save(cli, tmp_path, f"{MARKER}\nplan v2\n")
    fake_github.add_pull(12, SHA)
    old = fake_github.add_comment(12, f"{MARKER}\nplan v1\n")
    _workflow_run(actions, pulls=[12])
    result = cli("github-comment", "post", str(out.parent))
    assert result.rc == 0, result.err
    assert f"Updated the plan comment on PR #12: {old['html_url']}" in result.out
    assert old["body"] == f"{MARKER}\nplan v2\n"
    assert actions.outputs()["comment-url"] == old["html_url"]


def test_post_for_a_fork_trusts_the_artifact_only_as_far_as_github_confirms(
    cli: Run, actions: ActionsEnv, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    actions.set_event({"pull_request": {"number": 40, "head": {"sha": SHA}}})
    out = _save(cli, tmp_path, f"{MARKER}\nfork plan\n")
    meta = json.loads((out / "meta.json").read_text())
    (out / "meta.json").write_text(json.dumps(meta | {"pr": 41}))  # the fork lies
    fake_github.add_pull(40, SHA)
    fake_github.add_pull(41, OTHER_SHA)
    _workflow_run(actions, pulls=[])  # GitHub lists no PR for a fork's run
    result = cli("github-comment", "post", str(out.parent))
    assert result.rc == 0
    assert "Not posted: PR #41 has moved on" in result.out
    assert not fake_github.requests("POST")
    (out / "meta.json").write_text(json.dumps(meta))
    result = cli("github-comment", "post", str(out.parent))
    assert "Created the plan comment on PR #40" in result.out
    assert fake_github.comments[40][0]["body"] == f"{MARKER}\nfork plan\n"


def test_post_skips_a_pr_that_moved_on_or_closed(
    cli: Run, actions: ActionsEnv, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    out = _save(cli, tmp_path, f"{MARKER}\nold plan\n")
    fake_github.add_pull(12, OTHER_SHA)
    _workflow_run(actions, pulls=[12])
    assert "PR #12 has moved on" in cli("github-comment", "post", str(out.parent)).out
    fake_github.add_pull(12, SHA, state="closed")
    assert "PR #12 is not open" in cli("github-comment", "post", str(out.parent)).out
    assert not fake_github.requests("POST") and not fake_github.requests("PATCH")


def test_post_joins_the_plans_of_several_accounts(
    cli: Run, actions: ActionsEnv, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    actions.set_event({"pull_request": {"number": 5, "head": {"sha": SHA}}})
    _save(cli, tmp_path, f"{MARKER}\nnews plan\n", account="news")
    out = _save(cli, tmp_path, f"{MARKER}\nbrand plan\n", account="brand")
    fake_github.add_pull(5, SHA)
    _workflow_run(actions, pulls=[5])
    assert cli("github-comment", "post", str(out.parent)).rc == 0
    (body,) = [c["body"] for c in fake_github.comments[5]]
    assert body.startswith(MARKER)
    assert (
        body.index("## Account `brand`")
        < body.index("brand plan")
        < body.index("## Account `news`")
    )


def test_post_reads_the_artifact_as_untrusted_data(
    cli: Run, actions: ActionsEnv, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    plans = tmp_path / "plans"
    (plans / "threadsync-plan-x").mkdir(parents=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("do not post me")
    os.symlink(secret, plans / "threadsync-plan-x" / "plan.md")
    (plans / "threadsync-plan-x" / "meta.json").write_text(
        '{"pr": "5; rm -rf /", "account": "$(x)"}'
    )
    fake_github.add_pull(5, SHA)
    _workflow_run(actions, pulls=[5])
    result = cli("github-comment", "post", str(plans))
    assert "No saved plan" in result.out  # a link is not followed
    (plans / "threadsync-plan-x" / "plan.md").unlink()
    (plans / "threadsync-plan-x" / "plan.md").write_text("x" * 100_000)
    assert cli("github-comment", "post", str(plans)).rc == 0
    (body,) = [c["body"] for c in fake_github.comments[5]]
    assert len(body) <= 65_536 and "*(cut:" in body
    assert "## Account `?`" in body  # an account name that is not a name is not shown


def test_post_without_a_token_is_an_error(
    cli: Run,
    actions: ActionsEnv,
    fake_github: FakeGitHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = _save(cli, tmp_path, f"{MARKER}\nplan\n")
    monkeypatch.delenv("GITHUB_TOKEN")
    result = cli("github-comment", "post", str(out.parent))
    assert (result.rc, result.err.strip()) == (
        1,
        "error: no GitHub token: set GITHUB_TOKEN (in a workflow: github.token)",
    )


def test_post_dry_run_prints_the_body(cli: Run, actions: ActionsEnv, tmp_path: Path) -> None:
    out = _save(cli, tmp_path, f"{MARKER}\nplan\n")
    result = cli("github-comment", "post", str(out.parent), "--dry-run")
    assert result.out == f"{MARKER}\nplan\n"
    single = cli("github-comment", "post", str(out), "--dry-run")  # one artifact, by name
    assert single.out == result.out
