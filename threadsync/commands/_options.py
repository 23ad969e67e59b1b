"""Argument groups shared by commands; argparse only, so building the CLI stays cheap."""

from __future__ import annotations

import argparse


def add_content_options(p: argparse.ArgumentParser, *, state: bool = False) -> None:
    """--config and --content-dir (and --state with ``state=True``)."""
    p.add_argument(
        "--config",
        metavar="FILE",
        default=None,
        help="path of threadsync.yaml (default: ./threadsync.yaml if present)",
    )
    p.add_argument(
        "--content-dir",
        metavar="DIR",
        default=None,
        help="content directory (default: 'content:' in threadsync.yaml, else ./content)",
    )
    if state:
        add_state_option(p)


def add_state_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--state", metavar="FILE", help="the state file (default from threadsync.yaml)")


def add_account_option(p: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    p.add_argument(
        "--account",
        metavar="NAME",
        help="only this account of threadsync.yaml's accounts: (default: every one)",
    )


def add_lock_option(p: argparse.ArgumentParser) -> None:
    """--lock-timeout, for every command that writes the state (the lock's message names it)."""
    p.add_argument(
        "--lock-timeout",
        type=float,
        default=0,
        metavar="SECONDS",
        help="wait this long for another run's state lock (default: fail at once)",
    )


def add_api_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("Threads API (each flag overrides its environment variable)")
    add_account_option(g)
    g.add_argument("--api-url", metavar="URL", help="Graph API root (THREADS_API_URL)")
    g.add_argument("--user-id", metavar="ID", help="Threads user id (THREADS_USER_ID)")
    g.add_argument(
        "--emulator",
        action="store_true",
        help="use a local Threads emulator instead of the real API (no account needed); "
        "its data and state live in .threadsync/emulator/",
    )
    g.add_argument(
        "--token-env",
        metavar="NAME",
        default=None,
        help="environment variable holding the access token (default THREADS_ACCESS_TOKEN); "
        "when it is unset or empty, the credentials file of 'threadsync auth login' is used. "
        "Tokens are never taken on the command line, where other users could see them",
    )


def add_plan_options(p: argparse.ArgumentParser) -> None:
    """What plan and apply share: the state, what to plan, and the API."""
    add_state_option(p)
    p.add_argument("--prune", action="store_true", help="delete published posts whose file is gone")
    p.add_argument(
        "--target",
        action="append",
        metavar="ID",
        help="only this post and what it depends on (repeatable)",
    )
    p.add_argument(
        "--force", action="store_true", help="go past limits.max_posts/deletes_per_apply"
    )
    p.add_argument(
        "--retry-failed", action="store_true", help="retry posts that failed, even unedited"
    )
    p.add_argument("--no-color", action="store_true", help="no colour (also: NO_COLOR=1)")
    p.add_argument(
        "--refresh",
        action="store_true",
        help="ask the API about every published post (drift) and adopt content posts that "
        "are already on the account with the same text and media count",
    )
    add_api_options(p)
