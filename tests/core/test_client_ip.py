"""Client addresses: X-Forwarded-For is believed only from a trusted proxy."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import RequestFactory

from core.web import client_ip


def request(peer: str, forwarded: str | None = None) -> Any:
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    req = RequestFactory(app=Litestar()).get("/", headers=headers)
    req.scope["client"] = (peer, 50000)
    return req


def test_untrusted_peer_header_is_ignored() -> None:
    assert client_ip(request("203.0.113.9", "198.51.100.1"), ()) == "203.0.113.9"
    assert client_ip(request("203.0.113.9", "198.51.100.1"), ("10.0.0.1",)) == "203.0.113.9"


def test_trusted_proxy_gives_last_untrusted_hop() -> None:
    proxies = ("10.0.0.1", "10.0.0.2")
    assert client_ip(request("10.0.0.1", "198.51.100.1"), proxies) == "198.51.100.1"
    # A client can prepend anything; only the hop our proxy added counts.
    spoofed = request("10.0.0.1", "1.2.3.4, 198.51.100.1, 10.0.0.2")
    assert client_ip(spoofed, proxies) == "198.51.100.1"
    assert client_ip(request("10.0.0.1", "not-an-ip"), proxies) == "10.0.0.1"
