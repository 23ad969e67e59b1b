"""The one expected-error type of the product.

The CLI turns a ``ThreadsyncError`` into a single ``error: ...`` line and exit
code 1; anything else is a bug and gets a log file.  Messages should name the
fix, not just the fault.
"""

from __future__ import annotations


class ThreadsyncError(Exception):
    """An expected failure with a message fit for the user."""
