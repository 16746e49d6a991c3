"""The route tables and what is generated from them: the committed Caddyfiles are what the
tables generate, no public path belongs to two services, and who may call a route is
enforced by the table."""

from __future__ import annotations

import re
import uuid
from typing import Any

from cnk import proxy
from shared.routes import Who
from tests.factories import auth


def test_the_committed_caddyfiles_are_what_the_route_tables_generate() -> None:
    assert proxy.stale_files() == [], "run .venv/bin/cnk proxy --write"


def test_each_public_path_belongs_to_one_service() -> None:
    tables = proxy.route_tables()
    patterns = {s: [re.compile(p) for p in proxy.public_paths(r)] for s, r in tables.items()}
    for service, routes in tables.items():
        for route in routes:
            path = re.sub(r"\{[^}]+\}", "x1", route.path)
            owners = [s for s, found in patterns.items() if any(p.match(path) for p in found)]
            if route.who is Who.OPERATOR:
                expected = []
            elif route.on_origin:
                expected = [service]
            else:  # answered on the service's port, by another service on the origin
                expected = [o for o in owners if o != service][:1]
                assert expected, (route.method, route.path, "no owner on the origin")
            assert owners == expected, (route.method, route.path, owners)


def test_operator_routes_and_token_revocation_are_the_only_ones_off_the_origin() -> None:
    for service, routes in proxy.route_tables().items():
        off = {r.path for r in routes if not r.public}
        revoke = set() if service == "checkin" else {"/api/v1/tokens/{token_id}"}
        assert off == {"/healthz", "/readyz", "/metrics"} | revoke
        assert all(r.who is Who.OPERATOR or not r.on_origin for r in routes if not r.public)


async def test_the_route_table_refuses_a_wrong_role_before_the_handler(
    service_client: Any, servers: Any
) -> None:
    registration = await service_client("registration")
    tickets = await service_client("tickets")
    door = auth(servers.token("door"))
    r = await registration.patch("/api/v1/events/any", json={}, headers=door)
    assert r.status == 403 and (await r.json())["code"] == "forbidden"
    r = await registration.patch(
        "/api/v1/events/any", json={}, headers=auth(servers.token(events=["other"]))
    )
    assert r.status == 403 and (await r.json())["code"] == "event_not_covered"
    r = await tickets.post("/api/v1/keys", headers=auth(servers.token(events=["one-event"])))
    assert r.status == 403 and (await r.json())["code"] == "all_events_needed"
    r = await tickets.post(f"/api/v1/keys/{uuid.uuid4()}/retire")
    assert r.status == 401 and (await r.json())["code"] == "unauthorized"
