"""Group registration: a teacher with a class, all seated together or waiting together,
each attendee with their own registration, ticket and email."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from tests.factories import auth, event_body, eventually, registration_body


def _group(n: int, **contact: Any) -> dict[str, Any]:
    return registration_body(
        name="Anna Nauczycielka",
        organization="Szkoła Podstawowa nr 5 w Białymstoku",
        country="PL",
        role="teacher",
        attendees=[
            {
                "name": f"Uczeń {i} Łukasz",
                "email": f"uczen{i}-{uuid.uuid4().hex[:8]}@example.org",
                "lang": "pl",
            }
            for i in range(n)
        ],
        **contact,
    )


async def _event(client: Any, servers: Any, **overrides: Any) -> str:
    body = event_body(**overrides)
    r = await client.post("/api/v1/events", json=body, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    return str(body["slug"])


async def test_a_group_is_seated_together_with_tickets_and_emails_for_each(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    tickets = await service_client("tickets")
    await service_client("notifications")
    slug = await _event(client, servers, capacity=5)
    r = await client.post(f"/api/v1/events/{slug}/registrations", json=_group(3))
    assert r.status == 201, await r.text()
    body = await r.json()
    assert body["group_id"] and len(body["group"]) == 4
    assert {g["status"] for g in body["group"]} == {"confirmed"}
    assert body["group"][0]["id"] == body["id"]
    assert [g["organization"] for g in body["group"]] == [
        "Szkoła Podstawowa nr 5 w Białymstoku"
    ] * 4

    for member in body["group"]:

        async def ticket(member: dict[str, Any] = member) -> bool:
            r = await tickets.get(
                f"/api/v1/registrations/{member['id']}/ticket", headers=auth(member["manage_token"])
            )
            return r.status == 200

        await eventually(ticket)

    async def mailed() -> bool:
        return all(servers.mailbox.to(m["email"]) for m in body["group"])

    await eventually(mailed)

    # Only one seat is left: the next group of two waits, together.
    r = await client.post(f"/api/v1/events/{slug}/registrations", json=_group(1))
    waiting = await r.json()
    assert r.status == 201 and {g["status"] for g in waiting["group"]} == {"waitlisted"}
    r = await client.get(f"/api/v1/events/{slug}", headers=auth(servers.token()))
    assert (await r.json())["seats_left"] == 1


async def test_groups_never_oversell_and_respect_the_limit(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers, capacity=10, waitlist=False, group_limit=4)
    results = await asyncio.gather(
        *(client.post(f"/api/v1/events/{slug}/registrations", json=_group(2)) for _ in range(8))
    )
    assert sorted(r.status for r in results) == [201] * 3 + [409] * 5
    r = await client.get(f"/api/v1/events/{slug}/stats", headers=auth(servers.token()))
    assert (await r.json())["confirmed"] == 9

    r = await client.post(f"/api/v1/events/{slug}/registrations", json=_group(4))
    problem = await r.json()
    assert r.status == 400 and problem["code"] == "group_too_large"
    twice = registration_body(
        attendees=[
            {"name": "A", "email": "dup@example.org", "lang": "pl"},
            {"name": "B", "email": "DUP@example.org", "lang": "en"},
        ]
    )
    r = await client.post(f"/api/v1/events/{slug}/registrations", json=twice)
    assert r.status == 400 and (await r.json())["errors"][0]["field"] == "attendees"


async def test_a_group_with_someone_already_registered_is_refused_whole(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers)
    r = await client.post(
        f"/api/v1/events/{slug}/registrations", json=registration_body(email="ola@example.org")
    )
    assert r.status == 201
    group = registration_body(
        attendees=[
            {"name": "Nowy", "email": "nowy@example.org", "lang": "pl"},
            {"name": "Ola", "email": "Ola@Example.org", "lang": "pl"},
        ]
    )
    r = await client.post(f"/api/v1/events/{slug}/registrations", json=group)
    problem = await r.json()
    assert r.status == 409 and problem["code"] == "already_registered"
    assert [e["message"] for e in problem["errors"]] == ["ola@example.org"]
    r = await client.get(f"/api/v1/events/{slug}/stats", headers=auth(servers.token()))
    assert (await r.json())["confirmed"] == 1
