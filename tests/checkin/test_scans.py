from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg

from services.checkin.attendees import db
from services.checkin.scans.batcher import SCAN_BATCHER, WORKERS
from tests.factories import auth, event_body, eventually
from tests.journey import ticketed


async def _ticketed(
    service_client: Any, servers: Any, **reg: Any
) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    services = [await service_client(s) for s in ("registration", "tickets", "checkin")]
    return await _ticketed_on(*services, servers, **reg)


async def _ticketed_on(
    registration: Any, tickets: Any, checkin: Any, servers: Any, **reg: Any
) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """A new event with one ticket that checkin knows: (checkin, the event, the ticket)."""
    body = event_body()
    r = await registration.post("/api/v1/events", json=body, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    organizer = auth(servers.token())
    [done] = await ticketed((registration, tickets, checkin), body["slug"], organizer, reg)
    issued = done.ticket
    return checkin, body, issued


async def test_scan_accepted_then_already_checked_in(service_client: Any, servers: Any) -> None:
    checkin, event, issued = await _ticketed(service_client, servers, name="王芳")
    door = auth(servers.token("door", [event["slug"]]))
    scan_id = str(uuid.uuid4())
    r = await checkin.post(
        "/api/v1/scans",
        json={"code": issued["code"], "gate": "hall-a", "scan_id": scan_id},
        headers=door,
    )
    assert r.status == 200, await r.text()
    first = await r.json()
    assert first["result"] == "accepted"
    assert first["ticket"]["holder_name"] == "王芳"
    assert first["ticket"]["event"]["slug"] == event["slug"]

    r = await checkin.post(
        "/api/v1/scans",
        json={"code": issued["code"], "gate": "hall-b", "scan_id": str(uuid.uuid4())},
        headers=door,
    )
    second = await r.json()
    assert second["result"] == "already_checked_in", second
    assert second["first_checkin"]["gate"] == "hall-a"
    assert second["first_checkin"]["at"] == first["scanned_at"]

    # Retrying the first request returns the original verdict and records nothing new.
    r = await checkin.post(
        "/api/v1/scans",
        json={"code": issued["code"], "gate": "hall-a", "scan_id": scan_id},
        headers=door,
    )
    assert await r.json() == first
    r = await checkin.get(
        f"/api/v1/events/{event['slug']}/attendance", headers=auth(servers.token())
    )
    att = await r.json()
    assert (att["registered"], att["checked_in"], att["scans"]) == (1, 1, 2)


async def test_concurrent_scans_of_one_ticket_accept_exactly_one(
    service_client: Any, servers: Any
) -> None:
    checkin, event, issued = await _ticketed(service_client, servers)
    door = auth(servers.token("door", [event["slug"]]))

    async def scan(gate: str, scan_id: str) -> dict[str, Any]:
        r = await checkin.post(
            "/api/v1/scans",
            json={"code": issued["code"], "gate": gate, "scan_id": scan_id},
            headers=door,
        )
        assert r.status == 200, await r.text()
        return dict(await r.json())

    results = await asyncio.gather(*(scan(f"gate-{i}", str(uuid.uuid4())) for i in range(20)))
    verdicts = sorted(r["result"] for r in results)
    assert verdicts == ["accepted"] + ["already_checked_in"] * 19
    [winner] = [r for r in results if r["result"] == "accepted"]
    assert {r["first_checkin"]["gate"] for r in results if r is not winner} == {winner["gate"]}

    same_id = str(uuid.uuid4())
    replies = await asyncio.gather(*(scan("gate-x", same_id) for _ in range(10)))
    assert all(r == replies[0] for r in replies)
    r = await checkin.get(
        f"/api/v1/events/{event['slug']}/attendance", headers=auth(servers.token())
    )
    attendance = await r.json()
    assert (attendance["checked_in"], attendance["scans"]) == (1, 21)


async def test_a_token_for_another_event_gets_wrong_event(
    service_client: Any, servers: Any
) -> None:
    checkin, event, issued = await _ticketed(service_client, servers)
    r = await checkin.post(
        "/api/v1/scans",
        json={"code": issued["code"], "gate": "hall", "scan_id": str(uuid.uuid4())},
        headers=auth(servers.token("door", ["some-other-event"])),
    )
    assert (await r.json())["result"] == "wrong_event"
    r = await checkin.post(
        "/api/v1/scans",
        json={
            "code": issued["code"],
            "gate": "hall",
            "scan_id": str(uuid.uuid4()),
            "event": "some-other-event",
        },
        headers=auth(servers.token("door")),
    )
    assert (await r.json())["result"] == "wrong_event"
    r = await checkin.post(
        "/api/v1/scans",
        json={"code": issued["code"], "gate": "side", "scan_id": str(uuid.uuid4())},
        headers=auth(servers.token("door", gate="hall")),
    )
    assert r.status == 403 and (await r.json())["code"] == "gate_not_covered"


async def test_cancelled_registration_scans_as_revoked(service_client: Any, servers: Any) -> None:
    checkin, event, issued = await _ticketed(service_client, servers)
    registration = await service_client("registration")
    r = await registration.delete(
        f"/api/v1/registrations/{issued['registration_id']}", headers=auth(servers.token())
    )
    assert r.status == 200, await r.text()
    organizer = auth(servers.token())

    async def revoked() -> bool:
        r = await checkin.get(f"/api/v1/events/{event['slug']}/attendance", headers=organizer)
        body = await r.json()
        return body["tickets"] == 0 and body["registered"] == 0

    await eventually(revoked)
    r = await checkin.post(
        "/api/v1/scans",
        json={"code": issued["code"], "gate": "hall", "scan_id": str(uuid.uuid4())},
        headers=auth(servers.token("door")),
    )
    verdict = await r.json()
    assert verdict["result"] == "revoked"
    assert verdict["message"]["en"] == "This ticket has been cancelled."


async def test_a_cancelled_registration_is_refused_while_tickets_is_down(
    service_client: Any, servers: Any
) -> None:
    """Checkin learns of a cancellation from registration, and of the ticket's revocation
    from tickets: with tickets down, the cancellation alone refuses the ticket, at the
    door and in the offline pack."""
    registration, tickets, checkin = [
        await service_client(s) for s in ("registration", "tickets", "checkin")
    ]
    checkin, event, issued = await _ticketed_on(registration, tickets, checkin, servers)
    await tickets.close()
    organizer = auth(servers.token())
    r = await registration.delete(
        f"/api/v1/registrations/{issued['registration_id']}", headers=organizer
    )
    assert r.status == 200, await r.text()

    async def cancelled() -> bool:
        r = await checkin.get(f"/api/v1/events/{event['slug']}/attendance", headers=organizer)
        return (await r.json())["registered"] == 0

    await eventually(cancelled)
    door = auth(servers.token("door", [event["slug"]]))
    r = await checkin.post(
        "/api/v1/scans",
        json={"code": issued["code"], "gate": "hall", "scan_id": str(uuid.uuid4())},
        headers=door,
    )
    assert (await r.json())["result"] == "revoked"
    r = await checkin.get(f"/api/v1/events/{event['slug']}/offline-pack", headers=door)
    assert r.status == 200, await r.text()
    pack = await r.json()
    assert pack["revoked"] == [issued["ticket_id"]]
    r = await checkin.get(f"/api/v1/events/{event['slug']}/attendance", headers=organizer)
    assert (await r.json())["tickets"] == 0


async def test_the_scan_batch_statements_are_ready_before_the_first_scan(
    service_client: Any,
) -> None:
    # Prepared and planned on every batch connection at start-up: the first scans after a
    # start do not wait for that (10-20 ms each connection).
    checkin = await service_client("checkin")
    pool = checkin.app[SCAN_BATCHER].pool
    connections = [await pool.acquire() for _ in range(WORKERS)]
    try:
        for conn in connections:
            ready = await conn.fetch(
                "SELECT statement, generic_plans FROM pg_prepared_statements"
                " WHERE statement LIKE 'SELECT nextval%' OR statement LIKE 'WITH scan AS%'"
            )
            assert len(ready) == 2, ready
            assert all(row["generic_plans"] == 1 for row in ready), ready
    finally:
        for conn in connections:
            await pool.release(conn)


async def test_a_ticket_issued_after_checkin_heard_of_its_cancellation_is_revoked(
    service_client: Any, servers: Any
) -> None:
    """The two streams' order is not fixed: ``ticket.issued`` can reach checkin after
    ``registration.cancelled``. The ticket is then stored revoked, and stays so when its
    issue is applied again."""
    await service_client("checkin")  # its schema
    conn = await asyncpg.connect(servers.database_url, server_settings={"search_path": "checkin"})
    try:
        registration_id, ticket_id, event_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        await db.upsert_registration(conn, registration_id, event_id, "cancelled")
        for _ in range(2):
            await db.upsert_ticket(conn, ticket_id, event_id, registration_id, "Anna Nowak")
            row = await conn.fetchrow("SELECT status, known FROM tickets WHERE id = $1", ticket_id)
            assert (row["status"], row["known"]) == ("revoked", True)
        # A confirmed registration's ticket is valid.
        other_registration, other_ticket = uuid.uuid4(), uuid.uuid4()
        await db.upsert_registration(conn, other_registration, event_id, "confirmed")
        await db.upsert_ticket(conn, other_ticket, event_id, other_registration, "Jan Nowak")
        status = await conn.fetchval("SELECT status FROM tickets WHERE id = $1", other_ticket)
        assert status == "valid"
    finally:
        await conn.close()
