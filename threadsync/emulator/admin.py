"""Admin endpoints under ``/__emulator__/``: no token, loopback clients only.

=======  ===================================  ==========================================
method   path                                 does
=======  ===================================  ==========================================
GET      /__emulator__/                       user id, username, token, app id/secret
POST     /__emulator__/reset                  fresh world (primary token stays valid)
GET      /__emulator__/posts                  every post with every create parameter
GET      /__emulator__/containers             every container with its status
GET      /__emulator__/requests               the request log, secrets redacted
DELETE   /__emulator__/requests               clear the request log
GET      /__emulator__/clock                  ``{"now": unix seconds}``
POST     /__emulator__/clock/advance          ``{"seconds": N}``
POST     /__emulator__/tokens                 ``{"kind","age","scopes","user_id","username"}``
POST     /__emulator__/users                  ``{"username", ...profile fields}``
GET/POST /__emulator__/processing             ``{"text": 0.3, "video": "5s"}`` or ``{"spec"}``
GET      /__emulator__/faults                 the rules, with matched/fired counts
POST     /__emulator__/faults                 add a rule (see faults.py)
DELETE   /__emulator__/faults                 remove every rule, release stalls
GET      /__emulator__/stalls                 every stall so far
GET      /__emulator__/stalls/next?timeout=S  the next unreported stall (404 on timeout)
POST     /__emulator__/stalls/release         release every stalled request
=======  ===================================  ==========================================
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from .core import Core
from .params import merge_params
from .wire import Response, json_response

PREFIX = "/__emulator__"


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return host == "localhost"


def _coerce(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def read_body(query: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    content_type = headers.get("content-type", "")
    data: dict[str, Any] = {
        k: _coerce(v) for k, v in merge_params(query, content_type, b"").items()
    }
    if "json" in content_type and body.strip():
        parsed = json.loads(body)
        if not isinstance(parsed, dict):
            raise ValueError("the body must be a JSON object")
        data.update(parsed)
    else:
        form = merge_params("", content_type, body)
        data.update({k: _coerce(v) for k, v in form.items()})
    return data


def _error(status: int, message: str) -> Response:
    return json_response({"error": {"message": message, "type": "EmulatorAdmin"}}, status)


def handle(
    core: Core,
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    client: str,
) -> Response:
    if not is_loopback(client):
        return _error(403, "admin endpoints answer loopback clients only")
    try:
        args = read_body(query, headers, body)
        return _route(core, method, path[len(PREFIX) :].strip("/"), args)
    except (ValueError, TypeError) as exc:
        return _error(400, str(exc))


def _route(core: Core, method: str, action: str, args: dict[str, Any]) -> Response:
    if action == "" and method == "GET":
        return json_response(core.info())
    if action == "reset" and method == "POST":
        core.reset()
        return json_response({"success": True})
    if action == "posts" and method == "GET":
        return json_response({"data": core.posts()})
    if action == "containers" and method == "GET":
        return json_response({"data": core.containers()})
    if action == "requests":
        if method == "DELETE":
            core.log.clear()
            return json_response({"success": True})
        return json_response({"data": core.requests()})
    if action == "clock":
        return json_response({"now": core.clock.now()})
    if action == "clock/advance" and method == "POST":
        return json_response({"now": core.advance(float(args.get("seconds", 0)))})
    if action == "tokens" and method == "POST":
        return json_response(core.mint_token(**args))
    if action == "users" and method == "POST":
        return json_response(core.add_user(**args))
    if action == "processing":
        if method == "POST":
            spec = args.pop("spec", None)
            return json_response(core.set_processing(spec, **args))
        return json_response(core.info()["processing"])
    if action == "faults":
        return _faults(core, method, args)
    if action.startswith("stalls"):
        return _stalls(core, method, action, args)
    return _error(404, f"no admin action {method} {PREFIX}/{action}")


def _faults(core: Core, method: str, args: dict[str, Any]) -> Response:
    if method == "POST":
        return json_response(core.faults.add(args))
    if method == "DELETE":
        core.faults.clear()
        return json_response({"success": True})
    return json_response({"data": core.faults.describe()})


def _stalls(core: Core, method: str, action: str, args: dict[str, Any]) -> Response:
    if action == "stalls/release" and method == "POST":
        return json_response({"released": core.faults.release_stalls()})
    if action == "stalls/next":
        stall = core.faults.wait_for_stall(float(args.get("timeout", 10)))
        if stall is None:
            return _error(404, "no stall before the timeout")
        return json_response(stall)
    return json_response({"data": core.faults.stall_list()})
