from __future__ import annotations

import asyncio
import uuid
from typing import Any

from tests.factories import auth, event_body, quiet_minute, registration_body


async def test_create_and_read_event(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    body = event_body()
    r = await client.post("/api/v1/events", json=body, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    created = await r.json()
    assert created == {
        "id": created["id"],
        "slug": body["slug"],
        "name": body["name"],
        "kind": "conference",
        "starts_at": created["starts_at"],
        "ends_at": created["ends_at"],
        "venue": body["venue"],
        "capacity": 100,
        "seats_left": 100,
        "status": "published",
        "waitlist": True,
        "retention_days": None,
        "description": {"pl": "", "en": ""},
        "room": None,
        "registration_opens_at": None,
        "registration_closes_at": None,
        "group_limit": 30,
        "profile_fields": {"organization": "optional", "country": "optional", "role": "optional"},
        "sessions": [],
    }
    r = await client.get(f"/api/v1/events/{body['slug']}")
    assert r.status == 200, await r.text()
    assert await r.json() == created
    r = await client.get("/api/v1/events")
    del created["sessions"]  # the catalogue lists events without their sessions
    assert created in (await r.json())["events"]


async def test_register_until_full(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    body = event_body(capacity=2, waitlist=False)
    r = await client.post("/api/v1/events", json=body, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    url = f"/api/v1/events/{body['slug']}/registrations"
    names = ["Zażółć Gęślą Jaźń", "王芳"]
    for name in names:
        r = await client.post(url, json=registration_body(name=name))
        assert r.status == 201, await r.text()
        reg = await r.json()
        assert reg["status"] == "confirmed"
        assert reg["name"] == name
        assert len(reg["manage_token"]) >= 40
    r = await client.post(url, json=registration_body(name="O'Brien-Łukasiewicz"))
    assert r.status == 409, await r.text()
    problem = await r.json()
    assert problem["code"] == "event_full"
    assert r.content_type == "application/problem+json"
    r = await client.get(f"/api/v1/events/{body['slug']}")
    assert (await r.json())["seats_left"] == 0


async def test_same_email_twice(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    body = event_body()
    await client.post("/api/v1/events", json=body, headers=auth(servers.token()))
    url = f"/api/v1/events/{body['slug']}/registrations"
    r = await client.post(url, json=registration_body(email="Anna.Nowak@Example.org"))
    assert r.status == 201, await r.text()
    r = await client.post(url, json=registration_body(email="anna.nowak@example.org"))
    assert r.status == 409, await r.text()
    assert (await r.json())["code"] == "already_registered"
    r = await client.get(f"/api/v1/events/{body['slug']}")
    assert (await r.json())["seats_left"] == 99


async def test_concurrent_registrations_never_oversell(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    body = event_body(capacity=10, waitlist=False)
    r = await client.post("/api/v1/events", json=body, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    url = f"/api/v1/events/{body['slug']}/registrations"

    async def register() -> int:
        r = await client.post(url, json=registration_body())
        return r.status

    statuses = await asyncio.gather(*(register() for _ in range(60)))
    assert sorted(statuses) == [201] * 10 + [409] * 50
    r = await client.get(f"/api/v1/events/{body['slug']}")
    assert (await r.json())["seats_left"] == 0


async def test_registrations_per_address_are_rate_limited(
    service_client: Any, servers: Any
) -> None:
    # The limit is counted in the database for every instance: this test's client comes
    # through a (trusted) proxy with an address of its own.
    client = await service_client(
        "registration", registration_rate_limit=3, trusted_proxies=("127.0.0.1/32",)
    )
    me = {"X-Forwarded-For": f"198.51.100.{uuid.uuid4().int % 250 + 1}"}
    body = event_body()
    await client.post("/api/v1/events", json=body, headers=auth(servers.token()))
    url = f"/api/v1/events/{body['slug']}/registrations"
    await quiet_minute()
    for _ in range(3):
        r = await client.post(url, json=registration_body(), headers=me)
        assert r.status == 201, await r.text()
    r = await client.post(url, json=registration_body(), headers=me)
    assert r.status == 429
    assert (await r.json())["code"] == "rate_limited"
    assert int(r.headers["Retry-After"]) >= 1
    r = await client.get(f"/api/v1/events/{body['slug']}")
    assert (await r.json())["seats_left"] == 97


async def test_registration_window_and_participant_profile(
    service_client: Any, servers: Any
) -> None:
    from datetime import UTC, datetime, timedelta

    client = await service_client("registration")
    organizer = auth(servers.token())
    now = datetime.now(UTC)
    later = event_body(registration_opens_at=(now + timedelta(days=1)).isoformat())
    closed = event_body(
        registration_closes_at=(now - timedelta(minutes=1)).isoformat(),
        registration_opens_at=(now - timedelta(days=3)).isoformat(),
    )
    open_ = event_body(
        description={"pl": "Warsztaty z druku 3D.", "en": "3D printing workshop."},
        room="Sala 1.12",
    )
    for body in (later, closed, open_):
        r = await client.post("/api/v1/events", json=body, headers=organizer)
        assert r.status == 201, await r.text()
    r = await client.post(f"/api/v1/events/{later['slug']}/registrations", json=registration_body())
    assert r.status == 409 and (await r.json())["code"] == "registration_not_open"
    r = await client.post(
        f"/api/v1/events/{closed['slug']}/registrations", json=registration_body()
    )
    assert r.status == 409 and (await r.json())["code"] == "registration_closed"

    url = f"/api/v1/events/{open_['slug']}/registrations"
    r = await client.post(url, json=registration_body(country="XX"))
    assert r.status == 400 and (await r.json())["errors"][0]["field"] == "country"
    r = await client.post(url, json=registration_body(role="astronaut"))
    assert r.status == 400 and (await r.json())["errors"][0]["field"] == "role"
    r = await client.post(
        url,
        json=registration_body(
            organization="Politechnika Białostocka", country="PL", role="student"
        ),
    )
    assert r.status == 201, await r.text()
    reg = await r.json()
    assert (reg["organization"], reg["country"], reg["role"]) == (
        "Politechnika Białostocka",
        "PL",
        "student",
    )
    r = await client.get(f"/api/v1/events/{open_['slug']}")
    got = await r.json()
    assert (got["room"], got["description"]["en"]) == ("Sala 1.12", "3D printing workshop.")
    bad = event_body(registration_opens_at=now.isoformat(), registration_closes_at=now.isoformat())
    r = await client.post("/api/v1/events", json=bad, headers=organizer)
    assert r.status == 400
    assert (await r.json())["errors"][0]["field"] == "registration_closes_at"


async def test_refusals_speak_the_request_language(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    body = event_body(capacity=1, waitlist=False)
    await client.post("/api/v1/events", json=body, headers=auth(servers.token()))
    url = f"/api/v1/events/{body['slug']}/registrations"
    await client.post(url, json=registration_body())
    polish = {"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"}
    r = await client.post(url, json=registration_body(), headers=polish)
    assert r.status == 409 and r.headers["Content-Language"] == "pl"
    assert (await r.json())["detail"] == "Brak wolnych miejsc na to wydarzenie."
    r = await client.post(url, json=registration_body(email="nope"), headers=polish)
    problem = await r.json()
    assert problem["detail"] == "Niektóre pola są niepoprawne."
    assert problem["errors"][0]["field"] == "email"
    r = await client.post(url, json=registration_body(), headers={"Accept-Language": "en-GB"})
    assert (await r.json())["detail"] == "There are no seats left for this event."
    assert r.headers["Content-Language"] == "en"
