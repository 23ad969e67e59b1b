"""``threadsync auth login|refresh|status``: the token's whole life, without ever showing it.

Why a command of its own: a Threads token is long-lived (60 days) only after two
exchanges, must be refreshed while still valid and at least 24 h old, and is
needed in CI as a repository secret.  Doing that by hand means pasting tokens
through shells and browsers; here the token goes from the API to a 0600 file or
to ``gh secret set`` on stdin, and only ``--print`` ever writes it out.

Against an emulator, ``--api-url`` (or ``THREADS_API_URL``) points the token
calls there, and the consent page follows it: ``<api-url>/oauth/authorize``
whenever the API is not graph.threads.net.  ``--authorize-url`` (or
``THREADS_AUTHORIZE_URL``) sets the consent page explicitly.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from threadsync.errors import ThreadsyncError

DEFAULT_SCOPES = (
    "threads_basic",
    "threads_content_publish",
    "threads_read_replies",
    "threads_manage_replies",
    "threads_delete",
)
GRAPH_HOST = "graph.threads.net"
DAY = dt.timedelta(days=1)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--credentials",
        metavar="FILE",
        help="the credentials file (default: $THREADSYNC_CREDENTIALS, else "
        "~/.config/threadsync/credentials.json); written with mode 0600",
    )
    p.add_argument("--api-url", metavar="URL", help="Graph API root (THREADS_API_URL)")


def _source(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--token-env",
        metavar="NAME",
        help="take the token from this environment variable instead of the credentials file "
        "(as in CI, e.g. THREADS_ACCESS_TOKEN); its age and expiry come from debug_token",
    )


def _github(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--github-secret",
        metavar="NAME",
        help="also store the token as this GitHub repository secret with 'gh secret set' "
        "(the token goes on stdin, never on a command line)",
    )
    p.add_argument("--repo", metavar="OWNER/NAME", help="the repository for --github-secret")
    p.add_argument(
        "--print",
        action="store_true",
        help="print the credentials (token included) as JSON on stdout instead of writing the "
        "file; the only way this command shows a token",
    )


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "auth",
        help="log in to Threads, refresh the token, show its expiry",
        description="Manage the access token's life: 'login' keeps a 60-day token in a file "
        "only you can read, 'refresh' renews it (and can store it as a GitHub secret), 'status' "
        "shows its user, scopes and expiry. Tokens and the app secret are never shown, except "
        "by --print.",
    )
    actions = p.add_subparsers(dest="auth_command", metavar="ACTION", required=True)

    login = actions.add_parser(
        "login",
        help="authorize the app and save a long-lived token",
        description=(
            "Print the authorization URL for your Threads app, then read the address your "
            "browser was redirected to (pasted on stdin, or later with --callback-url), check "
            "its state, trade the code for a short-lived token and that for a 60-day one. "
            "The app id, redirect URI and scopes come from the flags, else THREADS_APP_ID and "
            "THREADS_REDIRECT_URI, else threadsync.yaml's 'auth:'. The app secret is read from "
            "THREADS_APP_SECRET (or THREADS_API_SECRET), or asked for on a terminal; never "
            "from the command line."
        ),
    )
    _common(login)
    login.add_argument("--app-id", metavar="ID", help="the Threads app id (THREADS_APP_ID)")
    login.add_argument(
        "--redirect-uri", metavar="URI", help="a redirect URI of the app (THREADS_REDIRECT_URI)"
    )
    login.add_argument(
        "--scopes",
        metavar="LIST",
        help=f"comma-separated permissions to ask for (default: {','.join(DEFAULT_SCOPES)})",
    )
    login.add_argument(
        "--authorize-url",
        metavar="URL",
        help="the consent page (THREADS_AUTHORIZE_URL; default https://threads.net/oauth/"
        "authorize, or <api-url>/oauth/authorize when --api-url is not graph.threads.net)",
    )
    login.add_argument(
        "--callback-url",
        metavar="URL",
        help="finish a login started earlier: the address the browser was redirected to",
    )
    login.add_argument(
        "--no-wait",
        action="store_true",
        help="only print the URL (on stdout) and remember the login; finish it within the "
        "hour with --callback-url",
    )
    login.add_argument("--config", metavar="FILE", help="threadsync.yaml to read 'auth:' from")
    _github(login)

    refresh = actions.add_parser(
        "refresh",
        help="renew a long-lived token (at least 24 h old) for another 60 days",
        description=(
            "Refresh the long-lived token of the credentials file (or of --token-env) and save "
            "the new one. Threads refreshes a token only once it is 24 h old and while it is "
            "unexpired; a younger token is left as it is (exit 0). With --github-secret NAME "
            "the new token is stored with 'gh secret set NAME', as the weekly workflow does."
        ),
    )
    _common(refresh)
    _source(refresh)
    _github(refresh)

    status = actions.add_parser(
        "status",
        help="show the token's user, scopes and expiry",
        description=(
            "Ask debug_token about the token the other commands use: THREADS_ACCESS_TOKEN "
            "(or --token-env's variable) when it is set, else the credentials file's; show "
            "where it came from, its user, scopes, expiry and days left; without the API, show "
            "what the credentials file recorded. Exits 1 when the token is invalid, expired, or "
            "expires within --warn-days, and when it could not be checked: Threads could not be "
            "reached (a network failure or a 5xx, reported as such with the host and the cause, "
            "not as an invalid token) or refused the check."
        ),
    )
    _common(status)
    _source(status)
    status.add_argument(
        "--warn-days",
        type=float,
        default=7,
        metavar="DAYS",
        help="exit 1 when the token expires within this many days (default 7)",
    )
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    status.add_argument(
        "--offline", action="store_true", help="do not ask the API; use the credentials file"
    )


@dataclass(frozen=True)
class AuthRequest:
    """Everything 'auth' can be told (each action reads its own part)."""

    action: str
    credentials: Path | None = None
    api_url: str | None = None
    token_env: str | None = None
    github_secret: str | None = None
    repo: str | None = None
    print: bool = False
    app_id: str | None = None
    redirect_uri: str | None = None
    scopes: str | None = None
    authorize_url: str | None = None
    callback_url: str | None = None
    no_wait: bool = False
    config: str | None = None
    warn_days: float = 7.0
    json: bool = False
    offline: bool = False


def request_from(args: argparse.Namespace) -> AuthRequest:
    given = vars(args)
    names = {f.name for f in fields(AuthRequest)} - {"action", "credentials"}
    credentials = given.get("credentials")
    return AuthRequest(
        action=args.auth_command,
        credentials=Path(credentials).expanduser() if credentials else None,
        **{name: given[name] for name in names if given.get(name) is not None},
    )


def run(args: argparse.Namespace) -> int:
    request = request_from(args)
    handlers = {"login": login, "refresh": refresh, "status": status}
    return handlers[request.action](request)


def credentials_path(req: AuthRequest) -> Path:
    from threadsync.credentials_store import default_path

    given = req.credentials
    return Path(given).expanduser() if given else default_path()


def credentials_explicit(req: AuthRequest) -> bool:
    from threadsync.credentials_store import ENV_VAR

    return bool(req.credentials or os.environ.get(ENV_VAR))


def api_url(req: AuthRequest) -> str | None:
    return req.api_url or os.environ.get("THREADS_API_URL") or None


def authorize_base(req: AuthRequest) -> str:
    """The consent page: the flag, the variable, the emulator's, or Meta's."""
    from urllib.parse import urlsplit

    from threadsync.api.oauth import AUTHORIZE_URL
    from threadsync.api.transport import graph_root

    given = req.authorize_url or os.environ.get("THREADS_AUTHORIZE_URL")
    if given:
        return str(given)
    root = api_url(req)
    if root and urlsplit(root).hostname != GRAPH_HOST:
        return f"{graph_root(root)}/oauth/authorize"
    return AUTHORIZE_URL


def say(req: AuthRequest, text: str) -> None:
    """Human messages: on stdout, unless stdout carries --print's JSON."""
    print(text, file=sys.stderr if req.print else sys.stdout, flush=True)


