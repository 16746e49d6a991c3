"""Revoking staff tokens: at once, on every instance, for scans, packs and uploads."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import nats

from shared import revocations
from shared.auth import issue_token
from tests.factories import auth, event_body, eventually

PROBLEM = "application/problem+json"


def _token(servers: Any, role: str = "door", **kw: Any) -> tuple[dict[str, str], str]:
    token, claims = issue_token(
        servers.staff_private_key, role=role, events=kw.pop("events", ["*"]), **kw
    )
    return auth(token), claims.jti


async def _scan_status(client: Any, headers: dict[str, str]) -> tuple[int, str]:
    """A scan of a forged code: 200 (invalid) while the token works, else the problem."""
    r = await client.post(
        "/api/v1/scans",
        json={"code": "CNK1FORGED", "gate": "hall", "scan_id": str(uuid.uuid4())},
        headers=headers,
    )
    body = await r.json()
    return r.status, body["result"] if r.status == 200 else body["code"]


async def _batch_status(client: Any, headers: dict[str, str]) -> tuple[int, str]:
    scan = {
        "code": "CNK1FORGED",
        "gate": "hall",
        "scan_id": str(uuid.uuid4()),
        "scanned_at": datetime.now(UTC).isoformat(),
    }
    r = await client.post("/api/v1/scans/batch", json={"scans": [scan]}, headers=headers)
    body = await r.json()
    return r.status, body["results"][0]["result"] if r.status == 200 else body["code"]


async def _revoked_problem(r: Any) -> None:
    assert r.status == 401, await r.text()
    assert r.content_type == PROBLEM
    assert (await r.json())["code"] == "token_revoked"
    assert r.headers["WWW-Authenticate"] == "Bearer"


async def test_a_revoked_door_token_stops_working_at_once_on_every_instance(
    service_client: Any, servers: Any
) -> None:
    first = await service_client("checkin")
    second = await service_client("checkin")  # another process: shares only the database
    door, jti = _token(servers, "door", gate="hall")
    organizer, organizer_jti = _token(servers, "organizer", subject="anna.nowak")
    assert await _scan_status(first, door) == (200, "invalid")
    assert await _scan_status(second, door) == (200, "invalid")
    assert await _batch_status(second, door) == (200, "invalid")

    r = await first.delete(
        f"/api/v1/door-tokens/{jti}", json={"reason": "phone lost"}, headers=organizer
    )
    assert r.status == 204, await r.text()
    assert await _scan_status(first, door) == (401, "token_revoked")

    async def refused_by_second() -> bool:
        return await _scan_status(second, door) == (401, "token_revoked")

    await eventually(refused_by_second, timeout=1.0, interval=0.02)
    await _revoked_problem(
        await second.post(
            "/api/v1/scans",
            json={"code": "CNK1FORGED", "gate": "hall", "scan_id": str(uuid.uuid4())},
            headers=door,
        )
    )
    assert await _batch_status(second, door) == (401, "token_revoked")
    await _revoked_problem(await second.get("/api/v1/events/any-event/offline-pack", headers=door))
    await _revoked_problem(await second.get("/api/v1/events/any-event/lists", headers=door))

    # Idempotent, and listed with who revoked it and why.
    r = await second.delete(f"/api/v1/door-tokens/{jti.upper()}", headers=organizer)
    assert r.status == 204, await r.text()
    r = await first.get("/api/v1/door-tokens/revoked", headers=organizer)
    assert r.status == 200, await r.text()
    [listed] = [t for t in (await r.json())["revoked"] if t["token_id"] == jti]
    assert listed["revoked_by"] == "anna.nowak" and listed["reason"] == "phone lost"
    assert datetime.fromisoformat(listed["revoked_at"]) <= datetime.now(UTC)

    # A process started later knows it from the start.
    third = await service_client("checkin")
    assert await _scan_status(third, door) == (401, "token_revoked")

    # An organizer token is just a jti too.
    r = await first.delete(f"/api/v1/door-tokens/{organizer_jti}", headers=organizer)
    assert r.status == 204, await r.text()
    await _revoked_problem(await first.get("/api/v1/door-tokens/revoked", headers=organizer))
    await _revoked_problem(await first.delete(f"/api/v1/door-tokens/{jti}", headers=organizer))


async def test_only_an_organizer_revokes_and_token_ids_are_uuids(
    service_client: Any, servers: Any
) -> None:
    checkin = await service_client("checkin")
    door, jti = _token(servers, "door")
    organizer, _ = _token(servers, "organizer")

    r = await checkin.delete(f"/api/v1/door-tokens/{jti}", headers=door)
    assert r.status == 403 and (await r.json())["code"] == "forbidden"
    r = await checkin.delete(f"/api/v1/door-tokens/{jti}")
    assert r.status == 401 and (await r.json())["code"] == "unauthorized"
    r = await checkin.get("/api/v1/door-tokens/revoked", headers=door)
    assert r.status == 403 and (await r.json())["code"] == "forbidden"
    for bad in ("not-a-uuid", "1234", "%20", "0" * 33):
        r = await checkin.delete(f"/api/v1/door-tokens/{bad}", headers=organizer)
        assert r.status == 400, (bad, await r.text())
        problem = await r.json()
        assert r.content_type == PROBLEM
        assert (problem["code"], problem["errors"][0]["field"]) == ("validation_failed", "token_id")
    r = await checkin.delete(
        f"/api/v1/door-tokens/{jti}", json={"reason": "x", "extra": 1}, headers=organizer
    )
    assert r.status == 400 and (await r.json())["errors"][0]["field"] == "extra"
    r = await checkin.delete(
        f"/api/v1/door-tokens/{jti}", json={"reason": "bad\x00text"}, headers=organizer
    )
    assert r.status == 400 and (await r.json())["errors"][0]["field"] == "reason"
    r = await checkin.delete(f"/api/v1/door-tokens/{jti}", data="reason", headers=organizer)
    assert r.status == 415, await r.text()
    # None of the refusals revoked anything.
    assert await _scan_status(checkin, door) == (200, "invalid")


async def test_a_revocation_the_bucket_lost_is_written_again_when_checkin_starts(
    service_client: Any, servers: Any
) -> None:
    """The database is checkin's record of revocations; the bucket is how every service
    hears of them. A revocation missing from the bucket (its write failed after the
    database had it) is put back when a checkin instance starts."""
    first = await service_client("checkin")
    door, jti = _token(servers, "door")
    organizer, _ = _token(servers, "organizer")
    r = await first.delete(f"/api/v1/door-tokens/{jti}", headers=organizer)
    assert r.status == 204, await r.text()
    nc = await nats.connect(servers.nats_url)
    try:
        bucket = await nc.jetstream().key_value(revocations.BUCKET)
        await bucket.purge(jti)
        tickets = await service_client("tickets")  # follows the bucket, knows nothing now
        assert (await tickets.post("/api/v1/keys", headers=door)).status == 403

        await service_client("checkin")

        async def refused_by_tickets() -> bool:
            r = await tickets.post("/api/v1/keys", headers=door)
            return r.status == 401 and (await r.json())["code"] == "token_revoked"

        await eventually(refused_by_tickets, timeout=5.0)
        assert (await bucket.get(jti)).value
    finally:
        await nc.close()


async def test_an_organizer_of_some_events_revokes_the_tokens_used_at_them(
    service_client: Any, servers: Any
) -> None:
    checkin = await service_client("checkin")
    registration = await service_client("registration")
    event = event_body()
    r = await registration.post("/api/v1/events", json=event, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    slug = event["slug"]
    used, used_jti = _token(servers, "door", events=[slug])
    unused, unused_jti = _token(servers, "door", events=[slug])

    async def pack_taken() -> bool:
        r = await checkin.get(
            f"/api/v1/events/{slug}/offline-pack", params={"device_id": "phone-1"}, headers=used
        )
        return r.status == 200

    await eventually(pack_taken)  # once checkin has heard of the event
    mine, _ = _token(servers, "organizer", events=[slug])
    other, _ = _token(servers, "organizer", events=["another-event"])
    everything, _ = _token(servers, "organizer")

    r = await checkin.delete(f"/api/v1/door-tokens/{used_jti}", headers=other)
    assert (r.status, (await r.json())["code"]) == (403, "event_not_covered")
    r = await checkin.delete(f"/api/v1/door-tokens/{unused_jti}", headers=mine)
    assert (r.status, (await r.json())["code"]) == (403, "event_not_covered")
    r = await checkin.delete(f"/api/v1/door-tokens/{used_jti}", headers=mine)
    assert r.status == 204, await r.text()
    r = await checkin.delete(f"/api/v1/door-tokens/{unused_jti}", headers=everything)
    assert r.status == 204, await r.text()

    async def listed(headers: dict[str, str]) -> set[str]:
        r = await checkin.get("/api/v1/door-tokens/revoked", headers=headers)
        return {t["token_id"] for t in (await r.json())["revoked"]}

    assert await listed(mine) == {used_jti}
    assert await listed(other) == set()
    assert {used_jti, unused_jti} <= await listed(everything)
    assert await _scan_status(checkin, unused) == (401, "token_revoked")
