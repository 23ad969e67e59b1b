"""What the commands share: finding the project, its config, content, state and API.

Everything here turns a failure into a ``ThreadsyncError`` whose message names
the fix, so each command stays a short script.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import io
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from threadsync.commands._options import add_api_options as add_api_options
from threadsync.errors import ThreadsyncError, expected_message
from threadsync.output.escape import terminal_text

if TYPE_CHECKING:  # pydantic, jinja2 and requests stay off the CLI's start-up path
    from threadsync.api import API
    from threadsync.config import Config
    from threadsync.content import Project
    from threadsync.content.media import MediaUrlContext


@dataclass(frozen=True)
class Context:
    root: Path
    config: Config
    state_path: Path
    # With --emulator nothing fetches media, so a repository without a remote still works.
    media_placeholders: bool = False
    account: str | None = None
    token_env: str | None = None
    # The tokens and secrets this run holds: templates may not read a variable holding one.
    held_tokens: tuple[str, ...] = field(default=(), repr=False)


def account_token_env(name: str) -> str:
    from threadsync.config import Account

    return Account().token_env_for(name)


def held_tokens(args: argparse.Namespace, config: Config) -> tuple[str, ...]:
    """The values of every token and secret threadsync may use in this run.

    THREADS_ACCESS_TOKEN, every account's token variable, --token-env's, the
    app secrets, and the token in the credentials file that 'auth login' wrote.
    """
    from threadsync.credentials_store import default_path
    from threadsync.secrets import SECRET_ENV_VARS

    names = set(SECRET_ENV_VARS)
    names.update(spec.token_env_for(name) for name, spec in config.accounts.items())
    given = getattr(args, "token_env", None)
    if given:
        names.add(str(given))
    values = [os.environ.get(name, "") for name in sorted(names)]
    credentials = getattr(args, "credentials", None)
    path = Path(credentials) if credentials else default_path()
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stored = None
    if isinstance(stored, dict) and isinstance(stored.get("access_token"), str):
        values.append(stored["access_token"])
    return tuple(v for v in values if v.strip())


def account_contexts(args: argparse.Namespace) -> list[Context]:
    """One context per account: the one named by --account, else every one, else the default.

    An account without its own settings gets content/<name>, .threadsync/<name>/state.json
    and the token variable THREADS_ACCESS_TOKEN_<NAME>.
    """
    base = load_context(args)
    accounts = base.config.accounts
    wanted = getattr(args, "account", None)
    given_state = getattr(args, "state", None)
    if not accounts:
        if wanted:
            raise ThreadsyncError(
                f"--account {wanted}: threadsync.yaml declares no accounts (see 'accounts:')"
            )
        return [base]
    if wanted and wanted not in accounts:
        known = ", ".join(sorted(accounts))
        raise ThreadsyncError(f"--account {wanted!r} is not in threadsync.yaml (known: {known})")
    names = [wanted] if wanted else sorted(accounts)
    if given_state and len(names) > 1:
        raise ThreadsyncError(
            f"--state names one state file, but this runs {len(names)} accounts: add --account NAME"
        )
    out = []
    for name in names:
        spec = accounts[name]
        config = base.config.model_copy(update={"content": spec.content_for(name)})
        state = given_state or base.root / spec.state_for(name)
        out.append(
            Context(
                base.root,
                config,
                Path(state),
                account=name,
                token_env=spec.token_env_for(name),
                held_tokens=base.held_tokens,
            )
        )
    return out


def load_context(args: argparse.Namespace) -> Context:
    from threadsync.config import ConfigError, load_config

    config_path = Path(args.config) if getattr(args, "config", None) else None
    root = config_path.parent if config_path is not None else Path.cwd()
    try:
        config = load_config(config_path, root)
    except ConfigError as exc:
        lines = "\n".join(str(p) for p in exc.problems)
        raise ThreadsyncError(f"threadsync.yaml is invalid:\n{lines}") from exc
    content_dir = getattr(args, "content_dir", None)
    if content_dir:
        absolute = (Path.cwd() / content_dir).resolve()
        config = config.model_copy(update={"content": os.path.relpath(absolute, root.resolve())})
    state = getattr(args, "state", None)
    state_path = Path(state) if state else root / config.state
    return Context(
        root=root, config=config, state_path=state_path, held_tokens=held_tokens(args, config)
    )


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


def load_content(ctx: Context, now: dt.datetime | None = None) -> Project:
    """Load and validate; refuse to go on with invalid content."""
    from threadsync.config import detect_media_url_context
    from threadsync.content import load_project
    from threadsync.content.media import MediaUrlContext

    def media_context() -> MediaUrlContext:
        found = detect_media_url_context(ctx.root)
        if ctx.media_placeholders:
            return MediaUrlContext(repo=found.repo or "local/repo", sha=found.sha or "HEAD")
        return found

    with long_lived():
        project = load_project(
            ctx.root,
            ctx.config,
            now=now,
            media_url_context=media_context,
            held_tokens=ctx.held_tokens,
        )
    if project.errors:
        shown = "\n".join(str(p) for p in project.errors[:20])
        more = len(project.errors) - 20
        tail = f"\n... and {more} more" if more > 0 else ""
        raise ThreadsyncError(
            f"the content has {len(project.errors)} error(s); fix them first "
            f"(threadsync validate lists them all):\n{shown}{tail}"
        )
    return project


def token_env_name(args: argparse.Namespace, ctx: Context | None = None) -> str:
    """--token-env wins; then the account's variable; then THREADS_ACCESS_TOKEN."""
    given = getattr(args, "token_env", None)
    if given and given != "THREADS_ACCESS_TOKEN":
        return str(given)
    if ctx is not None and ctx.token_env:
        return ctx.token_env
    return "THREADS_ACCESS_TOKEN"


