"""threadsync.yaml: the project's settings, validated with file:line messages.

The file is optional; every key has a default::

    content: content                 # the content dir
    state: .threadsync/state.json    # the state file
    timezone: Europe/Berlin          # for publish_at values without an offset
    vars: {product: Acme}            # template variables
    env: [RELEASE_VERSION]           # environment variables templates may read
    defaults: {reply_control: everyone, topic: Acme}
    media: {base_url: "https://raw.githubusercontent.com/{repo}/{sha}/{path}"}
    limits: {max_posts_per_apply: 25, max_deletes_per_apply: 0, text_warn_ratio: 0.9}
    prune: false
    accounts:
      brand: {content: content/brand, state: .threadsync/brand.json, token_env: BRAND_TOKEN}

This module also finds, at the edge, the values of ``{repo}`` and ``{sha}`` for
``media.base_url`` (:func:`detect_media_url_context`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from threadsync.config_checks import project_issues
from threadsync.content.media import MediaUrlContext, base_url_problem
from threadsync.content.problems import Loc, Problem, field_name
from threadsync.content.pyerrors import issues_from
from threadsync.content.rawmodels import Defaults
from threadsync.content.yamlsrc import Source, parse_yaml, yaml_error_position
from threadsync.errors import ThreadsyncError
from threadsync.secrets import is_secret_name

CONFIG_NAME = "threadsync.yaml"
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class MediaConfig(_Strict):
    """``media:``: how local media files become public URLs."""

    base_url: str | None = Field(
        default=None,
        description="URL template for local media files, with {repo}, {sha} and {path}, e.g. "
        "https://raw.githubusercontent.com/{repo}/{sha}/{path}",
    )

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str | None) -> str | None:
        if value is not None:
            problem = base_url_problem(value)
            if problem:
                raise ValueError(problem)
        return value


class Limits(_Strict):
    """``limits:``: safety brakes for apply, and the length warning threshold."""

    max_posts_per_apply: int = Field(
        default=25, ge=0, description="Posts one apply may publish (replaces count)."
    )
    max_deletes_per_apply: int = Field(
        default=0,
        ge=0,
        description="Published posts one apply may delete without prune (a replace deletes one).",
    )
    max_prune_deletes_per_apply: int = Field(
        default=10,
        ge=0,
        description="The same limit when prune is on (prune: true or --prune).",
    )
    text_warn_ratio: float = Field(default=0.9, gt=0, le=1)
    lock_max_age: float = Field(
        default=360,
        gt=0,
        description="Minutes before force-unlock may break a lock left by another host.",
    )

    def max_deletes(self, prune: bool) -> int:
        """The delete limit of a plan: pruning deletes by design, so it has a limit of its own."""
        return self.max_prune_deletes_per_apply if prune else self.max_deletes_per_apply


class ApplyConfig(_Strict):
    """``apply:``: how apply publishes (seconds, unless said otherwise)."""

    workers: int = Field(default=4, ge=1, le=32, description="Containers prepared in parallel.")
    lookahead: int = Field(
        default=25, ge=1, description="How many upcoming posts' containers may be started early."
    )
    # A settle longer than one poll buys nothing: "media not ready" is answered by a
    # poll_initial wait and a status read on the same container.
    settle_video: float = Field(
        default=0.25, ge=0, description="Wait after a video container turns FINISHED."
    )
    settle_reply: float = Field(
        default=0.0, ge=0, description="Wait after a reply's container turns FINISHED."
    )
    poll_initial: float = Field(default=0.25, gt=0, description="First container status poll.")
    poll_multiplier: float = Field(
        default=1.5, ge=1, description="Each wait between polls is the last one times this."
    )
    poll_max: float = Field(default=1.0, gt=0, description="Longest wait between polls.")
    not_ready_retries: int = Field(
        default=5,
        ge=0,
        description="Publishes of one container after 'media not ready' (each after its "
        "status reads FINISHED) before it is given up.",
    )
    container_timeout: float = Field(
        default=900.0, gt=0, description="How long one container may take to process."
    )
    max_containers: int = Field(
        default=3,
        ge=1,
        description="Containers Threads may refuse for one part before the post is failed.",
    )
    rate_limit_retries: int = Field(
        default=5, ge=0, description="Rate-limited publishes retried before apply stops."
    )
    rate_limit_delay: float = Field(
        default=30.0, ge=0, description="Wait after a rate limit that gives no Retry-After."
    )
    find_retries: int = Field(
        default=3,
        ge=1,
        description="Listings read to find a post whose publish answer was lost.",
    )
    find_delay: float = Field(default=2.0, ge=0, description="Wait between those listings.")
    unknown_outcome_retries: int = Field(
        default=1,
        ge=0,
        description="Publishes sent again after a lost answer, when the container still "
        "reads FINISHED.",
    )
    lookup: bool = Field(
        default=True,
        description="Before publishing a post the state does not know, look for it on the "
        "account and adopt it if it is there (a lost state never reposts).",
    )
    lookup_days: float = Field(
        default=30, gt=0, description="How many days back that look-up reads the account."
    )

    _retired: tuple[str, ...] = PrivateAttr(default=())

    @model_validator(mode="wrap")
    @classmethod
    def _drop_retired(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> ApplyConfig:
        """Accept a key an older threadsync.yaml may hold; ``load_config`` warns about it."""
        retired: tuple[str, ...] = ()
        if isinstance(data, dict):
            retired = tuple(k for k in RETIRED_APPLY_KEYS if k in data)
            data = {k: v for k, v in data.items() if k not in RETIRED_APPLY_KEYS}
        config: ApplyConfig = handler(data)
        config._retired = retired
        return config


# ``apply:`` keys that are no longer used, and what took their place.
RETIRED_APPLY_KEYS = {
    "not_ready_delay": "'media not ready' is now answered by polling the container's status "
    "(poll_initial, poll_multiplier, poll_max)",
}


class AuthConfig(_Strict):
    """``auth:``: the Threads app that 'threadsync auth login' authorizes (no secret here)."""

    app_id: str | None = Field(default=None, description="The Threads app id.")
    redirect_uri: str | None = Field(default=None, description="The app's redirect URI.")
    scopes: list[str] | None = Field(default=None, description="The scopes to ask for.")
    refresh_days: float = Field(
        default=7,
        ge=0,
        description="Refresh a token from the credentials file when it expires within this "
        "many days (and is at least 24 h old), before a command uses it; 0 never does. "
        "Not in CI, where the weekly workflow refreshes the secret.",
    )

    @field_validator("app_id", mode="before")
    @classmethod
    def _app_id_as_str(cls, value: object) -> object:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _check_env_name(name: str) -> str:
    if not _ENV_NAME.match(name):
        raise ValueError(f"{name!r} is not an environment variable name")
    if is_secret_name(name):
        raise ValueError(f"{name} holds a secret; templates may not read it")
    return name


class Account(_Strict):
    """One entry of ``accounts:``: a further Threads account with its own content and state."""

    content: str | None = None
    state: str | None = None
    token_env: str | None = Field(
        default=None, description="Environment variable holding this account's token."
    )

    @field_validator("token_env")
    @classmethod
    def _check_token_env(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.match(value):
            raise ValueError(f"token_env {value!r} is not an environment variable name")
        return value

    def content_for(self, name: str) -> str:
        """The account's content dir (or pattern): ``content/<name>`` unless set."""
        return self.content or f"content/{name}"

    def state_for(self, name: str) -> str:
        """The account's state file: ``.threadsync/<name>/state.json`` unless set."""
        return self.state or f".threadsync/{name}/state.json"

    def token_env_for(self, name: str) -> str:
        """The variable holding the account's token: ``THREADS_ACCESS_TOKEN_<NAME>`` unless set."""
        return self.token_env or "THREADS_ACCESS_TOKEN_" + re.sub(r"[^A-Z0-9]", "_", name.upper())


