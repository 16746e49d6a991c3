from __future__ import annotations

import uuid
from typing import Any

from tests.factories import auth, event_body, eventually, registration_body


async def _ticketed(
    service_client: Any, servers: Any, **reg: Any
) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    registration = await service_client("registration")
    tickets = await service_client("tickets")
    checkin = await service_client("checkin")
    body = event_body()
    r = await registration.post("/api/v1/events", json=body, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    r = await registration.post(
        f"/api/v1/events/{body['slug']}/registrations", json=registration_body(**reg)
    )
    assert r.status == 201, await r.text()
    reg_body = await r.json()

    async def ticket() -> dict[str, Any] | None:
        r = await tickets.get(
            f"/api/v1/registrations/{reg_body['id']}/ticket", headers=auth(reg_body["manage_token"])
        )
        return await r.json() if r.status == 200 else None

    issued = await eventually(ticket)

    async def known() -> bool:
        r = await checkin.get(
            f"/api/v1/events/{body['slug']}/attendance", headers=auth(servers.token())
        )
        return r.status == 200 and (await r.json())["tickets"] == 1

    await eventually(known)
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