def token_from(
    args: argparse.Namespace,
    environ: Mapping[str, str] | None = None,
    ctx: Context | None = None,
) -> str | None:
    given = getattr(args, "emulator_token", None)
    if given:
        return str(given)
    env = os.environ if environ is None else environ
    name = token_env_name(args, ctx)
    value = env.get(name, "").strip()
    return value or None


def api_factory(
    args: argparse.Namespace,
    *,
    required: bool = True,
    environ: Mapping[str, str] | None = None,
    ctx: Context | None = None,
) -> Callable[[], API] | None:
    """A maker of configured clients, or None when there is no token and none is required.

    The client (and requests) is imported only when a client is made: an
    offline plan or validate never pays for it.
    """
    env = os.environ if environ is None else environ
    token = token_from(args, env, ctx)
    if token is None:
        if required:
            name = token_env_name(args, ctx)
            raise ThreadsyncError(
                f"no access token: set {name} (see 'threadsync auth login'), or try the "
                "local emulator: 'threadsync emulator' prints the variables to export"
            )
        return None
    user_id = getattr(args, "user_id", None) or None
    if user_id is None and not getattr(args, "emulator_token", None):
        user_id = env.get("THREADS_USER_ID") or None
    base_url = getattr(args, "api_url", None) or env.get("THREADS_API_URL") or None

    def make() -> API:
        from threadsync.api import API, Credentials
        from threadsync.secrets import known_secrets

        # The client redacts its messages of every secret we know, not only its token:
        # what it raises reaches status lines, reports and the state file as it is.
        return API(
            Credentials.from_token(token, user_id),
            base_url=base_url,
            user_id=user_id,
            secrets=known_secrets(),
        )

    return make


EMULATOR_DIR = Path(".threadsync/emulator")
EMULATOR_TOKEN = "emulator-demo-token"  # noqa: S105 - a local demo's token, not a secret


