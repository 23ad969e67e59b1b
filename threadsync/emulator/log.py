"""The request log, with secrets redacted (access_token, Bearer, client_secret, code)."""

from __future__ import annotations

import re
import threading
from typing import Any

REDACTED = "[REDACTED]"
SECRET_PARAMS = frozenset(
    {"access_token", "client_secret", "code", "input_token", "fb_exchange_token"}
)
_QUERY_SECRET = re.compile(r"(?i)(?<=[?&])(access_token|client_secret|code|input_token)=[^&#]*")
_KEPT_HEADERS = ("content-type", "user-agent", "authorization", "x-request-id")
MAX_ENTRIES = 10000


def redact_path(path: str) -> str:
    return _QUERY_SECRET.sub(lambda m: f"{m.group(1)}={REDACTED}", path)


def redact_params(params: dict[str, str]) -> dict[str, str]:
    return {k: (REDACTED if k.lower() in SECRET_PARAMS else v) for k, v in params.items()}


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    out = {}
    for name in _KEPT_HEADERS:
        if name in headers:
            value = headers[name]
            if name == "authorization":
                scheme = value.split(" ", 1)[0]
                value = f"{scheme} {REDACTED}"
            out[name] = value
    return out


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []
        self._next = 0

    def add(
        self,
        *,
        at: float,
        method: str,
        path: str,
        params: dict[str, str],
        headers: dict[str, str],
        status: int | None,
        fault: int | None,
        outcome: str,
        duration_ms: float,
    ) -> None:
        with self._lock:
            self._next += 1
            self._entries.append(
                {
                    "id": self._next,
                    "time": at,
                    "method": method,
                    "path": redact_path(path),
                    "params": redact_params(params),
                    "headers": redact_headers(headers),
                    "status": status,
                    "fault": fault,
                    "outcome": outcome,
                    "duration_ms": round(duration_ms, 3),
                }
            )
            del self._entries[:-MAX_ENTRIES]

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(e) for e in self._entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
