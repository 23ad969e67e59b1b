"""Run a plan against the Threads API, journalling every step into state.

Publishing is strictly in plan order.  To keep that order from costing the
sum of every container's processing time, the root containers of upcoming
posts are created (and a carousel's items waited for) by a small worker pool
while the main thread publishes; a thread's later parts need the media id of
the part before, so they are made in order.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Literal, get_args

from threadsync.api import API
from threadsync.api.errors import (
    NotFound,
    PermissionDenied,
    ThreadsAccessTokenExpired,
    ThreadsAPIError,
    ThreadsError,
)
from threadsync.api.models import ThreadsMedia
from threadsync.api.reading import PUBLISHING_QUOTA_FIELDS
from threadsync.content.models import Post, Reference
from threadsync.errors import ThreadsyncError
from threadsync.importer import FIELDS as LOOKUP_FIELDS
from threadsync.importer import PAGE, entry_for, match_unknown
from threadsync.journal import Journal
from threadsync.plan import Action, Change, Plan, quota_needs
from threadsync.publisher import (
    ApplyOptions,
    Interrupted,
    PartPublisher,
    PostFailed,
    Progress,
    Published,
    QuotaExhausted,
    Ready,
)
from threadsync.state import PostState


class ApplyAborted(ThreadsyncError):
    """Apply stopped; the state records everything that happened before."""


class ApplyInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped the apply: ``report`` says what it did before, all of it journalled."""

    def __init__(self, report: ApplyReport) -> None:
        super().__init__("apply interrupted")
        self.report = report


# What became of one change in an apply (the report's "status").
Outcome = Literal[
    "published",
    "adopted",
    "moved",
    "forgotten",
    "deleted",
    "failed",
    "interrupted",
    "skipped",
    "deferred",
]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)


@dataclass
class PostResult:
    id: str
    action: Action
    status: Outcome
    permalinks: list[str] = field(default_factory=list)
    media_ids: list[str] = field(default_factory=list)
    detail: str = ""

    @property
    def data(self) -> dict[str, object]:
        out: dict[str, object] = {
            "id": self.id,
            "action": self.action.value,
            "status": self.status,
        }
        if self.media_ids:
            out["media_ids"] = self.media_ids
        if self.permalinks:
            out["permalinks"] = self.permalinks
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass
class ApplyReport:
    results: list[PostResult] = field(default_factory=list)
    aborted: str | None = None
    interrupted: bool = False  # Ctrl-C: the next apply resumes

    def count(self, status: Outcome) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def ok(self) -> bool:
        bad = {"failed", "interrupted"}
        stopped = self.aborted is not None or self.interrupted
        return not stopped and not any(r.status in bad for r in self.results)

    @property
    def data(self) -> dict[str, object]:
        """The JSON report.  ``summary`` has every status, 0 included, as the plan's has
        every action: a script reads ``summary["published"]`` whatever the run did."""
        return {
            "format_version": 1,
            "ok": self.ok,
            "aborted": self.aborted,
            "interrupted": self.interrupted,
            "summary": {s: self.count(s) for s in OUTCOMES},
            "posts": [r.data for r in self.results],
        }


def _unknown(entry: PostState | None) -> bool:
    """The state knows nothing of this post: no entry, or one no container was made for."""
    if entry is None:
        return True
    return entry.status == "pending" and not any(p.media_id or p.attempts for p in entry.parts)