@contextlib.contextmanager
def maybe_emulator(args: argparse.Namespace, ctx: Context) -> Iterator[Context]:
    """With --emulator: run against a local emulator, with its own data and state files.

    The emulator's data and the state it is published to live in
    .threadsync/emulator/, so a demo never mixes with the real account's state.
    A symlink on the way there is refused, not followed.
    """
    if not getattr(args, "emulator", False):
        yield ctx
        return
    from threadsync.emulator import Emulator
    from threadsync.safewrite import check_no_links, make_dirs

    directory = ctx.root / EMULATOR_DIR
    make_dirs(directory, root=ctx.root, what="emulator data")
    check_no_links(directory / "data.json", root=ctx.root, what="emulator data")
    with Emulator(
        token=EMULATOR_TOKEN,
        data=directory / "data.json",
        processing="image=1s,video=3s,carousel=1s",
    ) as emu:
        print(f"Using a local Threads emulator at {emu.url} (data in {directory})", file=sys.stderr)
        args.api_url = emu.url
        args.emulator_token = emu.token
        args.user_id = emu.user_id
        state = getattr(args, "state", None)
        if ctx.account:
            default_state = directory / ctx.account / "state.json"
        else:
            default_state = directory / "state.json"
        yield Context(
            ctx.root,
            ctx.config,
            Path(state) if state else default_state,
            True,
            ctx.account,
            ctx.token_env,
            ctx.held_tokens,
        )


def for_each_account(
    args: argparse.Namespace,
    run_one: Callable[[argparse.Namespace, Context], int],
    *,
    one_only: str | None = None,
) -> int:
    """Run a command per account, each against the emulator with ``--emulator``.

    One account's expected error (ours or the API's) does not stop the others.
    The exit code is 1 if any account failed, else 2 if any returned 2, else 0.
    ``one_only`` names why this run may touch a single account only.  Text
    output is headed ``== account NAME`` per account; JSON output (see
    ``wants_json``) becomes one document, ``{"accounts": {NAME: ...}}``.
    """
    contexts = account_contexts(args)
    if one_only and len(contexts) > 1:
        raise ThreadsyncError(f"{one_only}; add --account NAME")
    if len(contexts) == 1:
        with maybe_emulator(args, contexts[0]) as ctx:
            return run_one(args, ctx)
    as_json = wants_json(args)
    codes = []
    documents: dict[str, object] = {}
    for base in contexts:
        name = str(base.account)
        out = io.StringIO()
        if not as_json:
            print(f"== account {name}", flush=True)
        error = None
        try:
            with contextlib.ExitStack() as stack:
                if as_json:
                    stack.enter_context(contextlib.redirect_stdout(out))
                ctx = stack.enter_context(maybe_emulator(args, base))
                codes.append(run_one(args, ctx))
        except Exception as exc:
            message = expected_message(exc)
            if message is None:
                raise  # a bug: the CLI's error handler logs it
            error = _redacted(args, base, message)
            shown = terminal_text(error, newlines=True)
            print(f"error: account {name}: {shown}", file=sys.stderr, flush=True)
            codes.append(1)
        if as_json:
            documents[name] = _account_document(out.getvalue(), error)
    if as_json:
        print(json.dumps({"accounts": documents}, indent=2, ensure_ascii=False))
    return _combined_code(codes)


def output_format(args: argparse.Namespace) -> str:
    """``--json`` wins over ``--format``; the default is text."""
    if getattr(args, "json", False):
        return "json"
    return str(getattr(args, "format", None) or "text")


def wants_json(args: argparse.Namespace) -> bool:
    """Whether the command prints JSON on stdout (not to an ``--out`` file)."""
    return output_format(args) == "json" and not getattr(args, "out", None)


def _account_document(printed: str, error: str | None) -> object:
    """What one account printed, as JSON; with ``{"error": ...}`` when it failed.

    A failed apply has printed its report of what it did publish: that is kept.
    """
    text = printed.strip()
    try:
        output = json.loads(text) if text else None
    except ValueError:
        output = text
    if error is None:
        return output
    return {"error": error, "output": output}


def _redacted(args: argparse.Namespace, ctx: Context, message: str) -> str:
    """One account's error message, with every token it could hold redacted."""
    from threadsync.secrets import redact

    names = {getattr(args, "token_env", None), ctx.token_env}
    return redact(message, [os.environ[n] for n in names if n and os.environ.get(n)])


def _combined_code(codes: list[int]) -> int:
    if 1 in codes:
        return 1
    return 2 if 2 in codes else 0


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
