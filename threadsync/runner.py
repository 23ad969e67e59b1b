"""The flows: plan, apply, import, status and stats, from a request object to results.

A command builds a frozen request from its arguments and calls one function
here; it gets back one :class:`Outcome` per account and renders it.  Nothing
here prints or reads the command line: apply's questions and progress go
through the :class:`ApplyUI` the command passes in.  An expected failure of
one account (ours or the API's) is its outcome, and the others go on.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from threadsync.errors import ThreadsyncError
from threadsync.project import (
    ApiSettings,
    ClientMaker,
    Target,
    Where,
    api_factory,
    load_content,
    long_lived,
    media_url_context,
    read_content,
    utcnow,
)

if TYPE_CHECKING:
    from threadsync.api import API
    from threadsync.apply import ApplyReport
    from threadsync.content import Content
    from threadsync.importer import ImportResult
    from threadsync.lock import Holder
    from threadsync.plan import Plan
    from threadsync.publisher import Progress
    from threadsync.state import State
    from threadsync.stats.report import Report

R = TypeVar("R")


@dataclass(frozen=True)
class Outcome(Generic[R]):
    """What one account's run gave: its result, or the expected error that stopped it."""

    target: Target
    result: R | None = None
    error: Exception | None = None

    def unwrap(self) -> R:
        """The result; the error is raised again (for a run of one account)."""
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


class Run(Generic[R]):
    """The accounts a command works on, and their outcomes, made one account at a time.

    ``targets`` is known at once (so the command knows whether it shows one
    account or several); each outcome is made as it is iterated, so what a
    command shows of one account comes before the next one starts.
    """

    def __init__(self, targets: Sequence[Target], work: Callable[[Target], R]) -> None:
        self.targets = list(targets)
        self._work = work

    def outcomes(self, before: Callable[[Target], None] | None = None) -> Iterator[Outcome[R]]:
        """Each account's outcome; an expected error is kept, a bug goes up at once."""
        from threadsync.api.errors import ThreadsError

        for target in self.targets:
            if before is not None:
                before(target)
            try:
                yield Outcome(target, result=self._work(target))
            except (ThreadsyncError, ThreadsError) as exc:
                yield Outcome(target, error=exc)

    def only(self) -> R:
        """The result of a run of one account (its error is raised)."""
        assert len(self.targets) == 1
        return next(self.outcomes()).unwrap()


# --- plan --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRequest:
    where: Where = field(default_factory=Where)
    api: ApiSettings = field(default_factory=ApiSettings)
    prune: bool = False
    retry_failed: bool = False
    targets: tuple[str, ...] = ()
    refresh: bool = False
    force: bool = False
    out: Path | None = None  # save the plan, to apply exactly it later


@dataclass(frozen=True)
class PlanResult:
    plan: Plan
    refusal: str | None = None  # why the safety limits refuse it (apply needs --force)
    saved: Path | None = None


def plan(request: PlanRequest) -> Run[PlanResult]:
    one = "--out saves the plan of one account" if request.out else None
    return Run(_targets(request.where, one), lambda t: _plan_one(request, t))


def _plan_one(request: PlanRequest, target: Target) -> PlanResult:
    from threadsync.saved_plan import save_plan
    from threadsync.state import load_state

    now = utcnow()
    content = load_content(target, now)
    with long_lived():
        state = load_state(target.state_path, target.root)
    made = make_plan_for(request, target, content, state, now)
    refusal = _refusal(request, target, made)
    if request.out is not None and refusal is None:
        save_plan(
            made,
            request.out,
            retry_failed=request.retry_failed,
            refresh=request.refresh,
            root=target.root,
        )
        return PlanResult(made, saved=request.out)
    return PlanResult(made, refusal)


def _refusal(request: PlanRequest, target: Target, made: Plan) -> str | None:
    if request.force:
        return None
    limits = target.config.limits
    return made.refusal(
        max_posts=limits.max_posts_per_apply, max_deletes=limits.max_deletes(made.prune)
    )


