"""Staff tokens at the origin: a revoked one is refused by every service within a second, and
one valid for longer than the server allows is refused everywhere."""

from __future__ import annotations

import uuid
from typing import Any

import aiohttp

from shared.auth import STAFF_AUTH, issue_token
from tests.factories import auth, eventually
from tests.origin.conftest import Origin

# A staff route of each service, asked with the token under test.
STAFF_ROUTES = {
    "registration": ("GET", "/api/v1/events/any-event/stats"),
    "tickets": ("POST", "/api/v1/keys/999999/retire"),
    "checkin": ("GET", "/api/v1/door-tokens/revoked"),
    "notifications": ("GET", f"/api/v1/deliveries?registration_id={uuid.uuid4()}"),
}


async def _codes(origin: Origin, headers: dict[str, str]) -> dict[str, tuple[int, str]]:
    found = {}
    async with origin.client() as http:
        for service, (method, path) in STAFF_ROUTES.items():
            r = await http.request(method, f"{origin.url}{path}", headers=headers)
            body = await r.json()
            found[service] = (r.status, body.get("code", "") if r.status >= 400 else "ok")
    return found


async def test_a_revoked_token_is_refused_by_every_service_within_a_second(
    origin: Origin, servers: Any
) -> None:
    token, claims = issue_token(servers.staff_private_key, role="organizer", events=["*"])
    before = await _codes(origin, auth(token))
    assert all(status != 401 for status, _ in before.values()), before

    async with origin.client() as http:
        r = await http.delete(
            f"{origin.url}/api/v1/door-tokens/{claims.jti}", headers=auth(servers.token())
        )
        assert r.status == 204, await r.text()

    # Known to every instance of every service within a second...
    async def known_everywhere() -> bool:
        return all(
            claims.jti in app[STAFF_AUTH].revoked for apps in origin.apps.values() for app in apps
        )

    await eventually(known_everywhere, timeout=1.0, interval=0.02)
    # ...and so refused by each.
    codes = await _codes(origin, auth(token))
    assert all(answer == (401, "token_revoked") for answer in codes.values()), codes


async def test_a_token_valid_too_long_is_refused_everywhere(origin: Origin, servers: Any) -> None:
    token, _ = issue_token(
        servers.staff_private_key, role="organizer", events=["*"], ttl_seconds=31 * 86400
    )
    codes = await _codes(origin, auth(token))
    assert all(c == (401, "token_lifetime_too_long") for c in codes.values()), codes


async def test_any_service_revokes_a_token_for_all_four(origin: Origin, servers: Any) -> None:
    """``DELETE /api/v1/tokens/{id}`` on each service's own port, and on the origin: the
    token is refused by all four services within a second."""
    admin = auth(servers.token(role="admin", events=["*"]))
    places = [(s, f"{origin.servers[s][0].make_url('')}") for s in STAFF_ROUTES]
    places.append(("origin", origin.url))
    async with aiohttp.ClientSession() as plain, origin.client() as https:
        for where, base in places:
            token, claims = issue_token(servers.staff_private_key, role="organizer", events=["*"])
            assert all(status != 401 for status, _ in (await _codes(origin, auth(token))).values())
            http = https if where == "origin" else plain
            r = await http.delete(f"{base}/api/v1/tokens/{claims.jti}", headers=admin)
            assert r.status == 204, (where, await r.text())

            async def known_everywhere(jti: str = claims.jti) -> bool:
                apps = [app for found in origin.apps.values() for app in found]
                return all(jti in app[STAFF_AUTH].revoked for app in apps)

            await eventually(known_everywhere, timeout=1.0, interval=0.02)
            codes = await _codes(origin, auth(token))
            assert all(answer == (401, "token_revoked") for answer in codes.values()), (
                where,
                codes,
            )
