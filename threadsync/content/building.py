"""Building one post: templates, per-part rules, media, into ``Part`` objects.

``PostBuilder`` holds what every file of a project shares (the config, the
template environment, variables, the problem list) and turns one validated
``PostFile`` into a ``LoadedPost``: its parts rendered and checked, its
references still unresolved (``crosscheck.py`` resolves them across files).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from threadsync.content.globs import split_content_glob
from threadsync.content.ids import ALLOWED, id_problem, printable
from threadsync.content.media import (
    MediaKind,
    MediaUrlContext,
    build_url,
    check_local_file,
    is_url,
    kind_from_name,
)
from threadsync.content.models import MediaItem, Part, PartKind
from threadsync.content.plainpart import plain_part
from threadsync.content.problems import Loc, Problem, Severity, field_name
from threadsync.content.rawmodels import MediaSpec, OnChange, PartFields, PostFile
from threadsync.content.rules import (
    ALT_LIMIT,
    TEXT_LIMIT,
    bad_character,
    check_text_part,
    ghost_issues,
    spoiler_entities,
)
from threadsync.content.safefs import RepoFiles
from threadsync.content.templatetext import TOO_BIG, EnvVars, TemplateProblem, needs_render
from threadsync.content.yamlsrc import Source

if TYPE_CHECKING:
    from threadsync.config import Config
    from threadsync.content.templating import Templater

RESERVED_VARS = ("post", "part", "env")
_MIN_TOKEN_LEN = 6  # shorter "tokens" (a test's "x") would match any value
MediaContextArg = MediaUrlContext | Callable[[], MediaUrlContext] | None


class Quote(NamedTuple):
    """A part's raw ``quote``, still to resolve across files."""

    position: int  # of the part in ``LoadedPost.parts``
    loc: Loc  # of the part in the file
    value: str


@dataclass(slots=True)
class LoadedPost:
    """A post read from one file, before the checks across files."""

    path: str
    source: Source
    id: str
    id_explicit: bool
    publish_at: dt.datetime | None
    draft: bool
    on_change: OnChange
    reply_to: str | None
    parts: list[Part] = field(default_factory=list)  # rendered, checked, with quote=None
    quotes: list[Quote] = field(default_factory=list)
    tails: list[str] = field(default_factory=list)  # per part: whitespace trimmed from its end
    failed: bool = False
    has_refs: bool = False  # a reply_to or a quote: checked across files
    ghost: bool = False


