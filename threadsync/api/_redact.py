"""Keep tokens and app secrets out of logs, reprs and exception messages.

The client knows its secrets (the access token, the app secret, a code being
exchanged), so it replaces their values wherever text leaves it; parameters
whose *name* marks a secret are masked whatever their value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "[REDACTED]"

# Parameter names whose values are secret, whatever they hold.
SECRET_KEYS = frozenset(
    {
        "access_token",
        "client_secret",
        "api_secret",
        "app_secret",
        "input_token",
        "code",
        "refresh_token",
    }
)

# In decoded JSON ``code`` is the Graph error number, not an OAuth code.
_SECRET_JSON_KEYS = SECRET_KEYS - {"code"}

# Shorter values would mask ordinary words; real tokens and secrets are long.
_MIN_SECRET_LEN = 6

_PAIR = re.compile(
    r"(?i)\b(access_token|client_secret|api_secret|app_secret|input_token|refresh_token|code)"
    r"=([^&\s'\"]+)"
)
_BEARER = re.compile(r"(?i)\b(bearer)\s+[^\s'\",]+")


class Redactor:
    """Masks known secret values and ``name=value`` / ``Bearer x`` patterns."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        found = {s for s in secrets if s and len(s) >= _MIN_SECRET_LEN}
        self._secrets = sorted(found, key=len, reverse=True)

    def with_secrets(self, secrets: Iterable[str | None]) -> Redactor:
        return Redactor([*self._secrets, *secrets])

    def text(self, value: object) -> str:
        text = str(value)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        text = _PAIR.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
        return _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)

    def values(self, value: Any) -> Any:
        """Decoded JSON with every known secret value replaced, and nothing else changed.

        For a data response, whose free text (a container's error message, a
        post's text) is shown and stored: no pattern is applied, so a post
        saying ``code=42`` stays as it is.
        """
        if isinstance(value, str):
            for secret in self._secrets:
                if secret in value:
                    value = value.replace(secret, REDACTED)
            return value
        if isinstance(value, Mapping):
            return {k: self.values(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.values(v) for v in value]
        return value

    def params(self, params: Mapping[str, object] | None) -> dict[str, str]:
        """A copy of request parameters fit for a log line."""
        if not params:
            return {}
        return {
            key: REDACTED if key in SECRET_KEYS else self.text(value)
            for key, value in params.items()
        }

    def data(self, value: Any) -> Any:
        """A deep copy of decoded JSON with secret values masked."""
        if isinstance(value, Mapping):
            return {
                str(k): REDACTED if k in _SECRET_JSON_KEYS else self.data(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value