class Config(_Strict):
    """The settings of threadsync.yaml (all optional)."""

    content: str = Field(default="content", description="The content dir, relative to the root.")
    state: str = Field(default=".threadsync/state.json", description="The state file.")
    vars: dict[str, Any] = Field(default_factory=dict, description="Template variables.")
    env: list[str] = Field(
        default_factory=list, description="Environment variables templates may read as env.NAME."
    )
    timezone: str | None = Field(
        default=None, description="IANA timezone for publish_at values without an offset."
    )
    defaults: Defaults = Field(default_factory=Defaults, description="Default post fields.")
    media: MediaConfig = Field(default_factory=MediaConfig)
    limits: Limits = Field(default_factory=Limits)
    prune: bool = Field(default=False, description="Delete published posts whose file is gone.")
    apply: ApplyConfig = Field(default_factory=ApplyConfig)
    auth: AuthConfig = Field(default_factory=AuthConfig)
    accounts: dict[str, Account] = Field(default_factory=dict)

    _source: str | None = PrivateAttr(default=None)
    _where: Source | None = PrivateAttr(default=None)
    _warnings: tuple[Problem, ...] = PrivateAttr(default=())

    @field_validator("content", "state")
    @classmethod
    def _check_path(cls, value: str, info: ValidationInfo) -> str:
        if not value.strip():
            raise ValueError(f"{info.field_name} must be a path, not empty")
        return value

    @field_validator("env")
    @classmethod
    def _check_env(cls, value: list[str]) -> list[str]:
        for name in value:
            _check_env_name(name)
        return value

    @field_validator("accounts")
    @classmethod
    def _check_account_tokens(
        cls, value: dict[str, Account], info: ValidationInfo
    ) -> dict[str, Account]:
        readable = set(info.data.get("env") or ())
        for name, account in value.items():
            if account.token_env in readable:
                raise ValueError(
                    f"{account.token_env} is the token_env of account {name!r}, so it holds "
                    "a token; remove it from env:"
                )
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                zoneinfo.ZoneInfo(value)
            except Exception:
                raise ValueError(
                    f"unknown timezone {value!r}; use an IANA name such as 'Europe/Berlin' or 'UTC'"
                ) from None
        return value

    @property
    def source(self) -> str | None:
        """The path of the threadsync.yaml this came from (``None`` for defaults)."""
        return self._source

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Settings that still work but should go (a retired key), located in the file."""
        return self._warnings

    def locate(self, loc: Loc) -> tuple[int, int]:
        """1-based (line, col) of a setting in threadsync.yaml; (1, 1) when not from a file."""
        return self._where.locate(loc) if self._where is not None else (1, 1)

    def tzinfo(self) -> dt.tzinfo | None:
        return zoneinfo.ZoneInfo(self.timezone) if self.timezone else None


class ConfigError(ThreadsyncError):
    """threadsync.yaml is invalid; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


