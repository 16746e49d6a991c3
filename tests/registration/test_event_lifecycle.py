"""Drafts are hidden until published; cancelling an event cancels every registration."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from tests.factories import auth, event_body, eventually, registration_body


async def test_draft_is_hidden_until_published(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    organizer = auth(servers.token())
    body = event_body(status="draft")
    r = await client.post("/api/v1/events", json=body, headers=organizer)
    assert r.status == 201 and (await r.json())["status"] == "draft"
    slug = body["slug"]
    assert (await client.get(f"/api/v1/events/{slug}")).status == 404
    r = await client.post(f"/api/v1/events/{slug}/registrations", json=registration_body())
    assert r.status == 404
    r = await client.get(f"/api/v1/events/{slug}", headers=organizer)
    assert r.status == 200 and (await r.json())["status"] == "draft"

    r = await client.post(f"/api/v1/events/{slug}/publish", headers=organizer)
    assert r.status == 200 and (await r.json())["status"] == "published"
    assert (await client.get(f"/api/v1/events/{slug}")).status == 200
    r = await client.post(f"/api/v1/events/{slug}/publish", headers=auth(servers.token("door")))
    assert r.status == 403


async def test_cancelling_an_event_cancels_registrations_and_revokes_tickets(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    tickets = await service_client("tickets")
    organizer = auth(servers.token())
    body = event_body(capacity=1)
    await client.post("/api/v1/events", json=body, headers=organizer)
    slug = body["slug"]
    url = f"/api/v1/events/{slug}/registrations"
    confirmed = await (await client.post(url, json=registration_body())).json()
    waitlisted = await (await client.post(url, json=registration_body())).json()
    assert (confirmed["status"], waitlisted["status"]) == ("confirmed", "waitlisted")

    async def ticket_status() -> str | None:
        r = await tickets.get(f"/api/v1/registrations/{confirmed['id']}/ticket", headers=organizer)
        return (await r.json())["status"] if r.status == 200 else None

    assert await eventually(ticket_status) == "valid"
    r = await client.post(f"/api/v1/events/{slug}/cancel", headers=organizer)
    assert r.status == 200, await r.text()
    assert (await r.json())["status"] == "cancelled"
    for reg in (confirmed, waitlisted):
        r = await client.get(f"/api/v1/registrations/{reg['id']}", headers=organizer)
        got = await r.json()
        assert (got["status"], got["cancel_reason"]) == ("cancelled", "event_cancelled")

    async def revoked() -> bool:
        return await ticket_status() == "revoked"

    await eventually(revoked)
    r = await client.post(url, json=registration_body())
    assert r.status == 409 and (await r.json())["code"] == "registration_closed"
    r = await client.post(f"/api/v1/events/{slug}/publish", headers=organizer)
    assert r.status == 409 and (await r.json())["code"] == "invalid_transition"


async def test_an_organizers_change_reaches_every_instance_at_once(
    service_client: Any, servers: Any
) -> None:
    """Registration keeps events in memory for a moment (event_cache.py); a change made
    through one instance holds at once there and, by notification, in the others, well
    before the kept copy would have expired."""
    one = await service_client("registration")
    other = await service_client("registration")
    organizer = auth(servers.token())
    body = event_body()
    await one.post("/api/v1/events", json=body, headers=organizer)
    url = f"/api/v1/events/{body['slug']}/registrations"
    for client in (one, other):  # both keep the published event now
        assert (await client.post(url, json=registration_body())).status == 201
    r = await one.post(f"/api/v1/events/{body['slug']}/cancel", headers=organizer)
    assert r.status == 200
    r = await one.post(url, json=registration_body())
    assert (r.status, (await r.json())["type"].rsplit("/", 1)[-1]) == (409, "registration_closed")

    async def refused_by_the_other() -> bool:
        return (await other.post(url, json=registration_body())).status == 409

    await eventually(refused_by_the_other, timeout=1.0)


@pytest.mark.parametrize("waitlist", [True, False])
async def test_a_registration_racing_the_cancel_gets_no_seat_and_is_cancelled_after(
    service_client: Any, servers: Any, waitlist: bool
) -> None:
    """A registration whose statement began before a cancel committed, and waited for the
    event row meanwhile, takes no seat (no ticket for a cancelled event). Without a
    waitlist it is refused as closed; with one it joins the line the cancel has already
    emptied, and the sweeper cancels it and tells the attendee."""
    client = await service_client("registration", offer_sweep_seconds=0.2)
    organizer = auth(servers.token())
    body = event_body(capacity=5, waitlist=waitlist)
    await client.post("/api/v1/events", json=body, headers=organizer)
    url = f"/api/v1/events/{body['slug']}/registrations"
    assert (await client.post(url, json=registration_body())).status == 201
    conn = await asyncpg.connect(
        servers.database_url, server_settings={"search_path": "registration"}
    )
    try:
        cancel = conn.transaction()
        await cancel.start()
        await conn.execute("UPDATE events SET status = 'cancelled' WHERE slug = $1", body["slug"])
        late = asyncio.create_task(client.post(url, json=registration_body()))

        async def blocked_by_the_cancel() -> bool:
            # The late registration's statement has reached the event row and waits for it.
            waiting = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))",
                conn.get_server_pid(),
            )
            return bool(waiting)

        await eventually(blocked_by_the_cancel)
        assert not late.done()  # waiting for the event row the cancel holds
        await cancel.commit()
    finally:
        await conn.close()
    r = await late
    got = await r.json()
    if not waitlist:
        assert (r.status, got["type"].rsplit("/", 1)[-1]) == (409, "registration_closed")
        return
    assert got["status"] == "waitlisted"

    async def cancelled() -> bool:
        r = await client.get(f"/api/v1/registrations/{got['id']}", headers=organizer)
        answer = await r.json()
        return (answer["status"], answer.get("cancel_reason")) == ("cancelled", "event_cancelled")

    await eventually(cancelled, timeout=10)
