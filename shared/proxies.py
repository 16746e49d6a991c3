"""Who the client is, behind the reverse proxy.

Only a peer in ``TRUSTED_PROXIES`` is believed about the client: the client address is then
the right-most ``X-Forwarded-For`` entry that is not a trusted proxy itself, and the scheme
the nearest proxy's ``X-Forwarded-Proto``. From any other peer, both headers are ignored:
whatever a client writes there changes nothing.
"""

from __future__ import annotations

import ipaddress

from aiohttp import web

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    def __init__(self, cidrs: tuple[str, ...]) -> None:
        self.networks: tuple[Network, ...] = tuple(ipaddress.ip_network(c) for c in cidrs)

    def trusts(self, address: str | None) -> bool:
        if not address or not self.networks:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def client_address(self, request: web.Request) -> str:
        peer = request.remote or "unknown"
        if not self.trusts(peer):
            return peer
        hops = [
            hop.strip()
            for header in request.headers.getall("X-Forwarded-For", [])
            for hop in header.split(",")
            if hop.strip()
        ]
        for hop in reversed(hops):
            if not self.trusts(hop):
                return hop[:64]
        return hops[0][:64] if hops else peer

    def https(self, request: web.Request) -> bool:
        """Whether the client's connection is HTTPS (to us, or to the proxy in front)."""
        if request.secure:
            return True
        if not self.trusts(request.remote):
            return False
        nearest = request.headers.get("X-Forwarded-Proto", "").split(",")[-1]
        return nearest.strip().lower() == "https"


TRUSTED_PROXIES = web.AppKey("trusted_proxies", TrustedProxies)
