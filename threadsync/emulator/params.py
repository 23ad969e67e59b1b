"""Request parameters: query string merged with an urlencoded or multipart body.

Ref §1 "Parameter encoding": POST params may sit in the query string, a
multipart form (``curl -F``) or an urlencoded body (``curl -d``); some GET
examples send form fields too, so both are always merged (the body wins).
JSON request bodies are UNVERIFIED on Meta's side and are not read.
"""

from __future__ import annotations

import email.parser
import email.policy
from urllib.parse import parse_qs

from .wire import invalid

# Ref §1: "GO repeats the country param instead" — repeated values are joined.
_JOINED = {"allowlisted_country_codes", "children"}


def _merge(into: dict[str, str], pairs: dict[str, list[str]]) -> None:
    for name, values in pairs.items():
        if name in _JOINED and len(values) > 1:
            into[name] = ",".join(values)
        else:
            into[name] = values[-1]


def parse_query(query: str) -> dict[str, str]:
    out: dict[str, str] = {}
    _merge(out, parse_qs(query, keep_blank_values=True))
    return out


def parse_multipart(content_type: str, body: bytes) -> dict[str, list[str]]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    parser = email.parser.BytesParser(policy=email.policy.HTTP)
    message = parser.parsebytes(head + body)
    out: dict[str, list[str]] = {}
    if not message.is_multipart():
        return out
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        raw = payload if isinstance(payload, bytes) else b""
        charset = part.get_content_charset() or "utf-8"
        out.setdefault(name, []).append(raw.decode(charset, errors="replace"))
    return out


def parse_body(content_type: str, body: bytes) -> dict[str, list[str]]:
    kind = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return {}
    if kind == "application/x-www-form-urlencoded":
        return parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    if kind == "multipart/form-data":
        return parse_multipart(content_type, body)
    return {}


def merge_params(query: str, content_type: str, body: bytes) -> dict[str, str]:
    params = parse_query(query)
    _merge(params, parse_body(content_type, body))
    return params


def parse_bool(params: dict[str, str], name: str) -> bool | None:
    """``true``/``false`` (ref §1 "Booleans"); ``1``/``0`` and any case also read."""
    if name not in params:
        return None
    value = params[name].strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise invalid(f"Param {name} must be a boolean (true or false).")