def check_secret_target(req: AuthRequest) -> None:
    """Fail before any exchange when the token could not be stored where asked."""
    name = req.github_secret
    if name:
        from threadsync.github import check_repo, find_gh

        find_gh(name)
        if req.repo:
            check_repo(req.repo)


def _start_login(req: AuthRequest, path: Path) -> Any:
    """Build the consent URL, remember its state, and show it."""
    from threadsync.api import Configuration, Threads
    from threadsync.api.credentials import utcnow
    from threadsync.api.oauth import AUTHORIZE_URL
    from threadsync.credentials_store import PendingLogin, app_settings, save_pending

    app_id, redirect, scopes = app_settings(req.app_id, req.redirect_uri, req.scopes, req.config)
    scopes = scopes or list(DEFAULT_SCOPES)
    config = Configuration(scopes=scopes, app_id=str(app_id), api_secret="", redirect_uri=redirect)
    url, state = Threads.authorization_url(config)
    url = authorize_base(req) + url[len(AUTHORIZE_URL) :]
    pending = PendingLogin(state, str(app_id), str(redirect), scopes, utcnow())
    save_pending(path, pending)
    if req.no_wait:
        print(url, flush=True)
        print(
            "Open that address, allow access, then within the hour run:\n"
            "  threadsync auth login --callback-url 'THE ADDRESS YOUR BROWSER WAS SENT TO'",
            file=sys.stderr,
        )
    else:
        print(
            "Open this address in a browser, log in to Threads and allow access:\n\n"
            f"  {url}\n\nYour browser is then sent to {redirect}?code=... (that page may not "
            "load; that is fine).\nPaste that whole address here and press Enter:",
            file=sys.stderr,
            flush=True,
        )
    return pending