class Applier:
    def __init__(
        self,
        plan: Plan,
        posts: dict[str, Post],
        journal: Journal,
        api_factory: Callable[[], API],
        options: ApplyOptions,
        *,
        sleep: Callable[[float], None],
        now: Callable[[], dt.datetime],
        progress: Progress,
        stop: threading.Event | None = None,
    ) -> None:
        """``stop`` is set on Ctrl-C, for the workers' ``sleep`` to give up at once."""
        self.plan = plan
        self.posts = posts
        self.journal = journal
        self.api_factory = api_factory
        self.options = options
        self.sleep = sleep
        self.now = now
        self.progress = progress
        self.report = ApplyReport()
        self.stop = stop or threading.Event()
        self._local = threading.local()
        self.api = api_factory()
        self.failed: set[str] = set()
        # Permalink -> media id (None: not on the account).  Finding one pages
        # through every post of the account; prefetch asks again on every step.
        self._permalinks: dict[str, str | None] = {}

    def _api(self) -> API:
        """One client per thread: a requests session is not shared across threads."""
        api = getattr(self._local, "api", None)
        if api is None:
            api = self.api if threading.current_thread() is threading.main_thread() else None
            api = api or self.api_factory()
            self._local.api = api
        return api

    def _publisher(self) -> PartPublisher:
        return PartPublisher(
            self._api(),
            self.journal,
            self.options,
            sleep=self.sleep,
            now=self.now,
            progress=self.progress,
        )

    # --- the run ---

    def run(self) -> ApplyReport:
        """Apply the plan; an error that stops it is the report's ``aborted``.

        Ctrl-C raises :class:`ApplyInterrupted` with the report so far, once the
        workers have stopped and every change is saved.
        """
        try:
            self._run()
        except KeyboardInterrupt as exc:
            self.stop.set()
            self.report.interrupted = True
            self.journal.flush()
            raise ApplyInterrupted(self.report) from exc
        except ThreadsAccessTokenExpired as exc:
            self.report.aborted = (
                f"the access token is expired or invalid ({exc}); run "
                "'threadsync auth refresh' (or set a new THREADS_ACCESS_TOKEN) and apply again"
            )
        except PermissionDenied as exc:
            self.report.aborted = (
                f"Threads refused permission ({exc}); the token needs the "
                "threads_basic and threads_content_publish scopes (and threads_delete to delete)"
            )
        except ApplyAborted as exc:
            self.report.aborted = str(exc)
        except ThreadsError as exc:
            self.report.aborted = f"{exc}; everything done before is recorded, run apply again"
        self.journal.flush()
        return self.report

    def _run(self) -> None:
        account = self.api.get_account()
        self.journal.claim_account(account.id)
        for change in self.plan.changes:
            if change.action.state_only:
                self._state_only(change)
        publishing = [c for c in self.plan.changes if c.action.publishes]
        if publishing and self.options.lookup:
            publishing = self._adopt_existing(publishing)
        # The quota first: a replace that must wait keeps its old post on Threads
        # until the run that can publish the new one.
        fit, deferred = self._fit_quota(publishing) if publishing else ([], [])
        replacing = {c.id for c in fit if c.action is Action.REPLACE}
        for change in self.plan.changes:
            if change.action is Action.DELETE or change.id in replacing:
                self._delete(change)
        if not publishing:
            return
        deferred = self._publish_all(fit) + deferred
        for change in deferred:
            self.report.results.append(
                PostResult(
                    change.id,
                    change.action,
                    "deferred",
                    detail="the 24 h publishing quota is used up; it goes out next run",
                )
            )

    def _state_only(self, change: Change) -> None:
        if change.action is Action.MOVE and change.previous_id:
            post = self.posts.get(change.id)
            self.journal.move(change.previous_id, change.id, post.path if post else None)
            self.report.results.append(
                PostResult(change.id, Action.MOVE, "moved", detail=f"from {change.previous_id}")
            )
        elif change.action is Action.FORGET:
            self.journal.forget(change.id)
            self.report.results.append(PostResult(change.id, Action.FORGET, "forgotten"))
        elif change.action is Action.ADOPT:
            post = self.posts[change.id]
            media_id = change.media_ids[0]
            permalink = None
            with contextlib.suppress(ThreadsAPIError):
                permalink = self._api().get_media(media_id, fields="id,permalink").permalink
            self.journal.adopt(
                change.id,
                post.content_hash,
                post.path,
                media_id,
                permalink,
                None,
                parts=len(post.parts),
            )
            self.report.results.append(
                PostResult(
                    change.id,
                    Action.ADOPT,
                    "adopted",
                    [permalink] if permalink else [],
                    [media_id],
                )
            )

    def _adopt_existing(self, changes: list[Change]) -> list[Change]:
        """Adopt the new posts that are already on the account; the rest still publish.

        A state commit can fail to reach the branch, and the next run then
        starts from an old or empty state.  So before creating a post the state
        does not know, the account's recent posts are read (a few listing
        requests), and an exact match that no state entry claims is recorded
        instead of published again.
        """
        unknown = [
            self.posts[c.id]
            for c in changes
            if c.action is Action.CREATE and _unknown(self.journal.entry(c.id))
        ]
        if not unknown:
            return changes
        since = self._lookup_since(unknown)
        api = self._api()
        threads = list(api.iter_threads(since=since, fields=LOOKUP_FIELDS, limit=PAGE))
        replies: list[ThreadsMedia] = []
        if any(p.reply_to is not None or len(p.parts) > 1 for p in unknown):
            replies = list(api.iter_user_replies(since=since, fields=LOOKUP_FIELDS, limit=PAGE))
        found = match_unknown(unknown, self.journal.known_media_ids(), threads, replies, exact=True)
        done: set[str] = set()
        for match in found.matched:
            post = self.posts[match.post_id]
            self.journal.found(post.id, entry_for(post, match, "adopt"))
            ids = [m.id for m in match.media if m is not None]
            links = [m.permalink for m in match.media if m is not None and m.permalink]
            detail = (
                "already on the account, but the state did not know it (was a state commit "
                "lost?); adopted instead of published again"
            )
            self.progress(post.id, f"adopted {ids[0]}: already on the account")
            if match.complete:
                done.add(post.id)
                self.report.results.append(
                    PostResult(post.id, Action.CREATE, "adopted", links, ids, detail)
                )
            else:
                self.progress(
                    post.id, f"{len(ids)} of its {len(post.parts)} parts are on the account"
                )
        return [c for c in changes if c.id not in done]

    def _lookup_since(self, posts: Sequence[Post]) -> dt.datetime:
        """Where the look-up window opens: ``lookup_days`` back, or the oldest post's time.

        A post can't have gone out before its ``publish_at``; a post without
        one may have gone out any time, so the window is the full one.
        """
        window = self.now() - dt.timedelta(days=self.options.lookup_days)
        times = [p.publish_at for p in posts]
        if any(t is None for t in times):
            return window
        oldest = min(t for t in times if t is not None)
        return max(window, oldest - dt.timedelta(minutes=10))

    def _delete(self, change: Change) -> None:
        api = self._api()
        for media_id in reversed(change.media_ids):
            self.progress(change.id, f"deleting {media_id}")
            try:
                api.delete(media_id)
            except NotFound:
                pass  # already gone
            except ThreadsAPIError as exc:
                if isinstance(exc, ThreadsAccessTokenExpired | PermissionDenied):
                    raise  # run() names the fix (auth refresh, the threads_delete scope)
                raise ApplyAborted(f"deleting {change.id} ({media_id}) failed: {exc}") from exc
            self.journal.deleted(change.id, media_id)
        if change.action is Action.DELETE:
            self.report.results.append(
                PostResult(change.id, Action.DELETE, "deleted", media_ids=list(change.media_ids))
            )

    def _fit_quota(self, changes: Sequence[Change]) -> tuple[list[Change], list[Change]]:
        """Publish what fits in the 24 h quota, in order; never start a thread that can't end."""
        try:
            try:
                limit = self.api.get_publishing_limit(fields=PUBLISHING_QUOTA_FIELDS)
            except PermissionDenied:
                # The reply fields need threads_manage_replies; the post quota does not.
                limit = self.api.get_publishing_limit(fields="quota_usage,config")
        except ThreadsError as exc:
            if isinstance(exc, ThreadsAccessTokenExpired):
                raise
            self.progress("-", f"could not read the publishing quota ({exc}); going on")
            return list(changes), []
        posts_left = limit.posts_remaining
        replies_left = limit.replies_remaining
        for i, change in enumerate(changes):
            post = self.posts[change.id]
            entry = self.journal.entry(change.id)
            # A replace publishes every part anew (its old parts are deleted first).
            live = entry is not None and change.action is not Action.REPLACE
            done = sum(1 for p in entry.parts if p.media_id) if live and entry else 0
            need_posts, need_replies = quota_needs(post, done)
            if (posts_left is not None and need_posts > posts_left) or (
                replies_left is not None and need_replies > replies_left
            ):
                return list(changes[:i]), list(changes[i:])
            if posts_left is not None:
                posts_left -= need_posts
            if replies_left is not None:
                replies_left -= need_replies
        return list(changes), []

    # --- publishing, pipelined ---

    def _ready_early(self, post: Post) -> bool:
        """Can the root container be made before earlier posts are published?"""
        for ref in (post.reply_to, post.parts[0].quote):
            if ref is not None and ref.kind == "post" and self.journal.media_id(ref.value) is None:
                return False
        return True

    def _publish_all(self, changes: list[Change]) -> list[Change]:
        """Publish in order; returns the changes deferred when the quota ran out mid-way."""
        pool = ThreadPoolExecutor(
            max_workers=max(1, self.options.workers), thread_name_prefix="threadsync-prepare"
        )
        futures: dict[str, Future[Ready | None]] = {}
        try:
            for i, change in enumerate(changes):
                self._prefetch(changes, i, pool, futures)
                post = self.posts[change.id]
                blocked = [d for d in post.depends_on() if d in self.failed]
                if blocked:
                    self.failed.add(post.id)
                    self.report.results.append(
                        PostResult(
                            post.id,
                            change.action,
                            "skipped",
                            detail=f"depends on {blocked[0]}, which failed",
                        )
                    )
                    continue
                try:
                    try:
                        self._publish_post(post, change, futures.pop(post.id, None))
                    except ThreadsAPIError as exc:
                        if exc.refusal:
                            raise PostFailed(f"Threads refused it: {exc}") from exc
                        raise
                except QuotaExhausted as exc:
                    self.progress(post.id, f"deferred: {exc}")
                    return list(changes[i:])
                except PostFailed as exc:
                    self.failed.add(post.id)
                    self.journal.fail(post.id, str(exc))
                    self.progress(post.id, f"failed: {exc}")
                    self.report.results.append(
                        PostResult(post.id, change.action, "failed", detail=str(exc))
                    )
                except (Interrupted, ThreadsError) as exc:
                    if isinstance(exc, ThreadsAccessTokenExpired | PermissionDenied):
                        raise
                    self.progress(post.id, f"interrupted: {exc}")
                    self.report.results.append(
                        PostResult(post.id, change.action, "interrupted", detail=str(exc))
                    )
                    raise ApplyAborted(
                        f"stopped at {post.id}: {exc}; everything before it is recorded, "
                        "and the next apply resumes from there"
                    ) from exc
                except KeyboardInterrupt:
                    if not any(r.id == post.id for r in self.report.results):
                        self.report.results.append(self._result_of(post, change))
                    raise
        except KeyboardInterrupt:
            self.stop.set()  # the workers give up at their next wait: shutdown is quick
            raise
        finally:
            for future in futures.values():
                future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
        return []

    def _prefetch(
        self,
        changes: list[Change],
        start: int,
        pool: ThreadPoolExecutor,
        futures: dict[str, Future[Ready | None]],
    ) -> None:
        """Start the root containers of upcoming posts, so their processing overlaps.

        The workers create containers (and wait for a carousel's items, to make
        the carousel); the main thread waits for each when it gets to it.  A text
        container made early is handed over as it is and published with no
        status read, as one made in its turn would be: Meta's are usually ready
        at once, and when one is not, its "media not ready" answer says so.
        """
        window = changes[start : start + max(1, self.options.lookahead)]
        for change in window:
            post = self.posts[change.id]
            if post.id in futures or post.id in self.failed:
                continue
            entry = self.journal.entry(post.id)
            if entry is not None and entry.status == "published":
                continue
            if entry is not None and entry.content_hash != post.content_hash:
                continue  # edited since its containers were made: the main thread sorts it out
            if not self._ready_early(post):
                continue
            try:
                reply_to = self._resolve(post.reply_to)
                quote = self._resolve(post.parts[0].quote)
            except (PostFailed, ThreadsError):
                continue  # the main thread meets the same error in its turn
            self.journal.begin(post.id, post.content_hash, post.path, len(post.parts))
            futures[post.id] = pool.submit(self._start, post, reply_to, quote)

    def _start(self, post: Post, reply_to: str | None, quote: str | None) -> Ready | None:
        return self._publisher().start(post, 0, reply_to, quote)

    def _publish_post(self, post: Post, change: Change, early: Future[Ready | None] | None) -> None:
        publisher = self._publisher()
        before = self.journal.entry(post.id)
        if before is not None and before.content_hash != post.content_hash:
            # Retire the old text's containers before the new hash is recorded, so a
            # crash in between still finds them stale on the next run.
            for index in range(len(before.parts)):
                publisher.supersede(post, index)
        self.journal.begin(post.id, post.content_hash, post.path, len(post.parts))
        # Raises what went wrong while starting the container.
        started = early.result() if early is not None else None
        previous: str | None = None
        for index, part in enumerate(post.parts):
            reply_to = self._resolve(post.reply_to) if index == 0 else previous
            quote = self._resolve(part.quote)
            media_id: str | None = None
            while media_id is None:
                outcome: Ready | Published
                if index == 0 and started is not None:
                    # Made a while ago: it did not just turn FINISHED, so no settle.
                    outcome, started = replace(started, just_finished=False), None
                else:
                    outcome = publisher.prepare(post, index, reply_to, quote)
                if isinstance(outcome, Published):
                    media_id = outcome.media_id
                    if not self.journal.part(post.id, index).permalink:
                        publisher.fetch_links(post.id, index, media_id)
                else:
                    media_id = publisher.publish(post, index, outcome)
            previous = media_id
        self.journal.finish(post.id)
        result = self._result_of(post, change)
        self.report.results.append(result)
        shown = (result.permalinks or result.media_ids or [""])[0]
        self.progress(post.id, f"published {shown}")

    def _result_of(self, post: Post, change: Change) -> PostResult:
        """What the journal says of a post: published (with its links), or interrupted."""
        entry = self.journal.entry(post.id)
        if entry is None or entry.status != "published":
            detail = "stopped by Ctrl-C; the next apply resumes it"
            return PostResult(post.id, change.action, "interrupted", detail=detail)
        links = [p.permalink for p in entry.parts if p.permalink]
        return PostResult(post.id, change.action, "published", links, entry.media_ids)

    def _resolve(self, ref: Reference | None) -> str | None:
        if ref is None:
            return None
        if ref.kind == "media_id":
            return ref.value
        if ref.kind == "post":
            media_id = self.journal.media_id(ref.value)
            if media_id is None:
                raise PostFailed(f"{ref.value} is not published, so it cannot be referenced yet")
            return media_id
        return self._resolve_permalink(ref.value)

    def _resolve_permalink(self, url: str) -> str:
        want = url.rstrip("/").split("?")[0].replace("threads.com", "threads.net")
        if want not in self._permalinks:
            self._permalinks[want] = next(
                (
                    media.id
                    for media in self._api().iter_threads(fields="id,permalink", limit=PAGE)
                    if (media.permalink or "").rstrip("/").replace("threads.com", "threads.net")
                    == want
                ),
                None,
            )
        media_id = self._permalinks[want]
        if media_id is not None:
            return media_id
        raise PostFailed(
            f"cannot find {url} among the account's posts; quote or reply to it by media id"
        )
