"""The whole journey over HTTP, with each service running as its own process, as in production."""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import nats
import pytest

from shared import events, wire
from tests import infra
from tests.factories import auth, event_body, eventually, registration_body
from tests.journey import At, ticket
from tests.notifications.test_ticket_email import decode_qr


@pytest.fixture(scope="module")
def stack(servers: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    env = {**os.environ, **servers.env()}
    # Two instances of registration and of notifications, as on a busy host: the journey
    # must come out the same (one ticket, one email).
    env |= {"REGISTRATION_PROCESSES": "2", "NOTIFICATIONS_PROCESSES": "2"}
    logs = tmp_path_factory.mktemp("logs")
    with infra.service_processes(sys.executable, env, logs) as urls:
        yield urls


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_register_mail_scan_attendance(
    stack: dict[str, str], servers: Any, http: aiohttp.ClientSession
) -> None:
    reg_url, tickets_url, checkin_url = stack["registration"], stack["tickets"], stack["checkin"]
    organizer = auth(servers.token("organizer"))

    async def ready() -> bool:
        statuses = []
        for url in stack.values():
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"{url}/readyz") as r:
                    statuses.append(r.status)
        return statuses == [200] * 4

    await eventually(ready, timeout=60)

    # 1. An organizer creates an event; reading it is public.
    event = event_body(capacity=2, waitlist=False)
    async with http.post(f"{reg_url}/api/v1/events", json=event, headers=organizer) as r:
        assert r.status == 201, await r.text()
    async with http.get(f"{reg_url}/api/v1/events/{event['slug']}") as r:
        assert (await r.json())["seats_left"] == 2

    # 2. An attendee registers; names in any script are kept exactly.
    name = "O'Brien-Łukasiewicz 王芳"
    person = registration_body(name=name, lang="en")
    async with http.post(
        f"{reg_url}/api/v1/events/{event['slug']}/registrations", json=person
    ) as r:
        assert r.status == 201, await r.text()
        reg = await r.json()
    assert reg["status"] == "confirmed" and reg["name"] == name
    async with http.post(
        f"{reg_url}/api/v1/events/{event['slug']}/registrations", json=person
    ) as r:
        assert r.status == 409 and (await r.json())["code"] == "already_registered"

    # 4. tickets issues a signed ticket; its QR images encode exactly the code.
    manage = auth(reg["manage_token"])

    issued = await ticket(At(http, tickets_url), reg, manage)
    assert issued["status"] == "valid" and issued["holder_name"] == name
    async with http.get(f"{tickets_url}{issued['qr_png']}", headers=manage) as r:
        assert r.content_type == "image/png"
        assert decode_qr(await r.read()) == issued["code"]
    async with http.get(f"{tickets_url}{issued['qr_svg']}", headers=manage) as r:
        assert r.content_type == "image/svg+xml" and b"<svg" in await r.read()
    async with http.get(f"{tickets_url}/api/v1/keys") as r:
        keys = (await r.json())["keys"]
    assert keys and all(k["algorithm"] == "Ed25519" for k in keys)

    # 5. notifications emails the ticket, in English, with the QR inline and an .ics.
    async def mail() -> list[Any]:
        return servers.mailbox.to(person["email"])

    [msg] = await eventually(mail)
    assert msg["Subject"].startswith("Your ticket: ")
    [qr] = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert decode_qr(qr.get_content()) == issued["code"]
    assert any(p.get_content_type() == "text/calendar" for p in msg.walk())

    # 6. The door scans: accepted, then already_checked_in; forged codes are invalid.
    door = auth(servers.token("door", [event["slug"]]))

    async def scan(code: str, gate: str = "hall", scan_id: str | None = None) -> dict[str, Any]:
        body = {"code": code, "gate": gate, "scan_id": scan_id or str(uuid.uuid4())}
        async with http.post(f"{checkin_url}/api/v1/scans", json=body, headers=door) as r:
            assert r.status == 200, await r.text()
            return dict(await r.json())

    async def checkin_knows_ticket() -> bool:
        async with http.get(
            f"{checkin_url}/api/v1/events/{event['slug']}/attendance", headers=organizer
        ) as r:
            return r.status == 200 and (await r.json())["tickets"] == 1

    await eventually(checkin_knows_ticket)
    first_id = str(uuid.uuid4())
    first = await scan(issued["code"], "hall-a", first_id)
    assert first["result"] == "accepted"
    assert first["ticket"]["holder_name"] == name
    assert first["ticket"]["event"]["slug"] == event["slug"]
    again = await scan(issued["code"], "hall-b")
    assert again["result"] == "already_checked_in"
    assert again["first_checkin"] == {
        "at": first["scanned_at"],
        "gate": "hall-a",
        "device_id": None,
    }
    assert await scan(issued["code"], "hall-a", first_id) == first
    forged = (
        issued["code"][:-10] + ("A" if issued["code"][-10] != "A" else "B") + issued["code"][-9:]
    )
    assert (await scan(forged))["result"] == "invalid"
    assert (await scan("not a ticket at all"))["result"] == "invalid"

    # ...and each accepted scan is published as checkin.recorded.
    nc = await nats.connect(servers.nats_url)
    try:
        js = nc.jetstream()

        async def recorded_scan() -> events.CheckinRecorded | None:
            # The stream is shared with other tests, and the relay publishes a moment later.
            last = (await js.stream_info("CHECKIN")).state.last_seq
            for seq in range(last, max(last - 200, 0), -1):
                _, data = wire.decode((await js.get_msg("CHECKIN", seq)).data)
                if isinstance(data, events.CheckinRecorded) and str(data.scan_id) == first_id:
                    return data
            return None

        recorded = await eventually(recorded_scan)
        assert recorded.gate == "hall-a"
    finally:
        await nc.close()

    # 7. Attendance counts what happened.
    async with http.get(
        f"{checkin_url}/api/v1/events/{event['slug']}/attendance", headers=organizer
    ) as r:
        attendance = await r.json()
    assert attendance["registered"] == 1 and attendance["checked_in"] == 1
    # The two forged codes count as refused scans of the event the door token is for.
    assert attendance["scans"] == 4

    # A full event says so.
    async with http.post(
        f"{reg_url}/api/v1/events/{event['slug']}/registrations", json=registration_body()
    ) as r:
        assert r.status == 201
    async with http.post(
        f"{reg_url}/api/v1/events/{event['slug']}/registrations", json=registration_body()
    ) as r:
        assert r.status == 409 and (await r.json())["code"] == "event_full"