def make_plan_for(
    request: PlanRequest,
    target: Target,
    content: Content,
    state: State,
    now: dt.datetime,
    make_api: ClientMaker | None = None,
) -> Plan:
    """The plan, with the API's facts folded in when a token is available.

    ``make_api``: the clients of a run that already looked its token up (apply).
    """
    from threadsync.diff import make_plan
    from threadsync.plan import Notice

    if make_api is None:
        make_api = api_factory(
            target, request.api, required=request.refresh, state_user=state.user_id
        )
    api = make_api() if make_api else None
    remote = None
    extra: list[Notice] = []
    prune = request.prune or target.config.prune
    try:
        if api is not None:  # only now: requests and the client stay off the offline path
            from threadsync.refresh import quota_notices, refresh, root_keys, token_notices

            state.check_account(api.get_account().id)
            if request.refresh:
                remote = refresh(api, state)
        keys = root_keys(content.posts) if api is not None and remote else None

        def diff(refused: dict[str, str] | None = None) -> Plan:
            return make_plan(
                content.posts,
                state,
                now,
                prune=prune,
                retry_failed=request.retry_failed,
                targets=list(request.targets),
                remote=remote,
                root_keys=keys,
                refused=refused,
                in_order=content.ordered_at == now,
            )

        made = diff()
        refused = _media_refusals(target, made, content)
        if refused:  # planned again: what depends on a refused post waits for it
            made = diff(refused)
        if api is not None:
            extra += quota_notices(api, made, content.posts, state)
            extra += token_notices(api, now)
    finally:
        if api is not None:
            api.close()
    from threadsync.oldtext import text_rename_hints

    hints = text_rename_hints(target.root, made.changes, state, content.posts)
    warnings = [Notice(None, str(w)) for w in content.warnings]
    if hints or extra or warnings:
        made = replace(made, notices=made.notices + tuple(hints + warnings + extra))
    return made


def _media_refusals(target: Target, made: Plan, content: Content) -> dict[str, str]:
    """Posts to publish whose local files are not at the commit their URLs pin, and why.

    Only where URLs pin a commit (``{sha}`` in media.base_url), and never with
    ``--emulator``, which fetches no media.
    """
    if target.emulator or not target.config.media.pinned_to_commit:
        return {}
    ids = {c.id for c in made.to_publish()}
    posts = [
        post
        for post in content.posts
        if post.id in ids and any(item.local_path for part in post.parts for item in part.media)
    ]
    if not posts:
        return {}
    # The commit the URLs were built with, not HEAD again: git is not asked twice,
    # and a commit made in between can't make the check look at another one.
    context = content.media_url_context or media_url_context(target)
    sha = context.sha
    if sha is None:  # the content's URLs could not be built: loading said so
        return {}
    from threadsync.media.commitcheck import refusals

    return refusals(target.root, sha, posts)


def _real_api(settings: ApiSettings) -> bool:
    """Whether apply talks to Meta's graph.threads.net (not an emulator)."""
    from urllib.parse import urlsplit

    url = settings.url or os.environ.get("THREADS_API_URL")
    return not url or urlsplit(url).hostname == "graph.threads.net"


# --- apply -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplyRequest:
    plan: PlanRequest = field(default_factory=PlanRequest)  # what to plan (``out`` unused)
    planfile: Path | None = None  # apply exactly this saved plan
    workers: int | None = None
    lookup: bool = True
    lock_timeout: float = 0.0


