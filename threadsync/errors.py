"""The one expected-error type of the product.

A ``ThreadsyncError`` is a failure the user can act on: the CLI turns it
into a single ``error: ...`` line and exit code 1, where anything else is a
bug and gets a log file.  Messages should name the fix, not just the fault.
The API client's errors are its own; ``cli.describe`` words them.
"""

from __future__ import annotations


class ThreadsyncError(Exception):
    """An expected failure with a message fit for the user."""