_MODELS: dict[Loc, tuple[type[BaseModel], str]] = {
    (): (Config, "threadsync.yaml"),
    ("defaults",): (Defaults, "defaults"),
    ("media",): (MediaConfig, "media"),
    ("limits",): (Limits, "limits"),
    ("apply",): (ApplyConfig, "apply"),
    ("auth",): (AuthConfig, "auth"),
}


def _known_keys(loc: Loc) -> tuple[list[str], str]:
    if len(loc) == 2 and loc[0] == "accounts":
        return list(Account.model_fields), f"account {loc[1]!r}"
    model, what = _MODELS.get(loc, (Config, field_name(loc)))
    return list(model.model_fields), what


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def load_config(path: Path | None, root: Path) -> Config:
    """Read and validate threadsync.yaml.

    ``path`` ``None`` means ``root/threadsync.yaml`` if it exists, else all
    defaults.  Raises :class:`ConfigError` (a ``ThreadsyncError``) listing every
    problem as ``path:line:col: message``.
    """
    explicit = path is not None
    if path is None:
        path = root / CONFIG_NAME
        if not path.is_file():
            return Config()
    shown = _display(path, root)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if explicit:
            raise ThreadsyncError(f"config file {shown} does not exist") from None
        return Config()
    except OSError as exc:
        raise ThreadsyncError(f"can't read config file {shown}: {exc.strerror or exc}") from None

    def problem(line: int, col: int, message: str, loc: Loc = ()) -> Problem:
        return Problem(shown, line, col, "error", field_name(loc), message)

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError([problem(line, 1, "not valid UTF-8; save the file as UTF-8")]) from None
    try:
        parsed = parse_yaml(text.replace("\r\n", "\n"))
    except yaml.YAMLError as exc:
        line, col, message = yaml_error_position(exc, text)
        raise ConfigError([problem(line, col, message)]) from None
    except RecursionError:
        raise ConfigError([problem(1, 1, "the YAML is nested too deeply")]) from None
    source = Source(shown, text, root_node=parsed.root)
    problems = [
        problem(
            k.start_mark.line + 1,
            k.start_mark.column + 1,
            f"duplicate key {key!r}: it is already set on line {first + 1}",
        )
        for k, (key, first) in parsed.duplicates
    ]
    data = parsed.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            [problem(1, 1, "threadsync.yaml must be a mapping of settings (key: value)")]
        )
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        for loc, message, at_key in issues_from(exc, _known_keys):
            line, col = source.locate(loc, key=at_key)
            problems.append(problem(line, col, message, loc))
        config = None
    if config is not None:
        for loc, message, at_key in project_issues(config, root):
            line, col = source.locate(loc, key=at_key)
            problems.append(problem(line, col, message, loc))
    if problems or config is None:
        raise ConfigError(sorted(problems, key=Problem.sort_key))
    config._source = shown
    config._where = source
    config._warnings = tuple(_retired_warnings(config, source, shown))
    return config


def _retired_warnings(config: Config, source: Source, shown: str) -> list[Problem]:
    warnings = []
    for key in config.apply._retired:
        loc: Loc = ("apply", key)
        line, col = source.locate(loc, key=True)
        message = f"apply.{key} is no longer used: {RETIRED_APPLY_KEYS[key]}; remove it"
        warnings.append(Problem(shown, line, col, "warning", field_name(loc), message))
    return warnings


_REMOTE = re.compile(r"(?:[:/])([^/:]+/[^/]+?)(?:\.git)?/?$")


def _git(root: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", *args],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    value = out.stdout.strip()
    return value if out.returncode == 0 and value else None


def detect_media_url_context(root: Path, env: Mapping[str, str] | None = None) -> MediaUrlContext:
    """Find ``{repo}`` and ``{sha}`` for ``media.base_url``.

    ``GITHUB_REPOSITORY`` and ``GITHUB_SHA`` win (as in GitHub Actions); else
    ``git rev-parse HEAD`` and the ``origin`` remote of the repo at ``root``.
    Either value may be ``None`` when it can't be found.
    """
    env = os.environ if env is None else env
    repo = env.get("GITHUB_REPOSITORY") or None
    sha = env.get("GITHUB_SHA") or None
    if sha is None:
        sha = _git(root, "rev-parse", "HEAD")
    if repo is None:
        remote = _git(root, "config", "--get", "remote.origin.url")
        if remote:
            m = _REMOTE.search(remote)
            repo = m.group(1) if m else None
    return MediaUrlContext(repo=repo, sha=sha)
