"""Waitlists: a full event waitlists, a freed seat becomes an offer, offers confirm or pass on."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.factories import auth, event_body, eventually, registration_body


async def _event(client: Any, servers: Any, **overrides: Any) -> dict[str, Any]:
    body = event_body(**overrides)
    r = await client.post("/api/v1/events", json=body, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    return body


async def _register(client: Any, slug: str, **overrides: Any) -> dict[str, Any]:
    r = await client.post(
        f"/api/v1/events/{slug}/registrations", json=registration_body(**overrides)
    )
    assert r.status == 201, await r.text()
    return dict(await r.json())


async def _get(client: Any, reg: dict[str, Any]) -> dict[str, Any]:
    r = await client.get(f"/api/v1/registrations/{reg['id']}", headers=auth(reg["manage_token"]))
    assert r.status == 200, await r.text()
    return dict(await r.json())


async def _stats(client: Any, servers: Any, slug: str) -> dict[str, Any]:
    r = await client.get(f"/api/v1/events/{slug}/stats", headers=auth(servers.token()))
    assert r.status == 200, await r.text()
    return dict(await r.json())


async def test_full_event_waitlists_in_order_and_cancellation_offers_the_seat(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    event = await _event(client, servers, capacity=1)
    slug = event["slug"]
    first = await _register(client, slug)
    second = await _register(client, slug)
    third = await _register(client, slug)
    assert first["status"] == "confirmed"
    assert (second["status"], second["position"]) == ("waitlisted", 1)
    assert (third["status"], third["position"]) == ("waitlisted", 2)

    r = await client.delete(
        f"/api/v1/registrations/{first['id']}", headers=auth(first["manage_token"])
    )
    assert r.status == 200, await r.text()
    cancelled = await r.json()
    assert (cancelled["status"], cancelled["cancel_reason"]) == ("cancelled", "attendee")
    offered = await _get(client, second)
    assert offered["status"] == "offered" and offered["offer_expires_at"]
    assert (await _get(client, third))["position"] == 1
    assert await _stats(client, servers, slug) == {
        "event": slug,
        "capacity": 1,
        "seats_left": 0,
        "confirmed": 0,
        "waitlisted": 1,
        "open_offers": 1,
        "cancelled": 1,
        "total_if_all_offers_taken": 1,
        "sessions": [],
    }

    r = await client.post(
        f"/api/v1/registrations/{second['id']}/accept-offer", headers=auth(second["manage_token"])
    )
    assert r.status == 200, await r.text()
    assert (await r.json())["status"] == "confirmed"
    r = await client.post(
        f"/api/v1/registrations/{third['id']}/accept-offer", headers=auth(third["manage_token"])
    )
    assert r.status == 409 and (await r.json())["code"] == "no_open_offer"
    stats = await _stats(client, servers, slug)
    assert (stats["confirmed"], stats["waitlisted"], stats["open_offers"]) == (1, 1, 0)

    # Cancelling twice is harmless; the seat is freed once.
    r = await client.delete(f"/api/v1/registrations/{first['id']}", headers=auth(servers.token()))
    assert r.status == 200 and (await r.json())["status"] == "cancelled"
    assert (await _stats(client, servers, slug))["open_offers"] == 0


async def test_expired_offer_passes_to_the_next(service_client: Any, servers: Any) -> None:
    # Offers live 0.0005 h = 1.8 s here and the sweeper looks every 0.2 s.
    client = await service_client("registration", offer_hours=0.0005, offer_sweep_seconds=0.2)
    event = await _event(client, servers, capacity=1)
    first = await _register(client, event["slug"])
    second = await _register(client, event["slug"])
    third = await _register(client, event["slug"])
    await client.delete(f"/api/v1/registrations/{first['id']}", headers=auth(servers.token()))
    assert (await _get(client, second))["status"] == "offered"

    async def passed_on() -> bool:
        return (await _get(client, third))["status"] == "offered"

    await eventually(passed_on, timeout=20)
    lapsed = await _get(client, second)
    assert (lapsed["status"], lapsed["cancel_reason"]) == ("cancelled", "offer_expired")
    r = await client.post(
        f"/api/v1/registrations/{second['id']}/accept-offer", headers=auth(second["manage_token"])
    )
    assert r.status == 409


async def test_raising_capacity_offers_seats_and_lowering_below_taken_is_refused(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    event = await _event(client, servers, capacity=2)
    slug = event["slug"]
    regs = [await _register(client, slug) for _ in range(5)]
    assert [r["status"] for r in regs] == ["confirmed"] * 2 + ["waitlisted"] * 3
    r = await client.patch(
        f"/api/v1/events/{slug}", json={"capacity": 4}, headers=auth(servers.token())
    )
    assert r.status == 200, await r.text()
    assert (await r.json())["capacity"] == 4
    assert [(await _get(client, r))["status"] for r in regs] == [
        "confirmed",
        "confirmed",
        "offered",
        "offered",
        "waitlisted",
    ]
    r = await client.patch(
        f"/api/v1/events/{slug}", json={"capacity": 3}, headers=auth(servers.token())
    )
    assert r.status == 409 and (await r.json())["code"] == "capacity_below_taken"


async def test_concurrent_registrations_fill_seats_then_waitlist(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    event = await _event(client, servers, capacity=10)
    results = await asyncio.gather(*(_register(client, event["slug"]) for _ in range(60)))
    statuses = sorted(r["status"] for r in results)
    assert statuses == ["confirmed"] * 10 + ["waitlisted"] * 50
    # One instance stores registrations arriving together in one batch after another
    # (batcher.py): the line is counted once per batch, and no position is given twice.
    positions = sorted(r["position"] for r in results if r["status"] == "waitlisted")
    assert positions == list(range(1, 51))
    stats = await _stats(client, servers, event["slug"])
    assert (stats["confirmed"], stats["waitlisted"], stats["seats_left"]) == (10, 50, 0)


async def test_a_refusal_in_a_batch_of_concurrent_registrations_refuses_only_its_own(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    event = await _event(client, servers, capacity=10, waitlist=False)
    slug = event["slug"]
    twice = registration_body()
    bodies = [registration_body() for _ in range(3)] + [twice, twice]
    bodies += [registration_body() for _ in range(6)]

    async def post(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        r = await client.post(f"/api/v1/events/{slug}/registrations", json=body)
        return r.status, dict(await r.json())

    answers = await asyncio.gather(*(post(b) for b in bodies))
    codes = sorted(a["code"] for status, a in answers if status == 409)
    confirmed = [a for status, a in answers if status == 201]
    # Ten different people for ten seats, one address used twice: the second use is
    # refused as such (even when it comes once the seats are gone), the nine others in its
    # batch are confirmed; then the event is full.
    assert len(confirmed) == 10 and all(a["status"] == "confirmed" for a in confirmed)
    assert codes == ["already_registered"]
    status, late = await post(registration_body())
    assert (status, late["code"]) == (409, "event_full")
    status, again = await post(twice)
    assert (status, again["code"]) == (409, "already_registered")
    stats = await _stats(client, servers, slug)
    assert (stats["confirmed"], stats["seats_left"]) == (10, 0)


async def test_500_concurrent_registrations_for_50_seats_confirm_exactly_50(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    event = await _event(client, servers, capacity=50)
    results = await asyncio.gather(*(_register(client, event["slug"]) for _ in range(500)))
    confirmed = [r for r in results if r["status"] == "confirmed"]
    assert len(confirmed) == 50
    assert len(results) - len(confirmed) == 450
    stats = await _stats(client, servers, event["slug"])
    assert (stats["confirmed"], stats["waitlisted"], stats["seats_left"]) == (50, 450, 0)


async def test_waitlisted_events_carry_each_ones_position(
    service_client: Any, servers: Any
) -> None:
    from tests.registration.test_sessions import _events_of

    client = await service_client("registration")
    event = await _event(client, servers, capacity=1)
    await _register(client, event["slug"])
    alone = await _register(client, event["slug"])
    group = await _register(
        client,
        event["slug"],
        attendees=[
            {"name": f"Uczeń {i}", "email": f"u{i}-{alone['id'][:8]}@example.org", "lang": "pl"}
            for i in range(3)
        ],
    )
    expected = {alone["id"]: 1} | {m["id"]: m["position"] for m in group["group"]}
    assert sorted(expected.values()) == [1, 2, 3, 4, 5]

    async def positions() -> dict[str, int]:
        found = {}
        for registration_id in expected:
            for kind, data in await _events_of(servers, registration_id):
                if kind == "registration.waitlisted":
                    found[registration_id] = data["position"]
        return found if len(found) == len(expected) else {}

    assert await eventually(positions) == expected
    for member in group["group"]:
        assert (await _get(client, member))["position"] == member["position"]


async def test_two_instances_never_give_the_same_position(
    service_client: Any, servers: Any
) -> None:
    """Two instances' batches for one event take turns at counting the line
    (db.lock_line), so their positions follow on from each other."""
    one = await service_client("registration")
    other = await service_client("registration")
    event = await _event(one, servers, capacity=5)
    results = await asyncio.gather(
        *(_register(one if i % 2 else other, event["slug"]) for i in range(60))
    )
    assert sorted(r["status"] for r in results) == ["confirmed"] * 5 + ["waitlisted"] * 55
    positions = sorted(r["position"] for r in results if r["status"] == "waitlisted")
    assert positions == list(range(1, 56))