@dataclass(frozen=True)
class ApplyResult:
    plan: Plan
    report: ApplyReport | None = None  # None: nothing was done (no changes, or cancelled)
    refusal: str | None = None
    cancelled: bool = False


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped an apply: ``result`` holds what it did before, for the command to show.

    A ``KeyboardInterrupt`` still, so whatever does not know it stops as for any
    Ctrl-C; the state is saved and the lock released on the way out.
    """

    def __init__(self, target: Target, result: ApplyResult) -> None:
        super().__init__(f"apply of {target.name or 'the account'} interrupted")
        self.target = target
        self.result = result


class ApplyUI(Protocol):
    """What apply shows and asks while it runs (the command's terminal, or a test)."""

    def show_plan(self, target: Target, plan: Plan) -> None: ...
    def confirm(self, target: Target, plan: Plan) -> bool: ...
    def progress(self, target: Target) -> AbstractContextManager[Progress]: ...


def apply(
    request: ApplyRequest,
    ui: ApplyUI,
    *,
    sleep: Callable[[float], None] | None = None,
    now: Callable[[], dt.datetime] | None = None,
) -> Run[ApplyResult]:
    """Apply the plan of each account.  ``sleep`` and ``now`` default to the real ones."""
    from threadsync.saved_plan import load_saved_plan

    clock = now or utcnow

    saved = load_saved_plan(request.planfile) if request.planfile else None
    planning = request.plan
    if saved is not None:  # the saved plan's options, so the fresh plan can match it
        planning = replace(
            planning,
            prune=saved.prune or planning.prune,
            retry_failed=saved.retry_failed or planning.retry_failed,
            refresh=saved.refresh or planning.refresh,
        )
    one = "a saved plan belongs to one account" if saved is not None else None

    def work(target: Target) -> ApplyResult:
        return _apply_one(request, planning, saved, target, ui, sleep, clock)

    return Run(_targets(planning.where, one), work)


def _apply_one(
    request: ApplyRequest,
    planning: PlanRequest,
    saved: Any,
    target: Target,
    ui: ApplyUI,
    sleep: Callable[[float], None] | None,
    now: Callable[[], dt.datetime],
) -> ApplyResult:
    from threadsync.lock import state_lock
    from threadsync.saved_plan import check_fresh
    from threadsync.state import StateStore

    max_age = dt.timedelta(minutes=target.config.limits.lock_max_age)
    with state_lock(
        target.state_path, "apply", wait=request.lock_timeout, max_age=max_age, root=target.root
    ):
        with long_lived():
            store = StateStore(target.state_path, target.root)
        store.compact()  # a log a stopped run left: into the state file, before anything new
        stop = threading.Event()  # set on Ctrl-C: the workers stop at their next wait
        pause = _stoppable(sleep, stop)
        make_api = api_factory(
            target, planning.api, required=True, state_user=store.state.user_id, sleep=pause
        )
        assert make_api is not None
        started = now()
        content = load_content(target, started)
        made = make_plan_for(planning, target, content, store.state, started, make_api)
        if saved is not None:
            made = check_fresh(saved, made)
        ui.show_plan(target, made)
        refusal = _refusal(planning, target, made)
        if refusal is not None:
            return ApplyResult(made, refusal=refusal)
        if not made.has_changes:
            # A refused post is not a change, but an apply that leaves one out says so.
            if not made.refused:
                return ApplyResult(made)
            from threadsync.apply import ApplyReport, refused_results

            return ApplyResult(made, ApplyReport(refused_results(made)))
        from threadsync.media.gate import open_gate

        posts = {p.id: p for p in content.posts}
        # Before the question: a missing boto3 or bucket credentials is one error, up front.
        gate = open_gate(
            target.config.media,
            target.root,
            [posts[c.id] for c in made.to_publish()],
            emulator=target.emulator,
            real_api=_real_api(planning.api),
        )
        if saved is None and not ui.confirm(target, made):
            return ApplyResult(made, cancelled=True)
        # Only now: bad content, a held lock or nothing to do never loads the publisher.
        from threadsync.apply import Applier, ApplyInterrupted
        from threadsync.journal import Journal
        from threadsync.publisher import ApplyOptions

        options = ApplyOptions.from_config(
            target.config.apply, workers=request.workers, lookup=request.lookup
        )
        journal = Journal(store)
        with ui.progress(target) as progress:
            if gate is not None:
                gate.progress = progress
            applier = Applier(
                made,
                posts,
                journal,
                make_api,
                options,
                sleep=pause,
                now=now,
                progress=progress,
                stop=stop,
                media=gate,
            )
            try:
                report = applier.run()
            except ApplyInterrupted as exc:
                journal.close()  # what went out, folded into the state file
                raise Interrupted(target, ApplyResult(made, exc.report)) from exc
            finally:
                if gate is not None:
                    gate.close()
        journal.close()  # the log, folded into the state file: the one record to commit
        return ApplyResult(made, report)


def _stoppable(
    sleep: Callable[[float], None] | None, stop: threading.Event
) -> Callable[[float], None]:
    """Apply's wait (``sleep``, else the real one), given up once ``stop`` is set.

    After Ctrl-C the main thread waits for the workers still preparing
    containers; a worker polling a video must not make it wait minutes.  The
    real wait is a wait on ``stop`` itself, so it ends the moment it is set.
    """

    def stopped() -> Exception:
        # Here: the publisher (and the client it names) loads only once apply publishes.
        from threadsync.publisher import Interrupted

        return Interrupted("apply was interrupted")

    def pause(seconds: float) -> None:
        if stop.is_set():
            raise stopped()
        if sleep is not None:
            sleep(seconds)
        elif stop.wait(seconds):
            raise stopped()

    return pause


# --- import ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRequest:
    where: Where = field(default_factory=Where)
    api: ApiSettings = field(default_factory=ApiSettings)
    since: dt.datetime | None = None
    dry_run: bool = False
    lock_timeout: float = 0.0


@dataclass(frozen=True)
class ImportOutcome:
    matches: ImportResult
    written: bool


def import_(request: ImportRequest) -> Run[ImportOutcome]:
    return Run(_targets(request.where), lambda t: _import_one(request, t))


def _import_one(request: ImportRequest, target: Target) -> ImportOutcome:
    from threadsync.importer import FIELDS, PAGE, match_posts, record
    from threadsync.lock import state_lock
    from threadsync.state import StateStore

    max_age = dt.timedelta(minutes=target.config.limits.lock_max_age)
    with state_lock(
        target.state_path, "import", wait=request.lock_timeout, max_age=max_age, root=target.root
    ):
        store = StateStore(target.state_path, target.root, command="import")
        make_api = api_factory(target, request.api, required=True, state_user=store.state.user_id)
        assert make_api is not None
        content = load_content(target, utcnow())
        with make_api() as api:
            account = api.get_account()
            store.state.check_account(account.id)
            threads = list(api.iter_threads(since=request.since, limit=PAGE, fields=FIELDS))
            replies = list(api.iter_user_replies(since=request.since, limit=PAGE, fields=FIELDS))
        matches = match_posts(content.posts, store.state, threads, replies)
        write = bool(matches.matched) and not request.dry_run
        if write:
            if store.state.user_id is None:
                store.state.user_id = account.id
            record(store.state, content.posts, matches)
            store.save()
    return ImportOutcome(matches, write)


# --- status ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusRequest:
    where: Where = field(default_factory=Where)
    api: ApiSettings = field(default_factory=ApiSettings)


def status(request: StatusRequest) -> Run[dict[str, Any]]:
    return Run(_targets(request.where), lambda t: _status_one(request, t))


def _status_one(request: StatusRequest, target: Target) -> dict[str, Any]:
    """Where every post stands (offline, even with broken content), and the account's facts."""
    from threadsync.state import load_state
    from threadsync.status import summarize

    now = utcnow()
    state = load_state(target.state_path, target.root)
    content = read_content(target, now)
    data = summarize(content.posts, state, now).data()
    data["state"]["path"] = target.shown_state()
    data["content_errors"] = len(content.errors)
    make_api = api_factory(target, request.api, required=False, state_user=state.user_id)
    data["account"] = None
    if make_api is not None:
        data["account"] = _account_facts(make_api(), state, now)
        data["account"]["token_source"] = str(make_api.source)
    return data


def _account_facts(api: API, state: State, now: dt.datetime) -> dict[str, Any]:
    """The token's expiry and the quota; a failure is reported, not raised."""
    from threadsync.api.errors import ThreadsError
    from threadsync.api.reading import PUBLISHING_QUOTA_FIELDS

    facts: dict[str, Any] = {}
    with api:
        try:
            account = api.get_account()
            facts["user_id"] = account.id
            facts["username"] = account.username
            state.check_account(account.id)
        except ThreadsError as exc:
            facts["error"] = str(exc)
            return facts
        try:
            expires = api.get_token_info().expires_at
            facts["token_expires_at"] = expires.isoformat() if expires else None
            facts["token_days_left"] = (
                round((expires - now).total_seconds() / 86400, 1) if expires else None
            )
        except ThreadsError as exc:
            facts["token_error"] = str(exc)
        try:
            limit = api.get_publishing_limit(fields=PUBLISHING_QUOTA_FIELDS)
            facts["quota"] = {
                "posts_remaining": limit.posts_remaining,
                "posts_total": limit.config.quota_total if limit.config else None,
                "replies_remaining": limit.replies_remaining,
                "replies_total": limit.reply_config.quota_total if limit.reply_config else None,
            }
        except ThreadsError as exc:
            facts["quota_error"] = str(exc)
    return facts


# --- stats -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatsRequest:
    where: Where = field(default_factory=Where)
    api: ApiSettings = field(default_factory=ApiSettings)
    since: dt.datetime | None = None  # naive: in threadsync.yaml's timezone
    max_age: dt.timedelta = dt.timedelta(hours=6)
    cache: Path | None = None  # default: insights.json beside the state file
    period: dt.timedelta = dt.timedelta(days=30)  # the account's period without ``since``


def stats(request: StatsRequest) -> Run[Report]:
    return Run(_targets(request.where), lambda t: _stats_one(request, t))


def _stats_one(request: StatsRequest, target: Target) -> Report:
    from threadsync.state import load_state
    from threadsync.stats.cache import cache_path_for, load_cache, save_cache
    from threadsync.stats.collect import collect
    from threadsync.stats.report import build_report

    since = request.since
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=target.config.tzinfo() or dt.timezone.utc)
    state = load_state(target.state_path, target.root)
    make_api = api_factory(target, request.api, required=True, state_user=state.user_id)
    assert make_api is not None
    now = utcnow()
    cache_path = request.cache or cache_path_for(target.state_path)
    posts = {p.id: p for p in read_content(target, now).posts}
    with make_api() as api:
        account = api.get_account()
        state.check_account(account.id)
        cache = load_cache(cache_path, account.id, target.root)
        try:
            collected = collect(
                api,
                state,
                cache,
                now,
                max_age=request.max_age,
                since=since,
                period_since=since or _period_start(now, request.period),
            )
        finally:
            save_cache(cache_path, cache, target.root)  # keep what was fetched, even on a failure
    return build_report(
        state,
        collected.cache,
        posts,
        now=now,
        since=since,
        max_age_hours=request.max_age.total_seconds() / 3600,
        fetched=collected.fetched,
        reused=collected.reused,
        errors=collected.errors,
        warnings=collected.warnings,
    )


