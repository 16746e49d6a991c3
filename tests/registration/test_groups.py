"""Group registration: a teacher with a class, all seated together or waiting together,
each attendee with their own registration, ticket and email."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.factories import auth, event_body, eventually, registration_body
from tests.journey import ticket


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
        await ticket(tickets, member)

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


REFUSED = {
    "pl": "Niektórych adresów e-mail z tej grupy nie udało się zarejestrować na to wydarzenie;"
    " każdemu z ich właścicieli dajemy o tym znać e-mailem. Nikt z grupy nie został"
    " zarejestrowany.",
    "en": "Some of the group's email addresses could not be registered for this event, and we"
    " let each of their owners know by email. Nobody in the group was registered.",
}


async def _refused_naming_nobody(
    client: Any, slug: str, group: dict[str, Any], addresses: list[str]
) -> None:
    """The group is refused whole, in Polish and in English, with an answer that names none
    of ``addresses`` (registered or not) and says nothing of how many are registered."""
    for lang, accept in (("pl", "pl-PL,pl;q=0.9,en;q=0.5"), ("en", "en-GB")):
        r = await client.post(
            f"/api/v1/events/{slug}/registrations", json=group, headers={"Accept-Language": accept}
        )
        text = await r.text()
        assert (r.status, r.headers["Content-Language"]) == (409, lang), text
        assert await r.json() == {
            "type": "https://events.cnk.pb.edu.pl/problems/group_not_registered",
            "title": "group not registered",
            "status": 409,
            "code": "group_not_registered",
            "detail": REFUSED[lang],
        }
        assert "@" not in text
        for address in addresses:
            assert address.split("@")[0].casefold() not in text.casefold()


@pytest.mark.parametrize("way", ["batched", "with_sessions", "event_full"])
async def test_a_group_with_someone_already_registered_is_refused_whole_naming_nobody(
    service_client: Any, servers: Any, way: str
) -> None:
    """Whichever way the group is stored (with others arriving together, with sessions, or
    found full before its addresses are looked at), the answer is the same."""
    client = await service_client("registration")
    overrides: dict[str, Any] = {"capacity": 10}
    if way == "event_full":
        overrides = {"capacity": 2, "waitlist": False}
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=14, hours=1)
    if way == "with_sessions":
        overrides["sessions"] = [
            {
                "slug": "ai",
                "name": {"pl": "Warsztat AI", "en": "AI workshop"},
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=1)).isoformat(),
                "capacity": 10,
            }
        ]
    slug = await _event(client, servers, **overrides)
    url = f"/api/v1/events/{slug}/registrations"
    ola, ben, new = (f"{who}-{uuid.uuid4().hex[:8]}@example.org" for who in ("ola", "ben", "nowy"))
    for address in (ola, ben):
        r = await client.post(url, json=registration_body(email=address))
        assert r.status == 201, await r.text()
    group = registration_body(
        email=ben.upper(),
        attendees=[
            {"name": "Nowy", "email": new, "lang": "pl"},
            {"name": "Ola", "email": ola.capitalize(), "lang": "en"},
        ],
    )
    if way == "with_sessions":
        group["sessions"] = ["ai"]

    await _refused_naming_nobody(client, slug, group, [ola, ben, new])

    # Nothing of the group was stored: no registration, no seat, no session place.
    r = await client.get(f"/api/v1/events/{slug}/stats", headers=auth(servers.token()))
    stats = await r.json()
    assert (stats["confirmed"], stats["waitlisted"], stats["cancelled"]) == (2, 0, 0)
    assert [s["confirmed"] for s in stats["sessions"]] == ([0] if way == "with_sessions" else [])
    if way != "event_full":
        r = await client.post(url, json=registration_body(email=new))
        assert r.status == 201, await r.text()
    # Someone registering their own address alone is still told it is registered.
    r = await client.post(url, json=registration_body(email=ola.upper()))
    problem = await r.json()
    assert (r.status, problem["code"]) == (409, "already_registered")
    assert problem["errors"] == [{"field": "email", "message": ola}]
