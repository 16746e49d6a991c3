"""GDPR: download and erasure through the manage link; erasure reaches every service and
keeps the counts; retention anonymises by itself."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.factories import auth, event_body, eventually, registration_body
from tests.journey import known_at_the_door, ticket


async def test_erasure_reaches_every_service_and_counts_stay(
    service_client: Any, servers: Any
) -> None:
    registration = await service_client("registration")
    tickets = await service_client("tickets")
    checkin = await service_client("checkin")
    notifications = await service_client("notifications")
    organizer = auth(servers.token())
    event = event_body()
    await registration.post("/api/v1/events", json=event, headers=organizer)
    r = await registration.post(
        f"/api/v1/events/{event['slug']}/registrations",
        json=registration_body(name="Anna Nowak-Erased"),
    )
    reg = await r.json()
    manage = auth(reg["manage_token"])

    r = await registration.get(f"/api/v1/registrations/{reg['id']}/data", headers=manage)
    assert r.status == 200
    data = await r.json()
    assert data["registration"]["name"] == "Anna Nowak-Erased"
    assert (
        data["registration"]["consent"]["version"] and data["registration"]["consent"]["given_at"]
    )

    issued = await ticket(tickets, reg)

    async def delivered() -> bool:
        r = await notifications.get(
            f"/api/v1/deliveries?registration_id={reg['id']}", headers=organizer
        )
        found = (await r.json())["deliveries"]
        return bool(found) and found[0]["status"] == "sent"

    await eventually(delivered)

    await known_at_the_door(checkin, event["slug"], organizer, 1)
    scan = {"code": issued["code"], "gate": "hall", "scan_id": str(uuid.uuid4())}
    r = await checkin.post("/api/v1/scans", json=scan, headers=auth(servers.token("door")))
    assert (await r.json())["ticket"]["holder_name"] == "Anna Nowak-Erased"

    r = await registration.post(f"/api/v1/registrations/{reg['id']}/erase", headers=manage)
    assert r.status == 200, await r.text()
    assert (await r.json())["status"] == "cancelled"
    r = await registration.get(f"/api/v1/registrations/{reg['id']}", headers=organizer)
    after = await r.json()
    assert (after["name"], after["email"]) == ("[erased]", f"erased-{reg['id']}@invalid")

    async def everywhere() -> bool:
        t = await (
            await tickets.get(f"/api/v1/registrations/{reg['id']}/ticket", headers=organizer)
        ).json()
        s = await (
            await checkin.post("/api/v1/scans", json=scan, headers=auth(servers.token("door")))
        ).json()
        d = await (
            await notifications.get(
                f"/api/v1/deliveries?registration_id={reg['id']}", headers=organizer
            )
        ).json()
        return (
            t["holder_name"] == "[erased]"
            and t["status"] == "revoked"
            and s["ticket"]["holder_name"] is None
            and d["deliveries"][0]["recipient"].startswith("erased-")
        )

    await eventually(everywhere)
    r = await checkin.get(f"/api/v1/events/{event['slug']}/attendance", headers=organizer)
    assert (await r.json())["checked_in"] == 1  # the evidence keeps its count
    r = await registration.post(
        f"/api/v1/events/{event['slug']}/registrations",
        json=registration_body(email=reg["email"]),
    )
    assert r.status == 201  # the address is free again


async def test_retention_anonymises_registrations_of_past_events(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration", offer_sweep_seconds=0.2)
    organizer = auth(servers.token())
    ended = datetime.now(UTC) - timedelta(days=3)
    event = event_body(
        starts_at=(ended - timedelta(hours=2)).isoformat(),
        ends_at=ended.isoformat(),
        retention_days=1,
    )
    r = await client.post("/api/v1/events", json=event, headers=organizer)
    assert r.status == 201, await r.text()
    r = await client.post(f"/api/v1/events/{event['slug']}/registrations", json=registration_body())
    reg = await r.json()

    async def anonymised() -> bool:
        r = await client.get(f"/api/v1/registrations/{reg['id']}", headers=organizer)
        return (await r.json())["name"] == "[erased]"

    await eventually(anonymised)
