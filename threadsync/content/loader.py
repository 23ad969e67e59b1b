"""``load_project``: find, parse, render and check every post of a project.

Phase 1 reads each file on its own (decode → YAML/Markdown → type check →
templates → per-part rules → local media).  Phase 2 checks what needs all files:
unique ids, ``quote``/``reply_to`` references, cycles.  Then posts are built
and sorted in publish order.  Every problem of every file is collected; nothing
here raises on bad content.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from threadsync.content.markdown import MarkdownError, parse_markdown
from threadsync.content.media import (
    MediaKind,
    MediaUrlContext,
    build_url,
    check_local_file,
    is_url,
    kind_from_name,
)
from threadsync.content.models import MediaItem, Part, PartKind, Post, Project, Reference
from threadsync.content.problems import Loc, Problem, Severity, field_name
from threadsync.content.pyerrors import did_you_mean, issues_from
from threadsync.content.rawmodels import (
    MEDIA_KEYS,
    PART_KEYS,
    POST_KEYS,
    POST_ONLY_KEYS,
    MediaSpec,
    PartFields,
    PostFile,
)
from threadsync.content.rules import (
    ALT_LIMIT,
    bad_character,
    check_text_part,
    classify_reference,
    spoiler_entities,
)
from threadsync.content.templating import EnvVars, TemplateProblem, Templater, needs_render
from threadsync.content.yamlsrc import Source, parse_yaml, yaml_error_position

if TYPE_CHECKING:
    from threadsync.config import Config

POST_SUFFIXES = (".yaml", ".yml", ".md")
CONFIG_NAMES = ("threadsync.yaml", "threadsync.yml")
RESERVED_VARS = ("post", "part", "env")
MediaContextArg = MediaUrlContext | Callable[[], MediaUrlContext] | None


def decode(raw: bytes) -> tuple[str | None, tuple[int, int, str] | None]:
    """Bytes → text.  UTF-8 (a BOM is dropped), or UTF-16/32 with a BOM."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        try:
            return raw.decode("utf-32"), None
        except UnicodeDecodeError:
            return None, (1, 1, "not valid UTF-32 although it starts with a UTF-32 BOM")
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), None
        except UnicodeDecodeError:
            return None, (1, 1, "not valid UTF-16 although it starts with a UTF-16 BOM")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        pos = exc.start
        line = raw.count(b"\n", 0, pos) + 1
        col = pos - (raw.rfind(b"\n", 0, pos) + 1) + 1
        return None, (line, col, f"not valid UTF-8 (byte 0x{raw[pos]:02X}); save the file as UTF-8")
    return text, None


def _known_keys(loc: Loc) -> tuple[tuple[str, ...], str]:
    if len(loc) >= 2 and loc[-2] == "media":
        return MEDIA_KEYS, "a media item"
    if len(loc) == 2 and loc[0] == "thread":
        return PART_KEYS, "a thread part"
    return POST_KEYS, "a post"


@dataclass
class _PartDraft:
    loc: Loc
    part: Part  # with quote=None: references are resolved across files
    quote: str | None


@dataclass
class _Loaded:
    path: str
    source: Source
    id: str
    id_explicit: bool
    publish_at: dt.datetime | None
    draft: bool
    on_change: str
    reply_to: str | None
    parts: list[_PartDraft] = field(default_factory=list)
    failed: bool = False