class PostBuilder:
    """Shared state of a load, the problem list, and building posts from files."""

    def __init__(
        self,
        root: Path,
        config: Config,
        env: Mapping[str, str] | None,
        media_url_context: MediaContextArg,
        now: dt.datetime | None,
        held_tokens: Collection[str] = (),
    ) -> None:
        self.root = root
        self.config = config
        self.files = RepoFiles(root)
        content, self.content_pattern = split_content_glob(config.content)
        self.content_dir = root / content
        self.content_label = _rel(str(self.content_dir), str(root))
        # threadsync.yaml's own warnings (a retired setting) are shown with the content's.
        self.problems: list[Problem] = list(config.warnings)
        self.known_ids: set[str] = set()  # ids of every post file, valid or not
        self.env_vars = self._env_vars(os.environ if env is None else env, held_tokens)
        self._media_arg = media_url_context
        self._media_ctx: MediaUrlContext | None = None
        self.now = now or dt.datetime.now(dt.timezone.utc)
        self.tz = config.tzinfo()
        self.warn_ratio = config.limits.text_warn_ratio
        self.warn_at = TEXT_LIMIT * min(self.warn_ratio, 1.0)
        self._templater: Templater | None = None
        self.base_vars: dict[str, Any] = dict(config.vars)
        self.media_cache: dict[tuple[str, str], Any] = {}
        self.defaults = config.defaults

    @property
    def templater(self) -> Templater:
        """Made on the first text with a template: Jinja loads only for a project that has one."""
        if self._templater is None:
            from threadsync.content.templating import Templater

            self._templater = Templater(
                self.content_dir / "_partials", f"{self.content_label}/_partials", self.files
            )
        return self._templater

    def _env_vars(self, env: Mapping[str, str], held_tokens: Collection[str]) -> EnvVars:
        """The variables templates may read; one that holds a token threadsync uses is refused."""
        tokens = [t for t in {t.strip() for t in held_tokens} if len(t) >= _MIN_TOKEN_LEN]
        allowed, refused = [], []
        for i, name in enumerate(self.config.env):
            value = env.get(name)
            if value is not None and any(token in value for token in tokens):
                line, col = self.config.locate(("env", i))
                self.add(
                    self.config.source or "threadsync.yaml",
                    line,
                    col,
                    f"env: {name} holds the value of a token threadsync uses; "
                    "templates may not read it",
                    ("env", i),
                )
                refused.append(name)
            else:
                allowed.append(name)
        return EnvVars(allowed, env, refused)

    # -- problems ---------------------------------------------------------------------------

    def add(
        self,
        path: str,
        line: int,
        col: int,
        message: str,
        loc: Loc = (),
        severity: Severity = "error",
    ) -> None:
        self.problems.append(Problem(path, line, col, severity, field_name(loc), message))

    def add_at(
        self,
        source: Source,
        loc: Loc,
        message: str,
        *,
        key: bool = False,
        severity: Severity = "error",
    ) -> None:
        line, col = source.locate(loc, key=key)
        self.add(source.path, line, col, message, loc, severity)

    def _build(
        self, model: PostFile, rel: str, shown: str, source: Source, default_id: str
    ) -> LoadedPost:
        post_id = model.id if model.id is not None else default_id
        explicit = model.id is not None
        loaded = LoadedPost(
            shown,
            source,
            post_id,
            explicit,
            None,
            model.draft,
            model.on_change or self.defaults.on_change or "warn",
            model.reply_to,
            [],
            ghost=model.ghost,
        )
        self.known_ids.add(post_id)
        reason = id_problem(post_id)
        if reason is not None:
            if model.id is not None:
                self.add_at(
                    source,
                    ("id",),
                    f"id '{printable(post_id)}' {reason}; an id holds only {ALLOWED}",
                )
            else:
                self.add(
                    shown,
                    1,
                    1,
                    f"the id '{printable(post_id)}' (the file's path) {reason}; rename the file "
                    f"or give it an id: ({ALLOWED})",
                )
            loaded.failed = True
        if model.publish_at is not None:
            when = model.publish_at
            if when.tzinfo is None or when.utcoffset() is None:
                if self.tz is None:
                    self.add_at(
                        source,
                        ("publish_at",),
                        "publish_at has no timezone: add an offset "
                        "(e.g. 2027-01-01T09:00:00+01:00) or set timezone: in threadsync.yaml",
                    )
                    loaded.failed = True
                else:
                    when = when.replace(tzinfo=self.tz)
            loaded.publish_at = when
        post_vars = model.vars or {}
        if post_vars:
            self._check_vars(source, (), post_vars)
        parts: list[tuple[Loc, PartFields]] = [((), model)]
        if model.thread:
            parts += [(("thread", i), p) for i, p in enumerate(model.thread)]
        count = len(parts)
        built = loaded.parts
        for index, (loc, part) in enumerate(parts):
            made = self._build_part(source, loc, part, post_vars, loaded, index, count, rel)
            if made is None:
                loaded.failed = True
                continue
            if part.quote is not None:
                loaded.quotes.append(Quote(len(built), loc, part.quote))
                loaded.has_refs = True
            built.append(made[0])
            loaded.tails.append(made[1])
        if model.reply_to is not None:
            loaded.has_refs = True
        if model.ghost:
            self._check_ghost(model, source, loaded)
        return loaded

    def _check_ghost(self, model: PostFile, source: Source, loaded: LoadedPost) -> None:
        """Refuse what a ghost post can't have; drop what threadsync.yaml's defaults added."""
        for loc, _, message in ghost_issues(vars(model)):
            self.add_at(source, loc, message, key=True)
            loaded.failed = True
        if not loaded.failed and loaded.parts:
            loaded.parts[0] = loaded.parts[0]._replace(topic=None, countries=None, location=None)

    def _check_vars(self, source: Source, loc: Loc, values: dict[str, Any]) -> None:
        for key in values:
            if key in RESERVED_VARS:
                self.add_at(
                    source,
                    (*loc, "vars", key),
                    f"{key!r} is a reserved template name; rename the variable",
                    key=True,
                )

    def _render(
        self, source: Source, loc: Loc, text: str, context: Callable[[], dict[str, Any]]
    ) -> str | None:
        if not needs_render(text):
            return text
        try:
            return self.templater.render(text, context())
        except TemplateProblem as exc:
            if exc.line is not None:
                line, col = source.template_line(loc, exc.line)
            else:
                line, col = source.locate(loc)
            message = f"{field_name(loc)}: {exc.message}"
            if exc.message.startswith(TOO_BIG):  # the kind of problem first, as the docs show
                message = f"{TOO_BIG}: {field_name(loc)}{exc.message[len(TOO_BIG) :]}"
            self.add(source.path, line, col, message, loc)
            return None

    def _context_factory(
        self,
        part: PartFields,
        post_vars: dict[str, Any],
        post: LoadedPost,
        index: int,
        count: int,
    ) -> Callable[[], dict[str, Any]]:
        def context() -> dict[str, Any]:
            ctx = dict(self.base_vars)
            ctx.update(post_vars)
            ctx.update(part.vars or {})
            ctx["post"] = {"id": post.id, "path": post.path, "publish_at": post.publish_at}
            ctx["part"] = {"index": index, "number": index + 1, "count": count}
            ctx["env"] = self.env_vars
            return ctx

        return context

    def _render_fields(
        self,
        source: Source,
        loc: Loc,
        context: Callable[[], dict[str, Any]],
        text: str,
        attachment: str | None,
        link: str | None,
        topic: str | None,
        poll: list[str] | None,
        spoilers: list[str] | None,
    ) -> tuple[str, str | None, str | None, str | None, list[str] | None, list[str] | None] | None:
        """Render the templated fields of a part; ``None`` if any template failed."""
        ok = True

        def one(name: str, value: str | None) -> str | None:
            nonlocal ok
            if value is None or not needs_render(value):
                return value
            out = self._render(source, (*loc, name), value, context)
            ok = ok and out is not None
            return out

        def many(name: str, values: list[str] | None) -> list[str] | None:
            nonlocal ok
            if values is None or not any(needs_render(v) for v in values):
                return values
            out = [self._render(source, (*loc, name, i), v, context) for i, v in enumerate(values)]
            ok = ok and all(v is not None for v in out)
            return [v for v in out if v is not None]

        result = (
            one("text", text) or "",
            one("attachment", attachment),
            one("link", link),
            one("topic", topic),
            many("poll", poll),
            many("spoilers", spoilers),
        )
        return result if ok else None

    def _build_part(
        self,
        source: Source,
        loc: Loc,
        part: PartFields,
        post_vars: dict[str, Any],
        post: LoadedPost,
        index: int,
        count: int,
        rel: str,
    ) -> tuple[Part, str] | None:
        """The part, rendered and checked, and the whitespace trimmed from its text's end."""
        plain = plain_part(part, self.defaults, self.warn_at)
        if plain is not None:
            return plain, (part.text or "")[len(plain.text) :]
        ok = True
        if loc and part.vars:
            self._check_vars(source, loc, part.vars)
        d = self.defaults
        text = part.text or ""
        attachment = part.attachment
        link = part.link
        poll = part.poll
        spoilers = part.spoilers
        topic = part.topic if part.topic is not None else d.topic
        if (
            "{" in text
            or (attachment is not None and "{" in attachment)
            or (link is not None and "{" in link)
            or (topic is not None and "{" in topic)
            or (poll is not None and any("{" in v for v in poll))
            or (spoilers is not None and any("{" in v for v in spoilers))
        ):
            context = self._context_factory(part, post_vars, post, index, count)
            rendered = self._render_fields(
                source, loc, context, text, attachment, link, topic, poll, spoilers
            )
            if rendered is None:
                return None
            text, attachment, link, topic, poll, spoilers = rendered
        else:
            context = None
        # A YAML block (``text: |``) ends in a newline, and Threads kept it: trim the
        # end of every text, keeping what was cut for the hash older states recorded.
        trimmed = text.rstrip()
        tail, text = text[len(trimmed) :], trimmed
        reply_control = part.reply_control or d.reply_control
        countries = part.countries if part.countries is not None else d.countries
        location = part.location if part.location is not None else d.location
        media: list[MediaItem] | None = []
        if part.media:
            if context is None:
                context = self._context_factory(part, post_vars, post, index, count)
            media = self._media(source, loc, part.media, rel, context)
        if media is None:
            ok = False
        spoiler_media = bool(part.spoiler_media)
        issues = check_text_part(
            text=text,
            media_count=len(part.media or []),
            poll=poll,
            link=link,
            gif=part.gif,
            attachment=attachment,
            spoiler_media=spoiler_media,
            spoilers=spoilers,
            topic=topic,
            countries=countries,
            location=location,
            warn_ratio=self.warn_ratio,
        )
        for sub, severity, message in issues:
            self.add_at(
                source, loc + sub, message, severity="error" if severity == "error" else "warning"
            )
            if severity == "error":
                ok = False
        if not ok or media is None:
            return None
        entities = spoiler_entities(text, spoilers)[0] if spoilers else []
        n = len(media)
        kind: PartKind = "text" if n == 0 else ("carousel" if n > 1 else media[0].kind)
        built = Part(
            kind=kind,
            text=text,
            media=media,
            spoiler_media=spoiler_media,
            text_entities=entities,
            poll=poll,
            link=link,
            gif=part.gif,
            attachment=attachment,
            topic=topic,
            quote=None,
            reply_control=reply_control,
            countries=countries,
            location=location,
        )
        return built, tail

    # -- media -------------------------------------------------------------------------------

    def media_context(self) -> MediaUrlContext | None:
        if self._media_ctx is None and self._media_arg is not None:
            arg = self._media_arg
            self._media_ctx = arg if isinstance(arg, MediaUrlContext) else arg()
        return self._media_ctx

    def _media(
        self,
        source: Source,
        loc: Loc,
        entries: list[str | MediaSpec],
        rel: str,
        context: Callable[[], dict[str, Any]],
    ) -> list[MediaItem] | None:
        items: list[MediaItem] = []
        ok = True
        for j, entry in enumerate(entries):
            here = (*loc, "media", j)
            kind: MediaKind
            if isinstance(entry, str):
                ref, alt = entry, None
                guessed = kind_from_name(ref)
                if guessed is None:
                    self.add_at(
                        source,
                        here,
                        f"can't tell whether {ref!r} is an image or a video from its name; "
                        f"write {{image: {ref}}} or {{video: {ref}}}",
                    )
                    ok = False
                    continue
                kind = guessed
            else:
                kind = "image" if entry.image is not None else "video"
                ref = entry.image if entry.image is not None else entry.video or ""
                alt = entry.alt
                if alt is not None and needs_render(alt):
                    alt = self._render(source, (*here, "alt"), alt, context)
                    if alt is None:
                        ok = False
                        continue
            if alt is not None:
                if len(alt) > ALT_LIMIT:
                    self.add_at(
                        source,
                        (*here, "alt"),
                        f"alt text is {len(alt)} characters; Threads allows {ALT_LIMIT}",
                    )
                    ok = False
                bad = bad_character(alt)
                if bad:
                    self.add_at(source, (*here, "alt"), f"alt text {bad}")
                    ok = False
            if not ref.strip():
                self.add_at(source, here, f"{kind} is empty; give a path or URL")
                ok = False
                continue
            if is_url(ref):
                items.append(MediaItem(kind=kind, url=ref, alt=alt))
                continue
            item = self._local_media(source, here, ref, kind, alt, rel)
            if item is None:
                ok = False
            else:
                items.append(item)
        return items if ok else None

    def _local_media(
        self, source: Source, here: Loc, ref: str, kind: MediaKind, alt: str | None, rel: str
    ) -> MediaItem | None:
        root = str(self.root)
        if ref.startswith("/"):
            full = os.path.normpath(os.path.join(root, ref.lstrip("/")))
        else:
            post_dir = os.path.dirname(os.path.join(str(self.content_dir), rel))
            full = os.path.normpath(os.path.join(post_dir, ref))
        repo_path = os.path.relpath(full, root).replace(os.sep, "/")
        if repo_path == ".." or repo_path.startswith("../") or "\x00" in ref:
            self.add_at(source, here, f"media path {ref!r} points outside the repository")
            return None
        key = (full, kind)
        checked = self.media_cache.get(key)
        if checked is None:
            checked = check_local_file(self.files, full, repo_path, kind)
            self.media_cache[key] = checked
        if checked.errors:
            for message in checked.errors:
                self.add_at(source, here, message)
            return None
        stored = self.config.media.object_url(checked.sha256, checked.file_type)
        if stored is not None:  # media.store: the URL follows from the bytes alone
            return MediaItem(
                kind=kind, url=stored, alt=alt, local_path=repo_path, sha256=checked.sha256
            )
        base_url = self.config.media.base_url
        if base_url is None:
            self.add_at(
                source,
                here,
                f"local media file {repo_path} needs media.base_url in threadsync.yaml, e.g. "
                "https://raw.githubusercontent.com/{repo}/{sha}/{path}",
            )
            return None
        url: str | None = None
        ctx = self.media_context()
        if ctx is not None:
            try:
                url = build_url(base_url, ctx, repo_path)
            except LookupError as exc:
                hint = {
                    "sha": "set GITHUB_SHA or commit first",
                    "repo": "set GITHUB_REPOSITORY or add an origin remote",
                }
                self.add_at(
                    source,
                    here,
                    f"can't build the URL of {repo_path}: {{{exc.args[0]}}} is unknown "
                    f"({hint.get(str(exc.args[0]), 'set it')})",
                )
                return None
        return MediaItem(kind=kind, url=url, alt=alt, local_path=repo_path, sha256=checked.sha256)

    # -- phase 2 ------------------------------------------------------------------------------


def _rel(path: str, root: str) -> str:
    rel = os.path.relpath(path, root)
    return rel.replace(os.sep, "/")
