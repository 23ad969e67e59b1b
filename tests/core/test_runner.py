"""runner: the flows from request objects to one Outcome per account, in-process."""

from __future__ import annotations

import datetime as dt
import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from threadsync import runner
from threadsync.emulator import Emulator
from threadsync.errors import ThreadsyncError
from threadsync.lock import LockError
from threadsync.plan import Action, Plan, PlanError
from threadsync.project import Target, Where
from threadsync.publisher import Progress
from threadsync.runner import (
    ApplyRequest,
    ImportRequest,
    PlanRequest,
    StatsRequest,
    StatusRequest,
    UnlockRequest,
)

from .conftest import Sleeps, emu_now, post_on_account, use_quota, write_content

FAST_APPLY = {"settle_video": 0.0, "poll_initial": 0.5, "find_delay": 0.5}


class UI:
    """An ApplyUI that records what apply showed and answers its question."""

    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.shown: list[tuple[str, Plan]] = []
        self.asked: list[str] = []
        self.lines: list[tuple[str, str, str]] = []

    def show_plan(self, target: Target, plan: Plan) -> None:
        self.shown.append((target.name, plan))

    def confirm(self, target: Target, plan: Plan) -> bool:
        self.asked.append(target.name)
        return self.answer

    @contextmanager
    def progress(self, target: Target) -> Iterator[Progress]:
        yield lambda post_id, message: self.lines.append((target.name, post_id, message))


class Repo:
    """A project in a tmp dir (the working directory), pointed at the emulator."""

    def __init__(self, root: Path, emu: Emulator) -> None:
        self.root = root
        self.emu = emu
        self.sleeps = Sleeps(emu)
        self.settings: dict[str, object] = {"apply": dict(FAST_APPLY)}
        self.save()

    def save(self, **settings: object) -> None:
        self.settings.update(settings)
        text = yaml.safe_dump(self.settings, sort_keys=False)
        (self.root / "threadsync.yaml").write_text(text, encoding="utf-8")

    @property
    def where(self) -> Where:
        return Where(config=self.root / "threadsync.yaml")

    def apply(
        self, ui: UI, planfile: Path | None = None
    ) -> list[runner.Outcome[runner.ApplyResult]]:
        made = ApplyRequest(plan=PlanRequest(where=self.where), planfile=planfile)
        run = runner.apply(made, ui, sleep=self.sleeps, now=lambda: emu_now(self.emu))
        return list(run.outcomes())

    def state(self, rel: str = ".threadsync/state.json") -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.root / rel).read_text(encoding="utf-8"))
        return data


