"""Which requests the emulator answers: those addressed to it, not those a web page sends.

DNS rebinding: a page the user visits points a name it owns at 127.0.0.1, and
the browser then lets it read the emulator's answers (the token at
``/__emulator__/``, every post) as if they were its own.  The browser still
sends that name in ``Host``, so the emulator answers only a ``Host`` that is a
loopback name or address (``localhost``, 127.0.0.0/8, ``::1``, any port), the
address it is bound to, any IP address when it listens on a wildcard address
(``0.0.0.0`` or ``::``, in a container: a rebinding needs a name), and the
names given with ``--allow-host``.

A page can also send a simple form POST to 127.0.0.1 without any rebinding
(CSRF), so a request that changes state (POST, PUT, DELETE, PATCH) whose
``Origin`` is not ``http(s)://`` a loopback name or address is refused.
Clients other than browsers send no ``Origin``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

STATE_CHANGING = frozenset({"POST", "PUT", "DELETE", "PATCH"})
_NOT_IN_HOST = frozenset("/?#@\\ \t")


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def host_of(header: str | None) -> str | None:
    """The host name or address of a ``Host`` header, without port or brackets; None if bad."""
    if not header or _NOT_IN_HOST.intersection(header):
        return None
    try:
        parts = urlsplit(f"//{header}")
        _ = parts.port  # a port that is not a number is a bad header
    except ValueError:
        return None
    return (parts.hostname or "").rstrip(".") or None


def _loopback(host: str | None) -> bool:
    if host is None:
        return False
    ip = _ip(host)
    return host == "localhost" if ip is None else ip.is_loopback


class HostPolicy:
    """The rules above, for an emulator bound to ``bound`` with ``names`` allowed too."""

    def __init__(self, bound: str, names: Iterable[str] = ()) -> None:
        self.bound = _ip(bound)
        self.names = frozenset(n.lower().rstrip(".") for n in names)

    def refusal(self, method: str, host: str | None, origin: str | None) -> str | None:
        """Why the request is refused, or None to answer it."""
        name = host_of(host)
        if not self._host_allowed(name):
            return (
                f"the emulator answers requests addressed to a loopback name or address, not "
                f"Host {host!r}; to allow a name, run it with --allow-host NAME"
            )
        if method.upper() in STATE_CHANGING and origin is not None:
            parts = urlsplit(origin)
            if parts.scheme not in ("http", "https") or not self._origin_host(parts.hostname):
                return f"a request that changes the emulator from the page {origin!r} is refused"
        return None

    def _host_allowed(self, name: str | None) -> bool:
        if name is None:
            return False
        if _loopback(name) or name in self.names:
            return True
        ip = _ip(name)
        if ip is None or self.bound is None:
            return False
        return self.bound.is_unspecified or ip == self.bound

    def _origin_host(self, name: str | None) -> bool:
        return _loopback(name) or (name is not None and name in self.names)
