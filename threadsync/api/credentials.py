"""A user's token and what we know about it (pythreads' ``Credentials``, plus issue time).

The token never shows in ``repr``/``str``; ``to_json`` is for storing it, so it
does hold the token there.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from threadsync.api.errors import ThreadsInvalidParameter

_UTC = dt.timezone.utc


def utcnow() -> dt.datetime:
    return dt.datetime.now(_UTC)


def _parse_time(value: object) -> dt.datetime | None:
    if value is None:
        return None
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=_UTC)


@dataclass
class Credentials:
    """pythreads' fields, plus ``issued_at`` for the refresh's 24 h rule.

    ``expiration`` and ``issued_at`` are aware datetimes; ``expiration=None``
    means unknown (a token pasted from the App Dashboard, say).
    """

    user_id: str
    scopes: list[str]
    short_lived: bool
    access_token: str = field(repr=False)
    expiration: dt.datetime | None
    issued_at: dt.datetime | None = None

    @classmethod
    def from_token(
        cls,
        access_token: str,
        user_id: str | None = None,
        *,
        expiration: dt.datetime | None = None,
        issued_at: dt.datetime | None = None,
        scopes: list[str] | None = None,
    ) -> Credentials:
        """Credentials for a long-lived token you already have (e.g. THREADS_ACCESS_TOKEN)."""
        return cls(
            user_id=user_id or "me",
            scopes=list(scopes or []),
            short_lived=False,
            access_token=access_token,
            expiration=expiration,
            issued_at=issued_at,
        )

    def expires_in(self, now: dt.datetime | None = None) -> int | None:
        """Seconds until the token expires, floored at 0; None when unknown."""
        if self.expiration is None:
            return None
        remaining = (self.expiration - (now or utcnow())).total_seconds()
        return max(int(remaining), 0)

    def expired(self, now: dt.datetime | None = None) -> bool:
        """True once the expiry has passed; an unknown expiry is left to Meta to judge."""
        return self.expiration is not None and (now or utcnow()) >= self.expiration

    def age(self, now: dt.datetime | None = None) -> dt.timedelta | None:
        """How long ago the token was issued, when known."""
        return None if self.issued_at is None else (now or utcnow()) - self.issued_at

    def to_json(self) -> str:
        return json.dumps(self._to_dict())

    def _to_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "scopes": list(self.scopes),
            "short_lived": self.short_lived,
            "access_token": self.access_token,
            "expiration": self.expiration.isoformat() if self.expiration else None,
            "issued_at": self.issued_at.isoformat() if self.issued_at else None,
        }

    @staticmethod
    def from_json(json_str: str) -> Credentials:
        try:
            data = json.loads(json_str)
        except ValueError as exc:
            raise ThreadsInvalidParameter(f"credentials are not JSON: {exc}") from None
        if not isinstance(data, Mapping):
            raise ThreadsInvalidParameter("credentials JSON must be an object")
        missing = [key for key in ("user_id", "access_token") if key not in data]
        if missing:
            raise ThreadsInvalidParameter(f"credentials JSON lacks {', '.join(missing)}")
        return Credentials(
            user_id=str(data["user_id"]),
            scopes=[str(s) for s in data.get("scopes") or []],
            short_lived=bool(data.get("short_lived", False)),
            access_token=str(data["access_token"]),
            expiration=_parse_time(data.get("expiration")),
            issued_at=_parse_time(data.get("issued_at")),
        )
