"""Where the project is: threadsync.yaml, the content dir, the accounts, their state and tokens.

The command line says where to look (a :class:`Where`); this module turns
that into one :class:`Target` per account to work on.  It reads
``threadsync.yaml`` once, and loads content and clients for a target.  No
argparse here: the commands build a ``Where`` from their arguments.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from threadsync.errors import ThreadsyncError

if TYPE_CHECKING:  # pydantic, jinja2 and requests stay off the CLI's start-up path
    from threadsync.api import API, RetryEvent
    from threadsync.config import Config
    from threadsync.content import Content
    from threadsync.content.media import MediaUrlContext
    from threadsync.tokens import Lookup, Token, TokenSource

DEFAULT_TOKEN_ENV = "THREADS_ACCESS_TOKEN"  # noqa: S105 - the name of a variable, not a token
EMULATOR_DIR = Path(".threadsync/emulator")


@dataclass(frozen=True)
class Where:
    """What the command line says about where things are (every field optional)."""

    config: Path | None = None  # --config: threadsync.yaml, whose folder is the root
    content_dir: str | None = None  # --content-dir, relative to the working directory
    state: Path | None = None  # --state
    account: str | None = None  # --account: only this one of accounts:
    token_env: str | None = None  # --token-env: the variable holding the token
    credentials: Path | None = None  # the credentials file 'auth login' wrote
    emulator: bool = False  # --emulator: state and data under .threadsync/emulator/


@dataclass(frozen=True)
class Target:
    """One account's project: its settings, content dir, state file and token variable."""

    root: Path
    config: Config
    state_path: Path
    token_env: str
    account: str | None = None
    # With --emulator nothing fetches media, so a repository without a remote still works.
    emulator: bool = False
    # The tokens and secrets this run holds: templates may not read a variable holding one.
    held_tokens: tuple[str, ...] = field(default=(), repr=False)
    # The credentials file 'auth login' wrote (None: $THREADSYNC_CREDENTIALS or the default).
    credentials: Path | None = None

    @property
    def name(self) -> str:
        """The account's name, or '' for the only account."""
        return self.account or ""

    def shown_state(self) -> str:
        """The state file as the user sees it: relative to the project root when inside."""
        path = self.state_path
        return (
            path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)
        )


def load_settings(where: Where) -> tuple[Path, Config]:
    """The project root and its threadsync.yaml, with ``--content-dir`` applied.

    Raises :class:`~threadsync.config.ConfigError` (a ``ThreadsyncError``)
    listing every problem of the file.
    """
    from threadsync.config import load_config

    root = where.config.parent if where.config is not None else Path.cwd()
    config = load_config(where.config, root)
    if where.content_dir:
        absolute = (Path.cwd() / where.content_dir).resolve()
        try:
            relative = os.path.relpath(absolute, root.resolve())
        except ValueError:
            relative = str(absolute)
        config = config.model_copy(update={"content": relative})
    return root, config


def targets(where: Where, *, one: str | None = None) -> list[Target]:
    """One target per account: the one ``--account`` names, else every one, else the default.

    An account without its own settings gets ``content/<name>``,
    ``.threadsync/<name>/state.json`` and the variable ``THREADS_ACCESS_TOKEN_<NAME>``.
    ``one`` says why this run may touch a single account only.
    """
    from threadsync.config import ConfigError

    try:
        root, config = load_settings(where)
    except ConfigError as exc:
        lines = "\n".join(str(p) for p in exc.problems)
        raise ThreadsyncError(f"threadsync.yaml is invalid:\n{lines}") from exc
    held = held_tokens(where, config)
    accounts = config.accounts
    if not accounts:
        if where.account:
            raise ThreadsyncError(
                f"--account {where.account}: threadsync.yaml declares no accounts (see 'accounts:')"
            )
        state = where.state or _default_state(root, config.state, None, where.emulator)
        token_env = where.token_env or DEFAULT_TOKEN_ENV
        return [
            Target(root, config, state, token_env, None, where.emulator, held, where.credentials)
        ]
    if where.account and where.account not in accounts:
        known = ", ".join(sorted(accounts))
        raise ThreadsyncError(
            f"--account {where.account!r} is not in threadsync.yaml (known: {known})"
        )
    names = [where.account] if where.account else sorted(accounts)
    if len(names) > 1 and one:
        raise ThreadsyncError(f"{one}; add --account NAME")
    if where.state and len(names) > 1:
        raise ThreadsyncError(
            f"--state names one state file, but this runs {len(names)} accounts: add --account NAME"
        )
    out = []
    for name in names:
        spec = accounts[name]
        account_config = config.model_copy(update={"content": spec.content_for(name)})
        state = where.state or _default_state(root, spec.state_for(name), name, where.emulator)
        token_env = where.token_env or spec.token_env_for(name)
        out.append(
            Target(
                root,
                account_config,
                state,
                token_env,
                name,
                where.emulator,
                held,
                where.credentials,
            )
        )
    return out


