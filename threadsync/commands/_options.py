"""Argument groups shared by commands; argparse only, so building the CLI stays cheap."""

from __future__ import annotations

import argparse


def add_api_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("Threads API (each flag overrides its environment variable)")
    g.add_argument(
        "--account",
        metavar="NAME",
        help="only this account of threadsync.yaml's accounts: (default: every one)",
    )
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
        default="THREADS_ACCESS_TOKEN",
        help="environment variable holding the access token (default THREADS_ACCESS_TOKEN); "
        "tokens are never taken on the command line, where other users could see them",
    )