def _period_start(now: dt.datetime, period: dt.timedelta) -> dt.datetime:
    """Midnight UTC ``period`` ago: a fixed start all day long, so the cached period is reused."""
    start = (now - period).astimezone(dt.timezone.utc)
    return start.replace(hour=0, minute=0, second=0, microsecond=0)


# --- force-unlock ------------------------------------------------------------------------


@dataclass(frozen=True)
class UnlockRequest:
    where: Where = field(default_factory=Where)
    max_age: dt.timedelta | None = None  # default: limits.lock_max_age


def force_unlock(request: UnlockRequest) -> Run[tuple[Holder | None, dt.datetime]]:
    from threadsync.lock import force_unlock as unlock

    def work(target: Target) -> tuple[Holder | None, dt.datetime]:
        max_age = request.max_age
        if max_age is None:
            max_age = dt.timedelta(minutes=target.config.limits.lock_max_age)
        now = utcnow()
        return unlock(target.state_path, max_age=max_age, now=now, root=target.root), now

    return Run(_targets(request.where), work)


def _targets(where: Where, one: str | None = None) -> list[Target]:
    from threadsync.project import targets

    return targets(where, one=one)


def combined_code(codes: Sequence[int]) -> int:
    """One exit code for several accounts: 1 if any failed, else 2 if any has changes."""
    if 1 in codes:
        return 1
    return 2 if 2 in codes else 0
