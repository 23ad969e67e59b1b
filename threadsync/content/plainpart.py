"""The build step's shortcut for a part that is only plain text: most parts are.

Such a part (text, perhaps a topic and a reply control; no template, media,
poll, link, spoiler, country or location, none by default either) needs no
template, media check or rule but those of its text and topic, so it is built
here at once.  Anything else returns ``None`` and takes the long way
(``building.PostBuilder._build_part``); ``tests/content/test_plain_parts.py``
holds the two to the same posts and problems, field by field and on
generated projects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from threadsync.content.models import Part
from threadsync.content.rules import plain_text_ok, topic_ok

if TYPE_CHECKING:
    from threadsync.content.rawmodels import Defaults, PartFields


def plain_part(part: PartFields, defaults: Defaults, warn_at: float) -> Part | None:
    """``part`` built, if it is plain text no rule objects to; else ``None``.

    ``warn_at``: the text length from which a warning is due (at most the limit).
    """
    text = part.text
    if (
        text is None
        or part.media is not None
        or part.poll is not None
        or part.link is not None
        or part.gif is not None
        or part.attachment is not None
        or part.spoilers is not None
        or part.spoiler_media
        or part.vars
        or part.countries is not None
        or part.location is not None
        or defaults.countries is not None
        or defaults.location is not None
        or "{" in text
    ):
        return None
    topic = part.topic if part.topic is not None else defaults.topic
    if topic is not None and ("{" in topic or not topic_ok(topic)):
        return None
    text = text.rstrip()  # trimmed, as every text is; the builder keeps what was cut
    if not text or not plain_text_ok(text, warn_at):
        return None
    return Part(
        kind="text",
        text=text,
        media=[],
        spoiler_media=False,
        text_entities=[],
        poll=None,
        link=None,
        gif=None,
        attachment=None,
        topic=topic,
        quote=None,
        reply_control=part.reply_control or defaults.reply_control,
        countries=None,
        location=None,
    )


__all__ = ["plain_part"]
