"""The fault plan: rules that make chosen requests fail, hang or lose their answer.

A rule matches a request by ``method`` (or ``*``) and a ``path`` regex
(``re.search`` on the request path, without the query string).  Each rule
counts the requests it matches; it fires on the ``nth`` one (1-based), or on
every one from the ``nth`` on with ``every``, or with ``probability`` from a
``random.Random(seed)`` for soak tests; ``times`` caps how often it fires.
When several rules fire, the first one added wins.  Actions:

- ``http_error``: answer ``status`` (default 500) with ``body`` (text, or JSON).
- ``graph_error``: answer a Graph envelope: ``code``, ``subcode``, ``message``,
  ``transient``, ``status`` (default 400, e.g. 429), ``retry_after`` seconds.
- ``delay``: wait ``delay`` seconds, then serve normally.
- ``drop_before`` / ``drop_after``: close the connection without an answer,
  before doing the work / after doing it (the post exists, the client never knows).
- ``stall_before`` / ``stall_after``: block the handler, before or after the
  work, until released or ``timeout`` seconds (default 30), then carry on.
  Each stall is recorded so a crash harness can wait for it and SIGKILL the client.

``http_error`` and ``graph_error`` take ``phase``: ``before`` (default: no work
is done) or ``after`` (the work is done, then the error is answered).  Any rule
may carry ``delay`` too, applied first.
"""

from __future__ import annotations

import random
import re
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from .wire import GraphError

ACTIONS = (
    "http_error",
    "graph_error",
    "delay",
    "drop_before",
    "drop_after",
    "stall_before",
    "stall_after",
)
DEFAULT_MESSAGES = {
    1: "An unknown error occurred",
    2: "An unexpected error has occurred. Please retry your request later.",
    4: "Application request limit reached",
    10: "Application does not have permission for this action",
    17: "User request limit reached",
    24: "The requested resource does not exist",
    32: "Page request limit reached",
    190: "Invalid OAuth access token - Cannot parse access token",
    613: "Calls to this api have exceeded the rate limit.",
}
_TRANSIENT = {1, 2, 4, 17, 32, 613}


@dataclass
class FaultRule:
    action: str
    method: str = "*"
    path: str = ".*"
    nth: int = 1
    every: bool = False
    probability: float | None = None
    seed: int | None = None
    times: int | None = None
    delay: float = 0.0
    status: int | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    code: int | None = None
    subcode: int | None = None
    message: str | None = None
    type: str = "OAuthException"
    transient: bool | None = None
    retry_after: float | None = None
    phase: str = "before"
    timeout: float = 30.0
    id: int = 0
    matched: int = 0
    fired: int = 0

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"fault action must be one of {', '.join(ACTIONS)}")
        if self.phase not in ("before", "after"):
            raise ValueError("fault phase must be before or after")
        if self.nth < 1:
            raise ValueError("fault nth is 1-based")
        if self.probability is not None and not 0.0 <= self.probability <= 1.0:
            raise ValueError("fault probability must be between 0 and 1")
        if self.action == "graph_error" and self.code is None:
            raise ValueError("a graph_error fault needs a code")
        try:
            re.compile(self.path)
        except re.error as exc:
            raise ValueError(f"fault path is not a regular expression: {exc}") from None
        self.method = self.method.upper()
        self._rng = random.Random(self.seed)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if not k.startswith("_")}

    def fires(self, method: str, path: str) -> bool:
        if self.method not in ("*", method.upper()) or not re.search(self.path, path):
            return False
        self.matched += 1
        if self.times is not None and self.fired >= self.times:
            return False
        if self.matched < self.nth:
            return False
        if self.probability is not None:
            hit = self._rng.random() < self.probability
        else:
            hit = self.every or self.matched == self.nth
        if hit:
            self.fired += 1
        return hit

    def error(self) -> GraphError:
        code = int(self.code or 1)
        headers = dict(self.headers)
        if self.retry_after is not None:
            headers["Retry-After"] = str(int(self.retry_after))
        return GraphError(
            self.message or DEFAULT_MESSAGES.get(code, "An unknown error occurred"),
            code=code,
            subcode=self.subcode,
            type_=self.type,
            status=self.status or 400,
            transient=self.transient if self.transient is not None else code in _TRANSIENT,
            headers=headers,
        )


@dataclass
class Stall:
    id: int
    rule: int
    method: str
    path: str
    phase: str
    started_at: float
    released: bool = False
    reported: bool = False
    event: threading.Event = field(default_factory=threading.Event, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "method": self.method,
            "path": self.path,
            "phase": self.phase,
            "started_at": self.started_at,
            "released": self.released,
        }


class FaultPlan:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.rules: list[FaultRule] = []
        self.stalls: list[Stall] = []
        self._next = 0
        self._closed = False

    def add(self, spec: dict[str, Any]) -> dict[str, Any]:
        allowed = set(FaultRule.__dataclass_fields__) - {"id", "matched", "fired"}
        unknown = set(spec) - allowed
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        with self._cond:
            self._next += 1
            rule = FaultRule(**spec, id=self._next)
            self.rules.append(rule)
            return rule.to_dict()

    def clear(self) -> None:
        with self._cond:
            self.rules.clear()
        self.release_stalls()

    def describe(self) -> list[dict[str, Any]]:
        with self._cond:
            return [r.to_dict() for r in self.rules]

    def pick(self, method: str, path: str) -> FaultRule | None:
        """Count the request against every rule; return the first that fires."""
        chosen = None
        with self._cond:
            for rule in self.rules:
                if rule.fires(method, path) and chosen is None:
                    chosen = rule
        return chosen

    def stall(self, rule: FaultRule, method: str, path: str, phase: str) -> None:
        with self._cond:
            if self._closed:
                return
            self._next += 1
            record = Stall(self._next, rule.id, method, path, phase, time.time())
            self.stalls.append(record)
            self._cond.notify_all()
        record.event.wait(rule.timeout)
        with self._cond:
            record.released = True
            self._cond.notify_all()

    def wait_for_stall(self, timeout: float) -> dict[str, Any] | None:
        """The oldest stalled request not reported before, waiting up to ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for record in self.stalls:
                    if not record.released and not record.reported:
                        record.reported = True
                        return record.to_dict()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)

    def release_stalls(self) -> int:
        with self._cond:
            waiting = [s for s in self.stalls if not s.released]
            for record in waiting:
                record.event.set()
            return len(waiting)

    def stall_list(self) -> list[dict[str, Any]]:
        with self._cond:
            return [s.to_dict() for s in self.stalls]

    def open(self) -> None:
        with self._cond:
            self._closed = False

    def close(self) -> None:
        with self._cond:
            self._closed = True
        self.release_stalls()
