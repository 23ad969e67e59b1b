from __future__ import annotations

import socket

import pytest


def test_non_loopback_connections_are_refused() -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(OSError, match="only reach loopback"):
            s.connect(("192.0.2.1", 443))
    finally:
        s.close()


def test_name_lookups_of_other_hosts_are_refused() -> None:
    with pytest.raises(OSError, match="only reach loopback"):
        socket.getaddrinfo("graph.threads.net", 443)
    assert socket.getaddrinfo("127.0.0.1", 80)
    assert socket.getaddrinfo("localhost", 80)


def test_loopback_connections_are_allowed() -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        client.connect(server.getsockname())
    finally:
        client.close()
        server.close()
