"""Sessions inside an event: choice, own seats and lines, offers, changes, overlap."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import nats

from tests.factories import auth, event_body, eventually, registration_body, unique

START = datetime.now(UTC).replace(microsecond=0) + timedelta(days=20)


def session(slug: str, hour: int, capacity: int, hours: int = 1, **extra: Any) -> dict[str, Any]:
    starts = START + timedelta(hours=hour)
    return {
        "slug": slug,
        "name": {"pl": f"Warsztat {slug}", "en": f"Workshop {slug}"},
        "room": f"Sala {hour}",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=hours)).isoformat(),
        "capacity": capacity,
        **extra,
    }


async def _event(client: Any, servers: Any, sessions: list[dict[str, Any]], **kw: Any) -> str:
    body = event_body(
        starts_at=START.isoformat(),
        ends_at=(START + timedelta(hours=10)).isoformat(),
        sessions=sessions,
        **kw,
    )
    r = await client.post("/api/v1/events", json=body, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    return str(body["slug"])


async def _register(client: Any, slug: str, status: int = 201, **kw: Any) -> dict[str, Any]:
    r = await client.post(f"/api/v1/events/{slug}/registrations", json=registration_body(**kw))
    assert r.status == status, await r.text()
    return dict(await r.json())


async def _get(client: Any, reg: dict[str, Any]) -> dict[str, Any]:
    r = await client.get(f"/api/v1/registrations/{reg['id']}", headers=auth(reg["manage_token"]))
    assert r.status == 200, await r.text()
    return dict(await r.json())


def _places(reg: dict[str, Any]) -> dict[str, str]:
    return {s["slug"]: s["status"] for s in reg["sessions"]}


async def _stats(client: Any, servers: Any, slug: str) -> dict[str, Any]:
    r = await client.get(f"/api/v1/events/{slug}/stats", headers=auth(servers.token()))
    assert r.status == 200, await r.text()
    return {s["slug"]: s for s in (await r.json())["sessions"]}


async def _events_of(servers: Any, registration_id: str) -> list[tuple[str, dict[str, Any]]]:
    """The registration.* events published for one registration, oldest first."""
    nc = await nats.connect(servers.nats_url)
    try:
        js = nc.jetstream()
        found = []
        last = (await js.stream_info("REGISTRATION")).state.last_seq
        for seq in range(last, max(last - 500, 0), -1):
            stored = await js.get_msg("REGISTRATION", seq)
            envelope = msgspec.json.decode(stored.data)
            if envelope["aggregate_id"] == registration_id:
                found.append((envelope["sequence"], envelope["type"], envelope["data"]))
        return [(t, d) for _, t, d in sorted(found, key=lambda f: f[0])]
    finally:
        await nc.close()


async def test_sessions_are_defined_listed_and_changed_by_organizers(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers, [session("ai", 1, 20), session("iot", 1, 15)])
    token = auth(servers.token())
    r = await client.post(
        f"/api/v1/events/{slug}/sessions", json=session("robots", 3, 10), headers=token
    )
    assert r.status == 201, await r.text()
    assert (await r.json())["seats_left"] == 10
    r = await client.post(
        f"/api/v1/events/{slug}/sessions", json=session("robots", 4, 10), headers=token
    )
    assert (r.status, (await r.json())["code"]) == (409, "session_exists")
    r = await client.get(f"/api/v1/events/{slug}/sessions")
    listed = (await r.json())["sessions"]
    assert [s["slug"] for s in listed] == ["ai", "iot", "robots"]
    assert listed[0]["name"] == {"pl": "Warsztat ai", "en": "Workshop ai"}
    assert listed[0]["room"] == "Sala 1"
    event = await (await client.get(f"/api/v1/events/{slug}")).json()
    assert [s["slug"] for s in event["sessions"]] == ["ai", "iot", "robots"]

    r = await client.patch(
        f"/api/v1/events/{slug}/sessions/robots",
        json={"capacity": 12, "room": "Aula"},
        headers=token,
    )
    assert r.status == 200, await r.text()
    assert ((await r.json())["capacity"], (await r.json())["room"]) == (12, "Aula")
    r = await client.patch(
        f"/api/v1/events/{slug}/sessions/nope", json={"capacity": 12}, headers=token
    )
    assert (r.status, (await r.json())["code"]) == (404, "session_not_found")
    r = await client.patch(
        f"/api/v1/events/{slug}/sessions/robots",
        json={"ends_at": (START + timedelta(hours=2)).isoformat()},
        headers=token,
    )
    assert (r.status, (await r.json())["errors"][0]["field"]) == (400, "ends_at")
    r = await client.post(f"/api/v1/events/{slug}/sessions", json=session("x", 3, 10))
    assert r.status == 401


async def test_registration_takes_session_seats_and_queues_for_full_ones(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers, [session("ai", 1, 1), session("iot", 3, 5)])
    first = await _register(client, slug, sessions=["ai", "iot"])
    assert first["status"] == "confirmed"
    assert _places(first) == {"ai": "confirmed", "iot": "confirmed"}
    second = await _register(client, slug, sessions=["ai"])
    third = await _register(client, slug, sessions=["ai", "iot"])
    # The event has seats: both are in, and wait in the full session's line, in order.
    assert second["status"] == third["status"] == "confirmed"
    assert second["sessions"][0] | {"name": None} == {
        "slug": "ai",
        "name": None,
        "room": "Sala 1",
        "starts_at": second["sessions"][0]["starts_at"],
        "ends_at": second["sessions"][0]["ends_at"],
        "status": "waitlisted",
        "position": 1,
    }
    assert _places(third) == {"ai": "waitlisted", "iot": "confirmed"}
    assert third["sessions"][0]["position"] == 2
    stats = await _stats(client, servers, slug)
    assert stats["ai"] | {"slug": "ai"} == {
        "slug": "ai",
        "capacity": 1,
        "seats_left": 0,
        "confirmed": 1,
        "waitlisted": 2,
        "open_offers": 0,
        "pending": 0,
        "cancelled": 0,
        "total_if_all_offers_taken": 1,
    }

    # The first cancels: the session seat is offered to the second, who accepts.
    r = await client.delete(
        f"/api/v1/registrations/{first['id']}", headers=auth(first["manage_token"])
    )
    assert r.status == 200
    assert _places(await _get(client, first)) == {}
    second_now = await _get(client, second)
    assert _places(second_now) == {"ai": "offered"}
    assert second_now["sessions"][0]["offer_expires_at"]
    assert (await _get(client, third))["sessions"][0]["position"] == 1
    stats = await _stats(client, servers, slug)
    assert (stats["ai"]["open_offers"], stats["ai"]["total_if_all_offers_taken"]) == (1, 1)
    assert (stats["ai"]["cancelled"], stats["iot"]["confirmed"]) == (1, 1)
    r = await client.post(
        f"/api/v1/registrations/{second['id']}/accept-offer", headers=auth(second["manage_token"])
    )
    assert r.status == 200, await r.text()
    assert _places(await r.json()) == {"ai": "confirmed"}
    r = await client.post(
        f"/api/v1/registrations/{second['id']}/accept-offer", headers=auth(second["manage_token"])
    )
    assert r.status == 200  # accepting twice changes nothing

    async def published() -> list[str]:
        kinds = [t for t, _ in await _events_of(servers, second["id"])]
        return kinds if len(kinds) == 3 else []

    kinds = await eventually(published)
    assert kinds == [
        "registration.confirmed",
        "registration.sessions_changed",
        "registration.sessions_changed",
    ]
    story = await _events_of(servers, second["id"])
    assert story[0][1]["sessions"][0]["status"] == "waitlisted"
    assert story[1][1]["offered"] == ["ai"]
    assert story[2][1]["sessions"][0]["status"] == "confirmed"


async def test_overlapping_or_unknown_sessions_are_refused(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    slug = await _event(
        client, servers, [session("ai", 1, 5, hours=2), session("iot", 2, 5), session("vr", 3, 5)]
    )
    r = await client.post(
        f"/api/v1/events/{slug}/registrations",
        json=registration_body(sessions=["ai", "iot"]),
    )
    body = await r.json()
    assert (r.status, body["code"]) == (400, "sessions_overlap")
    assert body["errors"][0]["field"] == "sessions"
    r = await client.post(
        f"/api/v1/events/{slug}/registrations",
        json=registration_body(sessions=["ai", "nope"]),
    )
    assert (r.status, (await r.json())["code"]) == (400, "unknown_session")
    r = await client.post(
        f"/api/v1/events/{slug}/registrations", json=registration_body(sessions=["ai", "ai"])
    )
    assert r.status == 400
    # Back to back is not an overlap.
    ok = await _register(client, slug, sessions=["ai", "vr"])
    assert _places(ok) == {"ai": "confirmed", "vr": "confirmed"}
    stats = await _stats(client, servers, slug)
    assert stats["iot"]["confirmed"] == 0


async def test_attendees_change_sessions_while_seats_remain(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    slug = await _event(
        client, servers, [session("ai", 1, 1), session("iot", 1, 1), session("vr", 3, 2)]
    )
    anna = await _register(client, slug, sessions=["ai"])
    piotr = await _register(client, slug, sessions=["iot", "vr"])
    waiting = await _register(client, slug, sessions=["ai"])
    assert _places(waiting) == {"ai": "waitlisted"}
    url = f"/api/v1/registrations/{anna['id']}/sessions"
    headers = auth(anna["manage_token"])

    # iot is full: the change is refused and Anna keeps her seat in ai.
    r = await client.put(url, json={"sessions": ["iot"]}, headers=headers)
    body = await r.json()
    assert (r.status, body["code"], body["session"]) == (409, "session_full", "iot")
    assert _places(await _get(client, anna)) == {"ai": "confirmed"}
    # Overlap is checked on the new choice as a whole.
    r = await client.put(url, json={"sessions": ["ai", "iot"]}, headers=headers)
    assert (r.status, (await r.json())["code"]) == (400, "sessions_overlap")
    # A free one: Anna adds vr and keeps ai.
    r = await client.put(url, json={"sessions": ["ai", "vr"]}, headers=headers)
    assert r.status == 200, await r.text()
    assert _places(await r.json()) == {"ai": "confirmed", "vr": "confirmed"}
    # Asking to queue: Anna drops ai for iot's line; ai's seat goes to the one waiting.
    r = await client.put(url, json={"sessions": ["iot", "vr"], "waitlist": True}, headers=headers)
    assert r.status == 200, await r.text()
    changed = await r.json()
    assert _places(changed) == {"iot": "waitlisted", "vr": "confirmed"}
    assert changed["sessions"][0]["position"] == 1
    assert _places(await _get(client, waiting)) == {"ai": "offered"}
    # Piotr drops iot: Anna is offered it.
    r = await client.put(
        f"/api/v1/registrations/{piotr['id']}/sessions",
        json={"sessions": ["vr"]},
        headers=auth(piotr["manage_token"]),
    )
    assert r.status == 200
    assert _places(await _get(client, anna)) == {"iot": "offered", "vr": "confirmed"}
    # An organizer may change them too; others may not.
    r = await client.put(
        f"/api/v1/registrations/{piotr['id']}/sessions",
        json={"sessions": []},
        headers=auth(servers.token()),
    )
    assert r.status == 200 and _places(await r.json()) == {}
    r = await client.put(
        f"/api/v1/registrations/{piotr['id']}/sessions",
        json={"sessions": []},
        headers=auth(anna["manage_token"]),
    )
    assert r.status == 403
    stats = await _stats(client, servers, slug)
    assert {k: (v["confirmed"], v["open_offers"], v["waitlisted"]) for k, v in stats.items()} == {
        "ai": (0, 1, 0),
        "iot": (0, 1, 0),
        "vr": (1, 0, 0),
    }


async def test_started_sessions_and_cancelled_registrations_cannot_change(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    past = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    slug = await _event(
        client,
        servers,
        [
            session("ai", 1, 5),
            {
                "slug": "early",
                "name": {"pl": "Wcześnie", "en": "Early"},
                "starts_at": past.isoformat(),
                "ends_at": (past + timedelta(minutes=30)).isoformat(),
                "capacity": 5,
            },
        ],
    )
    reg = await _register(client, slug, sessions=["ai"])
    url = f"/api/v1/registrations/{reg['id']}/sessions"
    r = await client.put(url, json={"sessions": ["ai", "early"]}, headers=auth(reg["manage_token"]))
    assert (r.status, (await r.json())["code"]) == (409, "session_started")
    await client.delete(f"/api/v1/registrations/{reg['id']}", headers=auth(reg["manage_token"]))
    r = await client.put(url, json={"sessions": []}, headers=auth(reg["manage_token"]))
    assert (r.status, (await r.json())["code"]) == (409, "registration_cancelled")


async def test_waitlisted_registrations_get_their_sessions_when_they_get_a_seat(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers, [session("ai", 1, 1)], capacity=1)
    first = await _register(client, slug, sessions=["ai"])
    second = await _register(client, slug, sessions=["ai"])
    assert (second["status"], second["position"]) == ("waitlisted", 1)
    assert _places(second) == {"ai": "pending"}
    assert (await _stats(client, servers, slug))["ai"]["pending"] == 1
    await client.delete(f"/api/v1/registrations/{first['id']}", headers=auth(first["manage_token"]))
    assert (await _get(client, second))["status"] == "offered"
    assert _places(await _get(client, second)) == {"ai": "pending"}
    r = await client.post(
        f"/api/v1/registrations/{second['id']}/accept-offer", headers=auth(second["manage_token"])
    )
    assert r.status == 200, await r.text()
    accepted = await r.json()
    assert (accepted["status"], _places(accepted)) == ("confirmed", {"ai": "confirmed"})

    async def confirmed_with_session() -> dict[str, Any] | None:
        for kind, data in await _events_of(servers, second["id"]):
            if kind == "registration.confirmed":
                return data
        return None

    data = await eventually(confirmed_with_session)
    assert [(s["slug"], s["status"]) for s in data["sessions"]] == [("ai", "confirmed")]


async def test_session_offers_expire_and_pass_on(service_client: Any, servers: Any) -> None:
    client = await service_client("registration", offer_hours=0.0005, offer_sweep_seconds=0.2)
    slug = await _event(client, servers, [session("ai", 1, 1)])
    first = await _register(client, slug, sessions=["ai"])
    second = await _register(client, slug, sessions=["ai"])
    third = await _register(client, slug, sessions=["ai"])
    await client.delete(f"/api/v1/registrations/{first['id']}", headers=auth(first["manage_token"]))
    assert _places(await _get(client, second)) == {"ai": "offered"}

    async def passed_on() -> bool:
        return _places(await _get(client, third)) == {"ai": "offered"}

    await eventually(passed_on)
    assert _places(await _get(client, second)) == {}
    assert (await _get(client, second))["status"] == "confirmed"  # still at the event


async def test_500_concurrent_registrations_for_50_session_seats_confirm_exactly_50(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration", registration_rate_limit=0)
    slug = await _event(
        client, servers, [session("ai", 1, 50), session("iot", 3, 120)], capacity=1000
    )
    results = await asyncio.gather(
        *(_register(client, slug, sessions=["ai", "iot"]) for _ in range(500))
    )
    assert {r["status"] for r in results} == {"confirmed"}
    places = [_places(r) for r in results]
    assert sum(p["ai"] == "confirmed" for p in places) == 50
    assert sum(p["iot"] == "confirmed" for p in places) == 120
    stats = await _stats(client, servers, slug)
    assert (stats["ai"]["confirmed"], stats["ai"]["waitlisted"], stats["ai"]["seats_left"]) == (
        50,
        450,
        0,
    )
    assert (stats["iot"]["confirmed"], stats["iot"]["waitlisted"]) == (120, 380)
    for slug_, waiting in (("ai", 450), ("iot", 380)):
        positions = sorted(
            s["position"]
            for r in results
            for s in r["sessions"]
            if s["slug"] == slug_ and s["status"] == "waitlisted"
        )
        assert positions == list(range(1, waiting + 1))


async def test_group_takes_session_seats_all_together(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers, [session("ai", 1, 3), session("iot", 3, 10)])
    attendees = [
        {"name": f"Uczeń {i}", "email": f"{unique('s')}@example.org", "lang": "pl"}
        for i in range(3)
    ]
    group = await _register(client, slug, sessions=["ai", "iot"], attendees=attendees)
    # Four people, three seats in ai: all four wait for ai, all four sit in iot.
    assert {tuple(sorted(_places(m).items())) for m in group["group"]} == {
        (("ai", "waitlisted"), ("iot", "confirmed"))
    }
    stats = await _stats(client, servers, slug)
    assert (stats["ai"]["seats_left"], stats["iot"]["seats_left"]) == (3, 6)


async def test_without_a_waitlist_a_full_session_refuses_and_stores_nothing(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers, [session("ai", 1, 1)], waitlist=False)
    await _register(client, slug, sessions=["ai"])
    email = f"{unique('p')}@example.org"
    refused = await _register(client, slug, status=409, email=email, sessions=["ai"])
    assert refused["code"] == "session_full"
    again = await _register(client, slug, email=email)
    assert again["status"] == "confirmed"


async def test_organizers_update_events_and_every_change_is_announced(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers, [], capacity=1)
    token = auth(servers.token())
    await _register(client, slug)
    waiting = await _register(client, slug)
    new_start = START + timedelta(days=1)
    r = await client.patch(
        f"/api/v1/events/{slug}",
        json={
            "venue": "Aula Wydziału Informatyki",
            "starts_at": new_start.isoformat(),
            "ends_at": (new_start + timedelta(hours=6)).isoformat(),
            "capacity": 2,
            "name": {"pl": "Nowa nazwa", "en": "New name"},
        },
        headers=token,
    )
    assert r.status == 200, await r.text()
    body = await r.json()
    assert (body["venue"], body["capacity"], body["name"]["en"]) == (
        "Aula Wydziału Informatyki",
        2,
        "New name",
    )
    assert (await _get(client, waiting))["status"] == "offered"
    r = await client.patch(
        f"/api/v1/events/{slug}",
        json={"ends_at": (new_start - timedelta(hours=1)).isoformat()},
        headers=token,
    )
    assert (r.status, (await r.json())["errors"][0]["field"]) == (400, "ends_at")
    r = await client.patch(f"/api/v1/events/{slug}", json={"capacity": 1}, headers=token)
    assert (r.status, (await r.json())["code"]) == (409, "capacity_below_taken")
    r = await client.patch(f"/api/v1/events/{slug}", json={"venue": "  "}, headers=token)
    assert r.status == 400
    r = await client.patch(f"/api/v1/events/{slug}", json={"room": "A1"}, headers=token)
    assert (await r.json())["room"] == "A1"

    async def updates() -> list[dict[str, Any]]:
        event_id = (await (await client.get(f"/api/v1/events/{slug}")).json())["id"]
        found = [d for t, d in await _events_of(servers, event_id) if t == "event.updated"]
        return found if len(found) == 2 else []

    first, second = await eventually(updates)
    assert first["changed"] == ["capacity", "ends_at", "name", "starts_at", "venue"]
    assert first["event"]["venue"] == "Aula Wydziału Informatyki"
    assert second["changed"] == ["room"] and second["event"]["room"] == "A1"
    await client.post(f"/api/v1/events/{slug}/cancel", headers=token)
    r = await client.patch(f"/api/v1/events/{slug}", json={"room": "B2"}, headers=token)
    assert (r.status, (await r.json())["code"]) == (409, "event_cancelled")


async def test_organizers_list_and_export_by_session(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers, [session("ai", 1, 1), session("iot", 3, 5)])
    anna = await _register(client, slug, name="Anna Ai", sessions=["ai", "iot"])
    piotr = await _register(client, slug, name="Piotr Iot", sessions=["ai"])
    await _register(client, slug, name="Ewa Nic")
    token = auth(servers.token())
    r = await client.get(f"/api/v1/events/{slug}/registrations?session=ai", headers=token)
    listed = await r.json()
    assert listed["total"] == 2
    assert [(x["name"], x["sessions"]) for x in listed["registrations"]] == [
        (
            "Anna Ai",
            [{"slug": "ai", "status": "confirmed"}, {"slug": "iot", "status": "confirmed"}],
        ),
        ("Piotr Iot", [{"slug": "ai", "status": "waitlisted"}]),
    ]
    r = await client.get(f"/api/v1/events/{slug}/registrations?session=nope", headers=token)
    assert (r.status, (await r.json())["code"]) == (400, "unknown_session")
    r = await client.get(f"/api/v1/events/{slug}/registrations.csv", headers=token)
    rows = (await r.text()).lstrip("\ufeff").splitlines()
    header = rows[0].split(",")
    assert header[-2:] == ["session:ai", "session:iot"]
    by_name = {row.split(",")[1]: row.split(",")[-2:] for row in rows[1:]}
    assert by_name == {
        "Anna Ai": ["confirmed", "confirmed"],
        "Piotr Iot": ["waitlisted", ""],
        "Ewa Nic": ["", ""],
    }
    assert anna["id"] != piotr["id"]


async def test_data_download_lists_sessions(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers, [session("ai", 1, 5)])
    reg = await _register(client, slug, sessions=["ai"])
    r = await client.get(
        f"/api/v1/registrations/{reg['id']}/data", headers=auth(reg["manage_token"])
    )
    assert (await r.json())["registration"]["sessions"] == [
        {"slug": "ai", "name": {"pl": "Warsztat ai", "en": "Workshop ai"}, "status": "confirmed"}
    ]
