"""When to send a request again, and how often to poll a container.

Both are small frozen values so a caller can tune them and tests can inject a
``sleep`` that only records. Which requests are retried is the transport's
business: GETs and container creation, never ``threads_publish``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from threadsync.api.errors import ThreadsInvalidParameter


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, bounded in attempts and in total time.

    The n-th retry waits ``initial_delay * multiplier**(n-1)``, capped at
    ``max_delay``, minus a random share of up to ``jitter`` of it (so waits
    never exceed the cap). A server ``Retry-After`` replaces the computed wait.
    No retry starts if it would end past ``total_timeout`` seconds after the
    first send.
    """

    max_attempts: int = 4
    initial_delay: float = 0.5
    multiplier: float = 2.0
    max_delay: float = 30.0
    jitter: float = 0.25
    total_timeout: float = 90.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ThreadsInvalidParameter("max_attempts must be at least 1")
        if min(self.initial_delay, self.max_delay, self.total_timeout) < 0:
            raise ThreadsInvalidParameter("delays must not be negative")
        if not 0.0 <= self.jitter <= 1.0:
            raise ThreadsInvalidParameter("jitter must be between 0 and 1")

    def backoff(self, retry_number: int, rand: float = 0.0) -> float:
        """The wait before retry ``retry_number`` (1-based); ``rand`` is in [0, 1)."""
        base = min(self.max_delay, self.initial_delay * self.multiplier ** (retry_number - 1))
        return base * (1.0 - self.jitter * rand)

    def delay(self, retry_number: int, retry_after: float | None, rand: float = 0.0) -> float:
        return retry_after if retry_after is not None else self.backoff(retry_number, rand)


#: Send once, whatever happens.
NO_RETRY = RetryPolicy(max_attempts=1)


@dataclass(frozen=True)
class RetryEvent:
    """A request that failed and is about to be sent again, for a caller that shows it.

    A retry is otherwise silent, and a run that waits on a struggling server
    looks hung; ``API(..., on_retry=...)`` gets one of these before each wait.
    """

    method: str
    path: str  # as sent, without the server or the query: "/v1.0/me"
    reason: str  # what failed: "connection refused", "HTTP 503"
    delay: float  # seconds until it is sent again
    retry: int  # 1 for the first retry
    retries: int  # the most there can be


@dataclass(frozen=True)
class PollSchedule:
    """Waits between container status checks: short first, then longer, capped.

    Text containers are usually ready at once and video takes minutes, so the
    first checks come quickly and later ones back off to ``maximum``.
    """

    initial: float = 0.5
    multiplier: float = 1.5
    maximum: float = 10.0

    def __post_init__(self) -> None:
        if self.initial <= 0 or self.maximum < self.initial or self.multiplier < 1:
            raise ThreadsInvalidParameter("need 0 < initial <= maximum and multiplier >= 1")

    def delays(self) -> Iterator[float]:
        delay = self.initial
        while True:
            yield delay
            delay = min(self.maximum, delay * self.multiplier)