@pytest.fixture
def repo(tmp_path: Path, emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> Repo:
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.chdir(root)
    monkeypatch.setenv("THREADSYNC_CREDENTIALS", str(tmp_path / "no-credentials.json"))
    monkeypatch.setenv("THREADS_ACCESS_TOKEN", emu.token)
    monkeypatch.setenv("THREADS_API_URL", emu.url)
    return Repo(root, emu)


def two_accounts(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> str:
    """Accounts brand (the emulator's user) and solo (another user); returns solo's user id."""
    repo.save(accounts={"brand": {}, "solo": {}})
    other = repo.emu.mint_token(username="solo_user")
    monkeypatch.setenv("THREADS_ACCESS_TOKEN_BRAND", repo.emu.token)
    monkeypatch.setenv("THREADS_ACCESS_TOKEN_SOLO", other["access_token"])
    write_content(repo.root, {"brand/a.yaml": "text: Brand news\n", "solo/b.yaml": "text: Mine\n"})
    return str(other["user_id"])


def test_plan_of_one_account_offline_and_online(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_content(repo.root, {"a.yaml": "text: One\n", "b.yaml": "text: Two\n"})
    result = runner.plan(PlanRequest(where=repo.where)).only()
    assert [(c.id, c.action) for c in result.plan.changes] == [
        ("a", Action.CREATE),
        ("b", Action.CREATE),
    ]
    assert result.refusal is None and result.saved is None
    assert [r["path"].split("?")[0] for r in repo.emu.requests()][:1] == ["/v1.0/me"]
    repo.emu.clear_requests()
    monkeypatch.delenv("THREADS_ACCESS_TOKEN")
    offline = runner.plan(PlanRequest(where=repo.where)).only()
    assert offline.plan.changes == result.plan.changes
    assert repo.emu.requests() == []  # no token: no request at all


def test_refresh_needs_a_token_and_adopts_what_is_on_the_account(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = post_on_account(repo.emu, "Already out")
    write_content(repo.root, {"a.yaml": "text: Already out\n"})
    result = runner.plan(PlanRequest(where=repo.where, refresh=True)).only()
    (change,) = result.plan.changes
    assert (change.action, change.media_ids) == (Action.ADOPT, (found,))
    monkeypatch.delenv("THREADS_ACCESS_TOKEN")
    with pytest.raises(ThreadsyncError, match="no access token: set THREADS_ACCESS_TOKEN"):
        runner.plan(PlanRequest(where=repo.where, refresh=True)).only()


def test_apply_publishes_and_records(repo: Repo) -> None:
    write_content(repo.root, {"a.yaml": "text: Hello\n", "b.yaml": "text: Reply\nreply_to: a\n"})
    ui = UI()
    (outcome,) = repo.apply(ui)
    result = outcome.unwrap()
    assert result.report is not None and result.report.ok
    assert [r.status for r in result.report.results] == ["published", "published"]
    assert ui.asked == [""] and [name for name, _ in ui.shown] == [""]
    assert ("", "a", "publishing") in ui.lines
    hello, reply = repo.emu.posts()
    assert reply["reply_to"] == hello["id"]
    state = repo.state()
    assert state["user_id"] == repo.emu.user_id
    assert set(state["posts"]) == {"a", "b"}
    (again,) = repo.apply(UI())
    assert again.unwrap().report is None  # nothing to do: no report, no question


def test_a_refused_confirmation_publishes_nothing(repo: Repo) -> None:
    write_content(repo.root, {"a.yaml": "text: Not yet\n"})
    ui = UI(answer=False)
    (outcome,) = repo.apply(ui)
    result = outcome.unwrap()
    assert result.cancelled and result.report is None
    assert ui.asked == [""] and ui.lines == []
    assert repo.emu.posts() == []
    assert not (repo.root / ".threadsync" / "state.json").exists()


def test_the_safety_limits_refuse_with_a_result(repo: Repo) -> None:
    repo.save(limits={"max_posts_per_apply": 1})
    write_content(repo.root, {"a.yaml": "text: One\n", "b.yaml": "text: Two\n"})
    planned = runner.plan(PlanRequest(where=repo.where, out=repo.root / "p.json")).only()
    assert planned.refusal is not None and "limits.max_posts_per_apply (1)" in planned.refusal
    assert planned.saved is None and not (repo.root / "p.json").exists()
    ui = UI()
    (outcome,) = repo.apply(ui)
    result = outcome.unwrap()
    assert result.refusal == planned.refusal and result.report is None
    assert ui.asked == [] and repo.emu.posts() == []
    forced = ApplyRequest(plan=PlanRequest(where=repo.where, force=True))
    done = runner.apply(forced, UI(), sleep=repo.sleeps).only()
    assert done.report is not None and done.report.count("published") == 2


def test_a_saved_plan_is_applied_without_a_question(repo: Repo) -> None:
    write_content(repo.root, {"a.yaml": "text: Reviewed\n"})
    out = repo.root / "reviewed.json"
    saved = runner.plan(PlanRequest(where=repo.where, out=out)).only()
    assert saved.saved == out and out.is_file()
    ui = UI()
    (outcome,) = repo.apply(ui, planfile=out)
    assert outcome.unwrap().report is not None and ui.asked == []
    assert [p["params"]["text"] for p in repo.emu.posts()] == ["Reviewed"]
    write_content(repo.root, {"b.yaml": "text: Later\n"})
    (stale,) = repo.apply(UI(), planfile=out)
    assert isinstance(stale.error, PlanError)
    assert "stale" in str(stale.error)


def test_several_accounts_give_one_outcome_each(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    solo = two_accounts(repo, monkeypatch)
    ui = UI()
    outcomes = repo.apply(ui)
    assert [o.target.name for o in outcomes] == ["brand", "solo"]
    assert all(o.error is None for o in outcomes)
    assert ui.asked == ["brand", "solo"]
    owners = {p["params"]["text"]: p["owner"] for p in repo.emu.posts()}
    assert owners == {"Brand news": repo.emu.user_id, "Mine": solo}
    assert repo.state(".threadsync/brand/state.json")["user_id"] == repo.emu.user_id
    assert repo.state(".threadsync/solo/state.json")["user_id"] == solo


def test_one_accounts_error_is_its_outcome_and_the_others_go_on(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    two_accounts(repo, monkeypatch)
    monkeypatch.delenv("THREADS_ACCESS_TOKEN_BRAND")
    seen: list[str] = []
    request = ApplyRequest(plan=PlanRequest(where=repo.where))
    outcomes = list(
        runner.apply(request, UI(), sleep=repo.sleeps).outcomes(lambda t: seen.append(t.name))
    )
    assert seen == ["brand", "solo"]
    brand, solo = outcomes
    assert isinstance(brand.error, ThreadsyncError) and brand.result is None
    assert "THREADS_ACCESS_TOKEN_BRAND" in str(brand.error)
    with pytest.raises(ThreadsyncError):
        brand.unwrap()
    assert solo.unwrap().report is not None
    assert [p["params"]["text"] for p in repo.emu.posts()] == ["Mine"]


def test_what_works_on_one_account_refuses_several(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    two_accounts(repo, monkeypatch)
    with pytest.raises(ThreadsyncError, match="--out saves the plan of one account; add --account"):
        runner.plan(PlanRequest(where=repo.where, out=repo.root / "p.json"))
    brand = Where(config=repo.where.config, account="brand")
    runner.plan(PlanRequest(where=brand, out=repo.root / "p.json")).only()
    request = ApplyRequest(plan=PlanRequest(where=repo.where), planfile=repo.root / "p.json")
    with pytest.raises(ThreadsyncError, match="a saved plan belongs to one account"):
        runner.apply(request, UI())


def test_import_adopts_posts_on_the_account(repo: Repo) -> None:
    first = post_on_account(repo.emu, "From before")
    write_content(repo.root, {"a.yaml": "text: From before\n", "b.yaml": "text: New\n"})
    dry = runner.import_(ImportRequest(where=repo.where, dry_run=True)).only()
    assert [m.post_id for m in dry.matches.matched] == ["a"] and not dry.written
    assert not (repo.root / ".threadsync" / "state.json").exists()
    done = runner.import_(ImportRequest(where=repo.where)).only()
    assert done.written and done.matches.unmatched_posts == ["b"]
    state = repo.state()
    assert state["user_id"] == repo.emu.user_id
    entry = state["posts"]["a"]
    assert entry["source"] == "import" and entry["parts"][0]["media_id"] == first


def test_import_reads_the_account_in_pages_of_a_hundred(repo: Repo) -> None:
    write_content(repo.root, {"a.yaml": "text: Anything\n"})
    repo.emu.clear_requests()
    since = dt.datetime(2026, 1, 31, tzinfo=dt.timezone.utc)
    runner.import_(ImportRequest(where=repo.where, since=since, dry_run=True)).only()
    lists = [
        r["params"]
        for r in repo.emu.requests()
        if r["path"].split("?")[0].endswith(("/threads", "/replies"))
    ]
    assert len(lists) == 2
    assert all(p["limit"] == "100" and int(p["since"]) == since.timestamp() for p in lists)


def test_status_reports_the_state_and_the_account(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_content(repo.root, {"a.yaml": "text: Due\n", "bad.yaml": "text: 7\n"})
    data = runner.status(StatusRequest(where=repo.where)).only()
    assert data["state"]["path"] == ".threadsync/state.json"
    assert data["content_errors"] == 1
    assert data["summary"]["due"] == 1
    account = data["account"]
    assert account["user_id"] == repo.emu.user_id
    assert account["quota"]["posts_remaining"] == 250
    assert account["token_days_left"] > 59
    repo.emu.add_fault(action="graph_error", path="threads_publishing_limit", code=10)
    assert "quota_error" in runner.status(StatusRequest(where=repo.where)).only()["account"]
    monkeypatch.delenv("THREADS_ACCESS_TOKEN")
    assert runner.status(StatusRequest(where=repo.where)).only()["account"] is None


def test_force_unlock_breaks_only_an_old_lock(repo: Repo) -> None:
    lock = repo.root / ".threadsync" / "state.lock"
    lock.parent.mkdir()
    started = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2)
    record = {"pid": 1, "host": "elsewhere", "command": "apply", "started": started.isoformat()}
    lock.write_text(json.dumps(record), encoding="utf-8")
    (kept,) = runner.force_unlock(UnlockRequest(where=repo.where)).outcomes()
    assert isinstance(kept.error, LockError) and "limits.lock_max_age" in str(kept.error)
    request = UnlockRequest(where=repo.where, max_age=dt.timedelta(hours=1))
    holder, _ = runner.force_unlock(request).only()
    assert holder is not None and holder.host == "elsewhere" and holder.host != socket.gethostname()
    assert lock.read_text(encoding="utf-8") == ""
    assert runner.force_unlock(request).only()[0] is None


def test_a_plan_carries_content_warnings_and_the_accounts_notices(repo: Repo) -> None:
    use_quota(repo.emu, "post", 250)
    write_content(repo.root, {"long.yaml": "text: " + "x" * 460 + "\n"})
    notices = [str(n) for n in runner.plan(PlanRequest(where=repo.where)).only().plan.notices]
    assert any(n.startswith("content/long.yaml:1:") for n in notices), notices
    assert "the plan publishes 1 posts but only 0 remain in the 24 h quota" in notices[-1]


def test_status_reports_what_it_could_not_read(repo: Repo) -> None:
    repo.emu.add_fault(action="graph_error", path="debug_token", code=1, every=True)
    facts = runner.status(StatusRequest(where=repo.where)).only()["account"]
    assert "token_error" in facts and facts["quota"]["posts_remaining"] == 250
    repo.emu.add_fault(action="graph_error", path="/me$", code=100, subcode=33, every=True)
    facts = runner.status(StatusRequest(where=repo.where)).only()["account"]
    assert sorted(facts) == ["error", "token_source"]


def test_stats_of_the_published_posts(repo: Repo) -> None:
    write_content(repo.root, {"a.yaml": "text: Counted\n"})
    repo.apply(UI())
    since = dt.datetime.now() - dt.timedelta(days=1)  # naive: threadsync.yaml's timezone
    report = runner.stats(StatsRequest(where=repo.where, since=since)).only()
    assert [(row.id, row.text) for row in report.rows] == [("a", "Counted")]
    assert report.since is not None and report.since.tzinfo is not None
    assert report.fetched == 1
    assert (repo.root / ".threadsync" / "insights.json").is_file()
    again = runner.stats(StatsRequest(where=repo.where)).only()
    assert (again.fetched, again.reused) == (0, 1)  # the cache is fresh enough


@pytest.mark.parametrize(("codes", "combined"), [([0, 2], 2), ([2, 1, 0], 1), ([0, 0], 0), ([], 0)])
def test_one_exit_code_for_several_accounts(codes: list[int], combined: int) -> None:
    assert runner.combined_code(codes) == combined
