"""The one expected-error type of the product.

The CLI turns a ``ThreadsyncError`` (or the API client's ``ThreadsError``) into
a single ``error: ...`` line and exit code 1; anything else is a bug and gets a
log file.  Messages should name the
fix, not just the fault.
"""

from __future__ import annotations

from threadsync.api.errors import ThreadsAccessTokenExpired, ThreadsError


class ThreadsyncError(Exception):
    """An expected failure with a message fit for the user."""


def expected_message(exc: BaseException) -> str | None:
    """The user's one-line message for an expected error (ours or the API's); None for a bug."""
    if isinstance(exc, ThreadsAccessTokenExpired):
        return (
            f"{exc}; the access token is expired or invalid: run 'threadsync auth refresh' "
            "(or 'threadsync auth login'), or set a valid THREADS_ACCESS_TOKEN"
        )
    if isinstance(exc, ThreadsyncError | ThreadsError):
        return str(exc)
    return None