def _default_state(root: Path, configured: str, account: str | None, emulator: bool) -> Path:
    """The state file; with ``--emulator``, one of its own, so a demo never mixes with it."""
    if not emulator:
        return root / configured
    directory = root / EMULATOR_DIR
    return directory / account / "state.json" if account else directory / "state.json"


def held_tokens(where: Where, config: Config) -> tuple[str, ...]:
    """The values of every token and secret threadsync may use in this run.

    THREADS_ACCESS_TOKEN, every account's token variable, --token-env's, the
    app secrets, and the token in the credentials file that 'auth login' wrote.
    """
    from threadsync.secrets import SECRET_ENV_VARS

    names = set(SECRET_ENV_VARS)
    names.update(spec.token_env_for(name) for name, spec in config.accounts.items())
    if where.token_env:
        names.add(where.token_env)
    values = [os.environ.get(name, "") for name in sorted(names)]
    values.append(stored_token(where.credentials) or "")
    return tuple(v for v in values if v.strip())


def stored_token(path: Path | None = None) -> str | None:
    """The token in the credentials file 'auth login' wrote (default: its usual place).

    A secret to redact like any other: every command may take its token from there.
    """
    from threadsync.credentials_store import default_path

    try:
        stored = json.loads((path or default_path()).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    token = stored.get("access_token") if isinstance(stored, dict) else None
    return token if isinstance(token, str) else None


@contextlib.contextmanager
def long_lived() -> Iterator[None]:
    """Build objects that live until the command ends, with the cyclic GC out of the way.

    Loading 10,000 posts or state entries makes a few objects each and no
    cycles; the GC would walk them again on every collection (a third of a
    big plan's time).  It is paused while they are built, and they are then
    frozen out of later collections.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def media_url_context(target: Target) -> MediaUrlContext:
    """``{repo}`` and ``{sha}`` of ``media.base_url``, from GitHub Actions or git."""
    from threadsync.config import detect_media_url_context
    from threadsync.content.media import MediaUrlContext

    found = detect_media_url_context(target.root)
    if target.emulator:
        return MediaUrlContext(repo=found.repo or "local/repo", sha=found.sha or "HEAD")
    return found


def read_content(target: Target, now: dt.datetime | None = None) -> Content:
    """Load and check the target's content; problems are in the result, nothing is raised."""
    from threadsync.content import load_project

    with long_lived():
        return load_project(
            target.root,
            target.config,
            now=now,
            media_url_context=lambda: media_url_context(target),
            held_tokens=target.held_tokens,
        )


def load_content(target: Target, now: dt.datetime | None = None) -> Content:
    """Load and check the content; refuse to go on with invalid content."""
    content = read_content(target, now)
    if content.errors:
        shown = "\n".join(str(p) for p in content.errors[:20])
        more = len(content.errors) - 20
        tail = f"\n... and {more} more" if more > 0 else ""
        raise ThreadsyncError(
            f"the content has {len(content.errors)} error(s); fix them first "
            f"(threadsync validate lists them all):\n{shown}{tail}"
        )
    return content


@dataclass(frozen=True)
class ApiSettings:
    """How to reach the Threads API: each field overrides its environment variable.

    ``on_retry`` and ``on_notice`` are how the command shows what happens on the
    way (a retry, a refreshed token); this layer never prints.
    """

    url: str | None = None  # --api-url (THREADS_API_URL)
    user_id: str | None = None  # --user-id (THREADS_USER_ID)
    token: str | None = field(default=None, repr=False)  # a local emulator's own token
    on_retry: Callable[[RetryEvent], None] | None = field(default=None, compare=False, repr=False)
    on_notice: Callable[[str], None] | None = field(default=None, compare=False, repr=False)

    def with_emulator(self, url: str, token: str, user_id: str) -> ApiSettings:
        return replace(self, url=url, token=token, user_id=user_id)


def token_of(
    target: Target,
    settings: ApiSettings,
    environ: Mapping[str, str],
    *,
    state_user: str | None = None,
) -> Lookup:
    """The target's token and where it came from: an emulator's, its variable's, or the file's.

    ``state_user`` is the Threads user the target's state records: the
    credentials file, one user's token, is used only where it fits (see
    :mod:`threadsync.tokens`).
    """
    from threadsync.tokens import Lookup, Token, TokenSource, find_token

    if settings.token:
        return Lookup(Token(settings.token, TokenSource("emulator", settings.url or "")))
    single = len(target.config.accounts) <= 1
    return find_token(
        target.token_env,
        environ,
        path=target.credentials,
        state_user=state_user,
        single=single,
    )


@dataclass(frozen=True)
class ClientMaker:
    """Makes configured clients (one per thread that needs one), and knows whose token they use."""

    token: Token = field(repr=False)
    user_id: str | None
    base_url: str | None
    on_retry: Callable[[RetryEvent], None] | None = field(default=None, repr=False)
    sleep: Callable[[float], None] | None = field(default=None, repr=False)

    @property
    def source(self) -> TokenSource:
        return self.token.source

    def __call__(self) -> API:
        from threadsync.api import API, Credentials
        from threadsync.secrets import known_secrets

        # The client redacts its messages of every secret we know, not only its token:
        # what it raises reaches status lines, reports and the state file as it is.
        return API(
            Credentials.from_token(self.token.value, self.user_id),
            base_url=self.base_url,
            user_id=self.user_id,
            secrets=known_secrets(),
            on_retry=self.on_retry,
            sleep=self.sleep or time.sleep,  # looked up now, so a test can stand in for it
        )


def api_factory(
    target: Target,
    settings: ApiSettings,
    *,
    required: bool = True,
    environ: Mapping[str, str] | None = None,
    state_user: str | None = None,
    sleep: Callable[[float], None] | None = None,
) -> ClientMaker | None:
    """A maker of configured clients, or None when there is no token and none is required.

    The token is looked up once, here (see :func:`token_of`); a due one from the
    credentials file is refreshed first.  ``sleep`` is the clients' wait between
    retries and polls (default: the real one).  The client (and requests) is
    imported only when a client is made: an offline plan or validate never
    pays for it.
    """
    env = os.environ if environ is None else environ
    found = token_of(target, settings, env, state_user=state_user)
    base_url = settings.url or env.get("THREADS_API_URL") or None
    if found.token is None:
        if required:
            why = f" ({found.passed_over})" if found.passed_over else ""
            raise ThreadsyncError(
                f"no access token: set {target.token_env}, or log in with 'threadsync auth "
                f"login'{why}; or try the local emulator: 'threadsync emulator' prints the "
                "variables to export"
            )
        return None
    from threadsync.tokens import ready

    token = ready(
        found.token,
        refresh_days=target.config.auth.refresh_days,
        base_url=base_url,
        environ=env,
        say=settings.on_notice,
    )
    user_id = settings.user_id
    if user_id is None and not settings.token:
        user_id = env.get("THREADS_USER_ID") or None
    return ClientMaker(token, user_id, base_url, settings.on_retry, sleep)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