def _username(credentials: Any, req: AuthRequest) -> str | None:
    from threadsync.api import API, ThreadsError
    from threadsync.secrets import known_secrets

    try:
        with API(credentials, base_url=api_url(req), secrets=known_secrets()) as client:
            return client.get_account().username
    except ThreadsError:
        return None


def _store(
    req: AuthRequest,
    path: Path,
    credentials: Any,
    extra: dict[str, Any],
    *,
    write_file: bool = True,
) -> None:
    from threadsync.credentials_store import dump_credentials, save_credentials

    if req.print:
        sys.stdout.write(dump_credentials(credentials, extra))
    elif write_file:
        save_credentials(path, credentials, extra=extra)
        say(req, f"Saved it to {path} (mode 0600: only you can read it).")
    if req.github_secret:
        from threadsync.github import set_secret

        set_secret(req.github_secret, credentials.access_token, repo=req.repo)
        where = f" of {req.repo}" if req.repo else ""
        say(req, f"Stored it as the GitHub secret {req.github_secret}{where}.")


def login(req: AuthRequest) -> int:
    from threadsync.api import Configuration, Threads, ThreadsError
    from threadsync.api.credentials import utcnow
    from threadsync.credentials_store import app_secret, clear_pending, load_pending, validity

    path = credentials_path(req)
    check_secret_target(req)
    if req.callback_url:
        pending = load_pending(path)
        if pending is None or pending.expired():
            clear_pending(path)
            raise ThreadsyncError(
                "no login in progress (or it is over an hour old): run 'threadsync auth login' "
                "for a new authorization address"
            )
        secret, callback = app_secret(), str(req.callback_url)
    else:
        secret = "" if req.no_wait else app_secret()
        pending = _start_login(req, path)
        if req.no_wait:
            return 0
        callback = sys.stdin.readline()
        if not callback.strip():
            raise ThreadsyncError(
                "no address was pasted; within the hour you can still finish with "
                "'threadsync auth login --callback-url URL'"
            )
    config = Configuration(
        scopes=pending.scopes,
        app_id=pending.app_id,
        api_secret=secret,
        redirect_uri=pending.redirect_uri,
    )
    try:
        credentials = Threads.complete_authorization(
            callback.strip().strip("'\""), pending.state, config=config, base_url=api_url(req)
        )
    except ThreadsError as exc:
        raise ThreadsyncError(f"login failed: {exc}") from None
    clear_pending(path)
    username = _username(credentials, req)
    who = f"@{username} " if username else ""
    say(req, f"Logged in as {who}(Threads user id {credentials.user_id}).")
    say(
        req,
        f"The token is {validity(credentials, utcnow())}; 'threadsync auth refresh' renews it.",
    )
    _store(req, path, credentials, {"username": username, "app_id": pending.app_id})
    if not req.github_secret and not req.print:
        say(
            req,
            "Next, to publish from GitHub Actions: 'threadsync auth login --github-secret "
            "THREADS_ACCESS_TOKEN' logs in and stores the token as that repository secret.",
        )
    return 0