class _ProjectLoader:
    def __init__(
        self,
        root: Path,
        config: Config,
        env: Mapping[str, str] | None,
        media_url_context: MediaContextArg,
        now: dt.datetime | None,
    ) -> None:
        self.root = root
        self.config = config
        self.content_dir = root / config.content
        self.content_label = _rel(str(self.content_dir), str(root))
        self.problems: list[Problem] = []
        self.env_vars = EnvVars(list(config.env), os.environ if env is None else env)
        self._media_arg = media_url_context
        self._media_ctx: MediaUrlContext | None = None
        self.now = now or dt.datetime.now(dt.timezone.utc)
        self.tz = config.tzinfo()
        self.warn_ratio = config.limits.text_warn_ratio
        partials = self.content_dir / "_partials"
        self.templater = Templater(
            partials if partials.is_dir() else None, f"{self.content_label}/_partials"
        )
        self.base_vars: dict[str, Any] = dict(config.vars)
        self.media_cache: dict[tuple[str, str], Any] = {}
        self.defaults = config.defaults

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

    # -- phase 0: files ---------------------------------------------------------------------

    def discover(self) -> list[tuple[str, str]]:
        """(relative path under the content dir, full path) of every post file, sorted."""
        found: list[tuple[str, str]] = []
        top = str(self.content_dir)
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(("_", ".")))
            rel_dir = os.path.relpath(dirpath, top)
            for name in filenames:
                if name.startswith(("_", ".")) or not name.lower().endswith(POST_SUFFIXES):
                    continue
                if rel_dir == "." and name in CONFIG_NAMES and dirpath == str(self.root):
                    continue  # the content dir is the root: threadsync.yaml is no post
                rel = name if rel_dir == "." else f"{rel_dir}/{name}".replace(os.sep, "/")
                found.append((rel, os.path.join(dirpath, name)))
        found.sort()
        return found

    def load_vars_file(self) -> None:
        for name in ("_vars.yaml", "_vars.yml"):
            full = self.content_dir / name
            if not full.is_file():
                continue
            shown = f"{self.content_label}/{name}"
            text = self._read_text(str(full), shown)
            if text is None:
                continue
            try:
                parsed = parse_yaml(text)
            except yaml.YAMLError as exc:
                line, col, message = yaml_error_position(exc, text)
                self.add(shown, line, col, message)
                continue
            source = Source(shown, text, root_node=parsed.root)
            if parsed.data is None:
                continue
            if not isinstance(parsed.data, dict):
                self.add(shown, 1, 1, f"{name} must be a mapping of variables (name: value)")
                continue
            for key in parsed.data:
                if not isinstance(key, str):
                    self.add_at(source, (key,), f"variable name {key!r} must be text", key=True)
                elif key in RESERVED_VARS:
                    self.add_at(
                        source,
                        (key,),
                        f"{key!r} is a reserved template name; rename the variable",
                        key=True,
                    )
            self.base_vars.update(parsed.data)

    def _read_text(self, full: str, shown: str) -> str | None:
        try:
            with open(full, "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            self.add(shown, 1, 1, f"can't read file: {exc.strerror or exc}")
            return None
        text, err = decode(raw)
        if err is not None:
            self.add(shown, *err)
            return None
        assert text is not None
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        return text

    # -- phase 1: one file ------------------------------------------------------------------

    def load_file(self, rel: str, full: str) -> _Loaded | None:
        shown = f"{self.content_label}/{rel}" if self.content_label != "." else rel
        start = len(self.problems)
        text = self._read_text(full, shown)
        if text is None:
            return None
        is_md = rel.lower().endswith(".md")
        conflicts: list[tuple[Loc, str]] = []
        try:
            if is_md:
                data, source, conflicts = parse_markdown(text, shown)
            else:
                parsed = parse_yaml(text)
                source = Source(shown, text, yaml_text=text, duplicates=parsed.duplicates)
                data = parsed.data
        except MarkdownError as exc:
            self.add(shown, exc.line, exc.col, exc.message)
            return None
        except yaml.YAMLError as exc:
            offset = 1 if is_md else 0
            line, col, message = yaml_error_position(exc, _front_matter(text) if is_md else text)
            self.add(shown, line + offset, col, message)
            return None
        for key_node, (key, first_line) in source.duplicates:
            mark = key_node.start_mark
            self.add(
                shown,
                mark.line + 1 + source.line_offset,
                mark.column + 1,
                f"duplicate key {key!r}: it is already set on line "
                f"{first_line + 1 + source.line_offset}",
            )
        if data is None or (data == {} and not is_md):
            self.add(shown, 1, 1, "empty post file; give it at least text: or media:")
            return None
        if not isinstance(data, dict):
            self.add(
                shown,
                1,
                1,
                f"a post file must be a mapping of fields (key: value), not {_kind_of(data)}",
            )
            return None
        default_id = rel.rsplit(".", 1)[0]
        try:
            model = PostFile.model_validate(data)
        except ValidationError as exc:
            for loc, message, at_key in issues_from(exc, _known_keys):
                if at_key and len(loc) == 3 and loc[0] == "thread" and loc[2] in POST_ONLY_KEYS:
                    message = _post_only_message(str(loc[2]))
                self.add_at(source, loc, message, key=at_key)
            self.known_ids.add(_id_guess(data, default_id))
            return None
        for loc, message in conflicts:
            self.add_at(source, loc, message)
        if conflicts:
            self.known_ids.add(model.id or default_id)
            return None
        loaded = self._build(model, rel, shown, source, default_id)
        if len(self.problems) > start and any(p.severity == "error" for p in self.problems[start:]):
            loaded.failed = True  # e.g. a duplicate key or a reserved variable name
        return loaded

    def _build(
        self, model: PostFile, rel: str, shown: str, source: Source, default_id: str
    ) -> _Loaded:
        post_id = model.id if model.id is not None else default_id
        loaded = _Loaded(
            path=shown,
            source=source,
            id=post_id,
            id_explicit=model.id is not None,
            publish_at=None,
            draft=model.draft,
            on_change=model.on_change or self.defaults.on_change or "warn",
            reply_to=model.reply_to,
        )
        self.known_ids.add(post_id)
        if model.id is not None and (
            not post_id.strip() or post_id != post_id.strip() or bad_character(post_id)
        ):
            self.add_at(
                source,
                ("id",),
                f"id {post_id!r} must be non-empty text without surrounding spaces "
                "or control characters",
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
        parts += [(("thread", i), p) for i, p in enumerate(model.thread or [])]
        post_info = {
            "id": post_id,
            "path": shown,
            "publish_at": loaded.publish_at,
        }
        for index, (loc, part) in enumerate(parts):
            draft = self._build_part(
                source, loc, part, post_vars, post_info, index, len(parts), rel
            )
            if draft is None:
                loaded.failed = True
            else:
                loaded.parts.append(draft)
        return loaded

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
            self.add(source.path, line, col, f"{field_name(loc)}: {exc.message}", loc)
            return None

    def _context_factory(
        self,
        part: PartFields,
        post_vars: dict[str, Any],
        post_info: dict[str, Any],
        index: int,
        count: int,
    ) -> Callable[[], dict[str, Any]]:
        def context() -> dict[str, Any]:
            ctx = dict(self.base_vars)
            ctx.update(post_vars)
            ctx.update(part.vars or {})
            ctx["post"] = post_info
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
        post_info: dict[str, Any],
        index: int,
        count: int,
        rel: str,
    ) -> _PartDraft | None:
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
            context = self._context_factory(part, post_vars, post_info, index, count)
            rendered = self._render_fields(
                source, loc, context, text, attachment, link, topic, poll, spoilers
            )
            if rendered is None:
                return None
            text, attachment, link, topic, poll, spoilers = rendered
        else:
            context = None
        reply_control = part.reply_control or d.reply_control
        countries = part.countries if part.countries is not None else d.countries
        location = part.location if part.location is not None else d.location
        media: list[MediaItem] | None = []
        if part.media:
            if context is None:
                context = self._context_factory(part, post_vars, post_info, index, count)
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
            kind,
            text,
            media,
            spoiler_media,
            entities,
            poll,
            link,
            part.gif,
            attachment,
            topic,
            None,
            reply_control,
            countries,
            location,
        )
        return _PartDraft(loc, built, part.quote)

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
            checked = self.media_cache[key] = check_local_file(Path(full), repo_path, kind)
        if checked.errors:
            for message in checked.errors:
                self.add_at(source, here, message)
            return None
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

    def run(self) -> Project:
        self.known_ids: set[str] = set()
        if not self.content_dir.is_dir():
            where = self.config.source or self.content_label
            self.add(where, 1, 1, f"content directory {self.content_label!r} does not exist")
            return Project(self.root, self.content_dir, [], self._sorted_problems())
        self.load_vars_file()
        loaded: list[_Loaded] = []
        for rel, full in self.discover():
            try:
                item = self.load_file(rel, full)
            except RecursionError:
                self.add(
                    f"{self.content_label}/{rel}", 1, 1, "the file is nested too deeply to read"
                )
                continue
            except Exception as exc:  # a bug: report it against the file, keep going
                self.add(
                    f"{self.content_label}/{rel}",
                    1,
                    1,
                    f"internal error while reading this file ({type(exc).__name__}: {exc}); "
                    "please report it",
                )
                continue
            if item is not None:
                loaded.append(item)
        posts = self._cross_check(loaded)
        return Project(self.root, self.content_dir, posts, self._sorted_problems())

    def _sorted_problems(self) -> list[Problem]:
        return sorted(self.problems, key=Problem.sort_key)

    def _cross_check(self, loaded: list[_Loaded]) -> list[Post]:
        by_id: dict[str, _Loaded] = {}
        for item in loaded:
            first = by_id.get(item.id)
            if first is None:
                by_id[item.id] = item
                continue
            loc: Loc = ("id",) if item.id_explicit else ()
            self.add_at(
                item.source,
                loc,
                f"duplicate id {item.id!r}: {first.path} has the same id "
                "(set a different id: in one of them)",
            )
            item.failed = True
        ids = self.known_ids | set(by_id)
        refs: dict[str, list[tuple[Loc, str, Reference]]] = {}
        for item in loaded:
            if item.failed and by_id.get(item.id) is not item:
                continue
            resolved: list[tuple[Loc, str, Reference]] = []
            wanted: list[tuple[Loc, str, str]] = []
            if item.reply_to is not None:
                wanted.append((("reply_to",), "reply_to", item.reply_to))
            wanted += [
                ((*p.loc, "quote"), "quote", p.quote) for p in item.parts if p.quote is not None
            ]
            for loc, name, value in wanted:
                ref = classify_reference(value, ids)
                if ref is None:
                    hint = did_you_mean(value, sorted(ids))
                    self.add_at(
                        item.source,
                        loc,
                        f"{name} {value!r} is not a post of this project, a Threads media id "
                        f"(digits) or a threads.net permalink{hint}",
                    )
                    item.failed = True
                    continue
                resolved.append((loc, name, ref))
                target = by_id.get(ref.value) if ref.kind == "post" else None
                if target is not None and target.draft and not item.draft:
                    self.add_at(
                        item.source,
                        loc,
                        f"{name} {ref.value!r} is a draft, which is never published",
                    )
                    item.failed = True
                elif target is not None and target is not item and _later(target, item, self.now):
                    self.add_at(
                        item.source,
                        loc,
                        f"{name} {ref.value!r} is scheduled later than this post; "
                        "this post will wait for it",
                        severity="warning",
                    )
            refs[item.id] = resolved
        self._find_cycles(by_id, refs)
        posts: list[Post] = []
        for item in loaded:
            if item.failed or by_id.get(item.id) is not item:
                continue
            found = refs.get(item.id)
            parts = [d.part for d in item.parts]
            reply_to = None
            if found:
                by_loc = {loc: ref for loc, _, ref in found}
                reply_to = by_loc.get(("reply_to",))
                quotes = [by_loc.get((*d.loc, "quote")) for d in item.parts]
                parts = [
                    d.part if q is None else replace(d.part, quote=q)
                    for d, q in zip(item.parts, quotes, strict=True)
                ]
            posts.append(
                Post(
                    id=item.id,
                    path=item.path,
                    publish_at=item.publish_at,
                    draft=item.draft,
                    on_change=item.on_change,  # type: ignore[arg-type]
                    quote=parts[0].quote,
                    reply_to=reply_to,
                    parts=parts,
                )
            )
        now = self.now
        posts.sort(key=lambda p: (p.publish_at or now, p.path))
        return posts

    def _find_cycles(
        self, by_id: dict[str, _Loaded], refs: dict[str, list[tuple[Loc, str, Reference]]]
    ) -> None:
        edges = {
            pid: [
                (loc, name, r.value) for loc, name, r in rs if r.kind == "post" and r.value in by_id
            ]
            for pid, rs in refs.items()
        }
        state: dict[str, int] = {}  # 1 = on the stack, 2 = done
        reported: set[str] = set()
        for start in sorted(edges):
            if state.get(start):
                continue
            stack: list[tuple[str, int]] = [(start, 0)]
            path: list[str] = [start]
            state[start] = 1
            while stack:
                node, i = stack[-1]
                out = edges.get(node, [])
                if i >= len(out):
                    stack.pop()
                    path.pop()
                    state[node] = 2
                    continue
                stack[-1] = (node, i + 1)
                nxt = out[i][2]
                if state.get(nxt) == 1:
                    cycle = [*path[path.index(nxt) :], nxt]
                    for member_idx, member in enumerate(cycle[:-1]):
                        if member in reported:
                            continue
                        reported.add(member)
                        following = cycle[member_idx + 1]
                        ring = cycle[member_idx:] + cycle[1 : member_idx + 1]
                        loc, name, _ = next(e for e in edges[member] if e[2] == following)
                        item = by_id[member]
                        self.add_at(
                            item.source,
                            loc,
                            f"{name} makes a cycle: {' → '.join(ring)}; "
                            "posts can't quote or reply to each other in a circle",
                        )
                        item.failed = True
                elif not state.get(nxt):
                    state[nxt] = 1
                    stack.append((nxt, 0))
                    path.append(nxt)


