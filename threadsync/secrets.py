"""Keep secrets out of anything we print or write.

The API client redacts on its own (it imports nothing of threadsync); this is
the same idea for the CLI's log files and error lines.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

SECRET_ENV_VARS = ("THREADS_ACCESS_TOKEN", "THREADS_APP_SECRET", "THREADS_API_SECRET")
_REDACTED = "[REDACTED]"
# Query/form style `access_token=...` and `client_secret=...` pairs, and Bearer headers.
_PATTERNS = (
    re.compile(r"(?i)(access_token|client_secret|input_token|code)=([^&\s'\"]+)"),
    re.compile(r"(?i)(bearer)\s+([A-Za-z0-9._|\-]+)"),
)


def known_secrets(extra: Iterable[str] = ()) -> list[str]:
    names = set(SECRET_ENV_VARS)
    # Per-account token variables (THREADS_ACCESS_TOKEN_<NAME>) and any other
    # THREADS_..._TOKEN / ..._SECRET the user keeps in the environment.
    names.update(
        n for n in os.environ if n.startswith("THREADS_") and n.endswith(("TOKEN", "SECRET"))
    )
    names.update(n for n in os.environ if n.startswith("THREADS_ACCESS_TOKEN"))
    values = [os.environ.get(name, "") for name in sorted(names)]
    values.extend(extra)
    # Very short values would redact ordinary words; real tokens are long.
    return sorted({v for v in values if len(v) >= 8}, key=len, reverse=True)


def redact(text: str, extra: Iterable[str] = ()) -> str:
    for secret in known_secrets(extra):
        text = text.replace(secret, _REDACTED)
    for pattern in _PATTERNS:
        text = pattern.sub(
            lambda m: (
                f"{m.group(1)}={_REDACTED}" if "=" in m.group(0) else f"{m.group(1)} {_REDACTED}"
            ),
            text,
        )
    return text
