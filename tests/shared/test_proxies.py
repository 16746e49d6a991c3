"""Who the client is behind a proxy: only a trusted peer is believed, and then only for the
hops it vouches for (the right-most address that is not a trusted proxy)."""

from __future__ import annotations

import socket
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from shared.proxies import TrustedProxies
from shared.ratelimit import address_key

# The proxy is 127.0.0.1 and the 10.0.0.0/8 hops before it; other loopback addresses are
# clients connecting straight to the service.
PROXIES = TrustedProxies(("127.0.0.1/32", "10.0.0.0/8"))


async def _seen(server: TestServer, peer: str, headers: dict[str, str]) -> Any:
    connector = aiohttp.TCPConnector(family=socket.AF_INET, local_addr=(peer, 0))
    async with aiohttp.ClientSession(connector=connector) as http:
        r = await http.get(f"http://127.0.0.1:{server.port}/", headers=headers)
        return await r.json()


async def test_the_client_is_the_right_most_untrusted_hop() -> None:
    async def whoami(request: web.Request) -> web.Response:
        return web.json_response(
            {"client": PROXIES.client_address(request), "https": PROXIES.https(request)}
        )

    app = web.Application()
    app.router.add_get("/", whoami)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        xff, https = "X-Forwarded-For", {"X-Forwarded-Proto": "https"}
        assert await _seen(server, "127.0.0.1", {}) == {"client": "127.0.0.1", "https": False}
        # Through the proxy: the hop it appended; what the client wrote before it is not.
        assert await _seen(server, "127.0.0.1", {xff: "6.6.6.6, 203.0.113.7", **https}) == {
            "client": "203.0.113.7",
            "https": True,
        }
        # Trusted hops are skipped; a proxy chain that is all trusted gives its first hop.
        assert (await _seen(server, "127.0.0.1", {xff: "203.0.113.7, 10.1.2.3"}))[
            "client"
        ] == "203.0.113.7"
        assert (await _seen(server, "127.0.0.1", {xff: "10.9.9.9, 10.1.2.3"}))[
            "client"
        ] == "10.9.9.9"
        # Straight from a client: its headers change nothing.
        assert await _seen(server, "127.0.0.7", {xff: "203.0.113.7", **https}) == {
            "client": "127.0.0.7",
            "https": False,
        }
    finally:
        await server.close()


def test_no_trusted_proxies_trusts_nobody() -> None:
    assert not TrustedProxies(()).trusts("127.0.0.1")
    assert not PROXIES.trusts("not an address")
    assert PROXIES.trusts("10.200.0.1") and not PROXIES.trusts("11.0.0.1")


def test_a_limit_counts_an_ipv6_client_by_its_64() -> None:
    assert address_key("2001:db8:1:2:3:4:5:6") == address_key("2001:db8:1:2:ffff::1")
    assert address_key("2001:db8:1:2::1") != address_key("2001:db8:1:3::1")
    assert address_key("203.0.113.7") == "ip:203.0.113.7"