def _later(target: _Loaded, item: _Loaded, now: dt.datetime) -> bool:
    if target.publish_at is None:
        return False
    mine = item.publish_at or now
    try:
        return target.publish_at > mine
    except TypeError:
        return False


def _front_matter(text: str) -> str:
    lines = text.split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), len(lines))
    return "\n".join(lines[1:end])


def _kind_of(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "plain text"
    return f"a {type(value).__name__}"


def _id_guess(data: dict[Any, Any], default: str) -> str:
    value = data.get("id")
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value)
    return default


def _post_only_message(key: str) -> str:
    if key == "reply_to":
        return (
            "a thread part replies to the part before it; "
            "reply_to belongs to the first part (top level)"
        )
    return (
        f"{key} can't be set on a thread part: it applies to the whole post, "
        "so set it at the top level"
    )


def _rel(path: str, root: str) -> str:
    rel = os.path.relpath(path, root)
    return rel.replace(os.sep, "/")


def load_project(
    root: Path,
    config: Config,
    *,
    env: Mapping[str, str] | None = None,
    media_url_context: MediaContextArg = None,
    now: dt.datetime | None = None,
) -> Project:
    """Load, render and check every post under ``root / config.content``.

    - ``env``: the environment templates may read from (only the names that
      ``config.env`` lists); default ``os.environ``.
    - ``media_url_context``: ``{repo}``/``{sha}`` for ``media.base_url``, or a
      function returning them, called once and only if a local media file is
      used.  ``None`` leaves local media URLs unbuilt (``MediaItem.url is None``),
      which is enough to validate; plan and apply must pass one.
    - ``now``: the time posts without ``publish_at`` are ordered at (default:
      the current time).

    Never raises on bad content: every problem is in ``Project.problems``.
    """
    # The loader keeps every file's YAML node tree (for positions) until the
    # end: millions of objects with no reference cycles.  Pausing the cyclic
    # garbage collector meanwhile saves it from walking them again and again.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _ProjectLoader(root, config, env, media_url_context, now).run()
    finally:
        if was_enabled:
            gc.enable()


__all__ = ["POST_SUFFIXES", "decode", "load_project"]
