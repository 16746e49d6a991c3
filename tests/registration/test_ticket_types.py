"""Ticket types: quotas that never oversell, access codes for invited groups, waitlists that
respect the type's quota, and the type carried to the ticket."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.factories import auth, event_body, registration_body
from tests.factories import form as with_csrf
from tests.journey import ticket


async def _setup(client: Any, servers: Any, capacity: int = 10) -> str:
    organizer = auth(servers.token())
    body = event_body(capacity=capacity)
    await client.post("/api/v1/events", json=body, headers=organizer)
    slug = body["slug"]
    for t in (
        {"slug": "participant", "name": {"pl": "Uczestnik", "en": "Participant"}},
        {"slug": "press", "name": {"pl": "Prasa", "en": "Press"}, "quota": 2},
        {
            "slug": "exhibitor",
            "name": {"pl": "Wystawca", "en": "Exhibitor"},
            "access_code": "TARGI-2026",
        },
    ):
        r = await client.post(f"/api/v1/events/{slug}/ticket-types", json=t, headers=organizer)
        assert r.status == 201, await r.text()
    return str(slug)


async def _register(client: Any, slug: str, **fields: Any) -> Any:
    return await client.post(
        f"/api/v1/events/{slug}/registrations", json=registration_body(**fields)
    )


async def test_type_quota_never_oversells_under_concurrency(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    slug = await _setup(client, servers)
    results = await asyncio.gather(
        *(_register(client, slug, ticket_type="press") for _ in range(12))
    )
    statuses = sorted(r.status for r in results)
    assert statuses == [201, 201] + [409] * 10
    codes = {(await r.json())["code"] for r in results if r.status == 409}
    assert codes == {"ticket_type_sold_out"}
    r = await client.get(f"/api/v1/events/{slug}/ticket-types")
    types = {t["slug"]: t for t in (await r.json())["ticket_types"]}
    assert types["press"]["available"] == 0 and types["exhibitor"]["restricted"] is True
    r = await client.get(f"/api/v1/events/{slug}")
    assert (await r.json())["seats_left"] == 8  # refused ones took no event seat


async def test_access_codes_and_choosing_a_type(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    slug = await _setup(client, servers)
    r = await _register(client, slug)  # two public types: must choose
    assert r.status == 400 and (await r.json())["errors"][0]["field"] == "ticket_type"
    r = await _register(client, slug, ticket_type="exhibitor")
    assert r.status == 403 and (await r.json())["errors"][0]["field"] == "access_code"
    r = await _register(client, slug, ticket_type="exhibitor", access_code="WRONG-CODE")
    assert r.status == 403
    r = await _register(client, slug, ticket_type="exhibitor", access_code="TARGI-2026")
    assert r.status == 201, await r.text()
    r = await _register(client, slug, ticket_type="vip")
    assert r.status == 400 and (await r.json())["code"] == "unknown_ticket_type"


async def test_waitlist_offers_skip_sold_out_types_and_tickets_carry_the_type(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    tickets = await service_client("tickets")
    slug = await _setup(client, servers, capacity=2)
    press = [await (await _register(client, slug, ticket_type="press")).json() for _ in range(2)]
    assert [p["status"] for p in press] == ["confirmed", "confirmed"]
    # Event full: the next ones wait; a third press person first, then a participant.
    late_press = await (await _register(client, slug, ticket_type="press")).json()
    participant = await (await _register(client, slug, ticket_type="participant")).json()
    assert (late_press["status"], participant["status"]) == ("waitlisted", "waitlisted")

    # The new seat is offered past the press person (press is sold out) to the participant;
    # a freed press seat then goes to the press person.
    organizer = auth(servers.token())
    await client.patch(f"/api/v1/events/{slug}", json={"capacity": 3}, headers=organizer)
    r = await client.get(f"/api/v1/registrations/{late_press['id']}", headers=organizer)
    assert (await r.json())["status"] == "waitlisted"  # skipped: press is sold out
    r = await client.get(f"/api/v1/registrations/{participant['id']}", headers=organizer)
    assert (await r.json())["status"] == "offered"
    await client.delete(f"/api/v1/registrations/{press[0]['id']}", headers=organizer)
    r = await client.get(f"/api/v1/registrations/{late_press['id']}", headers=organizer)
    assert (await r.json())["status"] == "offered"

    assert (await ticket(tickets, press[1], organizer))["status"] == "valid"


async def test_the_event_form_offers_types_and_checks_the_access_code(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    slug = await _setup(client, servers)
    r = await client.get(f"/events/{slug}?lang=en")
    page = await r.text()
    assert 'name="ticket_type"' in page and "Exhibitor (invited only)" in page
    assert 'name="access_code"' in page
    form = {
        "name": "Jan Wystawca",
        "email": "jan@example.org",
        "lang": "pl",
        "consent": "on",
        "ticket_type": "exhibitor",
        "access_code": "NOPE-NOPE",
    }
    r = await client.post(
        f"/events/{slug}?lang=pl", data=with_csrf(client, form), allow_redirects=False
    )
    assert r.status == 403
    assert (
        'id="access-code-error">Ten rodzaj biletu wymaga poprawnego kodu dostępu.' in await r.text()
    )
    r = await client.post(
        f"/events/{slug}?lang=pl",
        data=with_csrf(client, {**form, "access_code": "TARGI-2026"}),
        allow_redirects=False,
    )
    assert r.status == 303 and r.headers["Location"].startswith("/registrations/")