def refresh(req: AuthRequest) -> int:
    from threadsync.api import Threads, ThreadsError
    from threadsync.api.credentials import utcnow
    from threadsync.credentials_store import (
        credentials_from_env,
        format_time,
        load_credentials,
        validity,
    )

    check_secret_target(req)
    path = credentials_path(req)
    write_file = not req.token_env or credentials_explicit(req)
    if req.token_env and not (req.github_secret or req.print or write_file):
        raise ThreadsyncError(
            f"a refresh of the token in {req.token_env} makes a new token that must be kept: "
            "add --github-secret NAME, --credentials FILE or --print"
        )
    extra: dict[str, Any] = {}
    if req.token_env:
        credentials = credentials_from_env(req.token_env, api_url(req))
    else:
        credentials, extra = load_credentials(path)
    now = utcnow()
    if credentials.short_lived:
        raise ThreadsyncError(
            "a short-lived (1 hour) token can't be refreshed: run 'threadsync auth login'"
        )
    if credentials.expired(now):
        raise ThreadsyncError(
            f"the token expired on {format_time(credentials.expiration)} and can no longer be "
            "refreshed: run 'threadsync auth login'"
        )
    age = credentials.age(now)
    if age is not None and age < DAY:
        say(
            req,
            f"Not refreshed: the token is {int(age.total_seconds() // 3600)} h old, and Threads "
            f"refreshes a token only once it is 24 h old. It is {validity(credentials, now)}.",
        )
        return 0
    try:
        renewed = Threads.refresh_credentials(credentials, base_url=api_url(req))
    except ThreadsError as exc:
        raise ThreadsyncError(
            f"the refresh failed: {exc}; if the token expired or was revoked, "
            "run 'threadsync auth login'"
        ) from None
    user = f"@{extra['username']}" if extra.get("username") else f"user {renewed.user_id}"
    say(req, f"Refreshed the token of {user}: it is {validity(renewed, utcnow())}.")
    _store(req, path, renewed, extra, write_file=write_file)
    return 0


def status(req: AuthRequest) -> int:
    from threadsync.api.credentials import utcnow
    from threadsync.credentials_store import days_left, format_time, token_facts, verdict
    from threadsync.project import DEFAULT_TOKEN_ENV

    # The token the other commands would use: the variable when it is set, else the file.
    token_env = req.token_env
    if token_env is None and os.environ.get(DEFAULT_TOKEN_ENV, "").strip():
        token_env = DEFAULT_TOKEN_ENV
    facts = token_facts(
        token_env=token_env,
        path=credentials_path(req),
        base_url=api_url(req),
        offline=req.offline,
    )
    now = utcnow()
    state, message = verdict(facts, now, float(req.warn_days))
    left = days_left(facts["expires_at"], now)
    if req.json:
        data = dict(facts, status=state, message=message, days_left=left)
        for key in ("issued_at", "expires_at"):
            data[key] = data[key].isoformat() if data[key] else None
        print(json.dumps(data, indent=2))
    else:
        from threadsync.output.escape import terminal_text as shown

        name = f"@{facts['username']} " if facts["username"] else ""
        user = facts["user_id"] or "?"
        print(shown(f"Token of {name}(Threads user id {user}), from {facts['source']}"))
        print(f"  scopes:  {shown(', '.join(facts['scopes']) or '?')}")
        print(f"  issued:  {format_time(facts['issued_at'])}")
        days = f" ({left:.1f} days left)" if left is not None else ""
        print(f"  expires: {format_time(facts['expires_at'])}{days}")
        print(f"  status:  {shown(message)}")
        if facts["note"]:
            print(f"  note:    {shown(facts['note'])}")
    return 0 if state == "ok" else 1
