"""OAuth and tokens (ref §2): authorize, code exchange, long-lived exchange,
refresh, debug_token, app tokens, and resolving the token of a request."""

from __future__ import annotations

import html
import time
from urllib.parse import urlencode

from .model import ALL_SCOPES, DAY, GRANT, HOUR, AuthCode, Token
from .state import Store, new_secret
from .text import is_http_url
from .wire import (
    SUB_INVALID_PARAMETER,
    SUB_REFRESH,
    GraphError,
    OAuthCodeError,
    Response,
    json_response,
)

APPLICATION_NAME = "threadsync emulator"
_AUTH_HEADER = {"WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token"'}


def _http_date(t: float) -> str:
    return time.strftime("%A, %d-%b-%y %H:%M:%S UTC", time.gmtime(t))


def token_error(message: str, subcode: int) -> GraphError:
    # ref §5: code 190; the emulator answers HTTP 400, as Graph usually does.
    return GraphError(message, code=190, subcode=subcode, headers=_AUTH_HEADER)


def resolve_token(store: Store, value: str | None, *, allow_app: bool = False) -> Token:
    """The token of a request, or error 190 (missing: 467, unknown: 467, expired: 463)."""
    if not value:
        raise token_error("An access token is required to request this resource.", 467)
    tok = store.tokens.get(value)
    if tok is None and value.count("|") == 2:
        _, app_id, secret = value.split("|")
        if app_id == store.app_id and secret == store.app_secret:  # ref §2 "App access token"
            tok = Token(value, "", app_id, "app", 0.0, None, [])
    if tok is None:
        raise token_error("Invalid OAuth access token - Cannot parse access token", 467)
    now = store.clock.now()
    if tok.expires_at is not None and now >= tok.expires_at:
        raise token_error(
            f"Error validating access token: Session has expired on {_http_date(tok.expires_at)}. "
            f"The current time is {_http_date(now)}.",
            463,
        )
    if tok.kind == "app" and not allow_app:
        raise token_error("A user access token is required for this request.", 467)
    return tok


def split_scopes(value: str) -> list[str]:
    # ref §2 "Scopes": comma-separated, or a space-separated list
    return [s for s in value.replace(",", " ").split() if s]


def _page(status: int, title: str, message: str) -> Response:
    body = (
        f"<!doctype html><title>{html.escape(title)}</title>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>"
    ).encode()
    return Response(status, body, {"Content-Type": "text/html; charset=UTF-8"})


def _has_control(value: str) -> bool:
    return any(ord(c) < 0x20 or ord(c) == 0x7F for c in value)


def _redirect(uri: str, query: dict[str, str]) -> Response:
    sep = "&" if "?" in uri else "?"
    return Response(302, b"", {"Location": f"{uri}{sep}{urlencode(query)}#_"})


def authorize(store: Store, params: dict[str, str]) -> Response:
    """``GET /oauth/authorize``: auto-consent, 302 back with ``?code=...&state=...#_``.

    Emulator extras: ``emulator_deny=1`` answers as a user who cancels;
    ``emulator_user=<username>`` picks who consents (default: the primary user).
    """
    for name in ("client_id", "redirect_uri", "scope", "response_type"):
        if not params.get(name):  # ref §2: every param is required except state
            return _page(400, "Invalid Request", f"The parameter {name} is required.")
    if params["client_id"] != store.app_id:
        return _page(
            400, "Invalid App ID", "The provided app ID does not look like a valid app ID."
        )
    if params["response_type"] != "code":
        return _page(400, "Invalid Request", "response_type must be code.")
    redirect_uri = params["redirect_uri"]
    if not is_http_url(redirect_uri) or _has_control(redirect_uri):
        # It goes back in a Location header: a CR or LF would start headers of its own.
        return _page(400, "Invalid Redirect URI", "redirect_uri must be an http(s) URL.")
    scopes = split_scopes(params["scope"])
    unknown = [s for s in scopes if s not in ALL_SCOPES]
    if unknown or "threads_basic" not in scopes:
        return _page(400, "Invalid Scopes", f"threads_basic is required; unknown: {unknown}.")
    state = {"state": params["state"]} if "state" in params else {}
    if params.get("emulator_deny", "") in ("1", "true"):
        denied = {
            "error": "access_denied",
            "error_reason": "user_denied",
            "error_description": "The user denied your request",
        }
        return _redirect(redirect_uri, {**denied, **state})
    user_id = store.primary_user
    if params.get("emulator_user"):
        match = [u for u in store.users.values() if u.username == params["emulator_user"]]
        if not match:
            return _page(400, "Unknown User", f"No emulated user {params['emulator_user']!r}.")
        user_id = match[0].id
    code = new_secret("AQ", 80)
    expires = store.clock.now() + HOUR  # ref §2: a code lasts 1 h and is single-use
    store.codes[code] = AuthCode(code, user_id, store.app_id, redirect_uri, scopes, expires)
    store.dirty = True
    return _redirect(redirect_uri, {"code": code, **state})


def _check_app(store: Store, params: dict[str, str]) -> None:
    if params.get("client_id") != store.app_id:
        raise OAuthCodeError("Error validating application. Invalid application ID.")
    if params.get("client_secret") != store.app_secret:
        raise OAuthCodeError("Error validating client secret.")


def oauth_access_token(store: Store, params: dict[str, str]) -> Response:
    """``/oauth/access_token``: code exchange, or an app token for client_credentials."""
    grant = params.get("grant_type", "")
    if grant == "client_credentials":  # ref §2 "App access token"
        _check_app(store, params)
        value = f"TH|{store.app_id}|{new_secret('', 27)}"
        store.tokens[value] = Token(value, "", store.app_id, "app", store.clock.now(), None, [])
        store.dirty = True
        return json_response({"access_token": value, "token_type": "bearer"})
    if grant != "authorization_code":
        raise OAuthCodeError("Unsupported grant_type; use authorization_code.")
    _check_app(store, params)
    code = store.codes.get(params.get("code", "").split("#", 1)[0])
    if code is None or code.used or store.clock.now() >= code.expires_at:
        raise OAuthCodeError("Matching code was not found or was already used")
    if params.get("redirect_uri") != code.redirect_uri:
        raise OAuthCodeError(
            "Error validating verification code. Please make sure your redirect_uri is "
            "identical to the one you used in the OAuth dialog request"
        )
    code.used = True
    tok = store.issue_token(code.user_id, "short", code.scopes)
    # ref §2: user_id is a JSON number here, unlike every other id
    return json_response({"access_token": tok.value, "user_id": int(code.user_id)})


def _check_secret(store: Store, params: dict[str, str]) -> None:
    if params.get("client_secret") != store.app_secret:
        raise GraphError("Error validating client secret.", code=1, subcode=SUB_INVALID_PARAMETER)


def _long_lived(tok: Token, now: float) -> Response:
    expires = round((tok.expires_at or now) - now)
    return json_response({"access_token": tok.value, "token_type": "bearer", "expires_in": expires})


def exchange(store: Store, params: dict[str, str], token_value: str | None) -> Response:
    """``GET /access_token?grant_type=th_exchange_token`` (ref §2 "Short → long-lived")."""
    if params.get("grant_type") != "th_exchange_token":
        raise GraphError(
            "Invalid parameter",
            code=100,
            subcode=SUB_INVALID_PARAMETER,
            user_msg="grant_type must be th_exchange_token.",
        )
    _check_secret(store, params)
    short = resolve_token(store, token_value)
    if short.kind != "short":  # ref §2 anecdote: exchanging a long-lived token
        raise GraphError("Session key invalid", code=452, subcode=4279019)
    tok = store.issue_token(
        short.user_id, "long", short.scopes, grant_expires_at=short.grant_expires_at
    )
    return _long_lived(tok, store.clock.now())


def refresh(store: Store, params: dict[str, str], token_value: str | None) -> Response:
    """``GET /refresh_access_token`` (ref §2 "Refresh": long-lived, >= 24 h old, unexpired)."""
    if params.get("grant_type") != "th_refresh_token":
        raise GraphError(
            "Invalid parameter",
            code=100,
            subcode=SUB_INVALID_PARAMETER,
            user_msg="grant_type must be th_refresh_token.",
        )
    old = resolve_token(store, token_value)
    now = store.clock.now()
    if old.kind != "long":
        raise GraphError(
            "Invalid parameter",
            code=100,
            subcode=SUB_REFRESH,
            user_msg="Only a long-lived token can be refreshed.",
        )
    if now - old.issued_at < DAY:
        raise GraphError(
            "Invalid parameter",
            code=100,
            subcode=SUB_REFRESH,
            user_msg="A long-lived token can be refreshed only once it is at least 24 hours old.",
        )
    if "threads_basic" not in old.scopes:
        raise GraphError(
            "Application does not have permission for this action", code=10, subcode=10
        )
    tok = store.issue_token(old.user_id, "long", old.scopes, grant_expires_at=now + GRANT)
    return _long_lived(tok, now)


def debug_token(store: Store, params: dict[str, str], token_value: str | None) -> Response:
    """``GET /debug_token?input_token=`` (ref §2 "Token debug")."""
    resolve_token(store, token_value, allow_app=True)
    value = params.get("input_token")
    if not value:
        raise GraphError(
            "Invalid parameter",
            code=100,
            subcode=SUB_INVALID_PARAMETER,
            user_msg="The parameter input_token is required.",
        )
    try:
        tok = resolve_token(store, value, allow_app=True)
    except GraphError as exc:
        known = store.tokens.get(value)
        data: dict[str, object] = {
            "error": {"code": 190, "message": exc.message, "subcode": exc.subcode},
            "is_valid": False,
            "scopes": [],
        }
        if known is not None:
            data.update(_describe(known))
            data["is_valid"] = False
        return json_response({"data": data})
    return json_response({"data": {**_describe(tok), "is_valid": True}})


def _describe(tok: Token) -> dict[str, object]:
    if tok.kind == "app":
        return {"app_id": tok.app_id, "type": "APP", "application": APPLICATION_NAME}
    return {
        "type": "USER",
        "application": APPLICATION_NAME,
        "data_access_expires_at": int(tok.grant_expires_at or 0),
        "expires_at": int(tok.expires_at or 0),
        "issued_at": int(tok.issued_at),
        "scopes": list(tok.scopes),
        "user_id": tok.user_id,
    }


def request_token(params: dict[str, str], headers: dict[str, str]) -> str | None:
    """The token of a request: Bearer header, else ``access_token`` (query or form)."""
    auth = headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() in ("bearer", "oauth") and value.strip():
        return value.strip()
    return params.get("access_token") or None
