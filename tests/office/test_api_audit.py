"""What a staff token changes through the API is in the audit log too, as from the pages."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from shared import outbox
from shared.db import DB_POOL
from shared.events import StaffActionRecorded
from tests.factories import auth, event_body, eventually
from tests.journey import register
from tests.office_session import sign_in


async def test_a_cancellation_by_an_organizer_token_is_audited(
    service_client: Any, servers: Any
) -> None:
    registration = await service_client("registration")
    organizer = auth(servers.token(subject="script-cancel", events=["*"]))
    event = event_body()
    r = await registration.post("/api/v1/events", json=event, headers=organizer)
    assert r.status == 201, await r.text()
    person = await register(registration, event["slug"])
    r = await registration.delete(f"/api/v1/registrations/{person['id']}", headers=organizer)
    assert r.status == 200, await r.text()
    # The attendee's own cancellation is theirs, not a staff action.
    other = await register(registration, event["slug"])
    r = await registration.delete(
        f"/api/v1/registrations/{other['id']}", headers=auth(other["manage_token"])
    )
    assert r.status == 200, await r.text()

    sign_in(registration, {"*": "admin"})

    async def logged() -> str | None:
        text = await (await registration.get(f"/office/events/{event['slug']}/audit")).text()
        return text if "registration.cancelled" in text else None

    text = await eventually(logged)
    assert "script-cancel" in text and text.count("registration.cancelled") == 1


async def test_an_erased_registration_keeps_no_data_in_the_audit_log(
    service_client: Any, servers: Any
) -> None:
    """Who did what when stays; what was before and after (personal data, a reason) goes,
    for entries that were there and for one that comes after the erasure."""
    registration = await service_client("registration")
    organizer = auth(servers.token(subject="script-erase", events=["*"]))
    event = event_body()
    r = await registration.post("/api/v1/events", json=event, headers=organizer)
    assert r.status == 201, await r.text()
    person = await register(registration, event["slug"])
    r = await registration.delete(f"/api/v1/registrations/{person['id']}", headers=organizer)
    assert r.status == 200, await r.text()
    pool = registration.server.app[DB_POOL]
    rows = "SELECT action, before, after FROM audit_log WHERE registration_id = $1"

    async def cancelled_logged() -> bool:
        found = await pool.fetch(rows, uuid.UUID(person["id"]))
        return any(r["action"] == "registration.cancelled" and r["before"] for r in found)

    await eventually(cancelled_logged)
    r = await registration.post(f"/api/v1/registrations/{person['id']}/erase", headers=organizer)
    assert r.status == 200, await r.text()
    late = StaffActionRecorded(
        service="checkin",
        actor_id="x",
        actor_name="Door",
        action="checkin.manual",
        at=datetime.now(UTC),
        event_slug=event["slug"],
        registration_id=uuid.UUID(person["id"]),
        after={"reason": "Anna Nowak forgot her phone"},
    )
    async with pool.acquire() as conn, conn.transaction():
        await outbox.enqueue(conn, late, uuid.uuid4(), 1)

    async def all_logged() -> list[Any] | None:
        found = await pool.fetch(rows, uuid.UUID(person["id"]))
        return found if len(found) == 3 else None

    found = {r["action"]: (r["before"], r["after"]) for r in await eventually(all_logged)}
    assert found["registration.cancelled"] == (None, None)
    assert found["checkin.manual"] == (None, None)
    assert found["registration.erased"][1] is not None
