"""Offline packs and offline scans uploaded in batches: pack content, ETag and cursor
deltas, scan-time order, conflicts, bad input, what door tokens may do, revocation."""

from __future__ import annotations

import asyncio
import base64
import io
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from services.checkin.offline.syncing import MAX_SCANS
from services.checkin.scans.texts import MESSAGES
from shared.auth import issue_token
from tests.factories import auth, event_body, eventually
from tests.journey import known_at_the_door, ticketed

PROBLEM = "application/problem+json"
BATCH = "/api/v1/scans/batch"


def _z(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _ago(minutes: int) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=minutes)


def _b64(cursor: str) -> str:
    return base64.urlsafe_b64encode(cursor.encode()).rstrip(b"=").decode()


def _door_token(servers: Any, events: list[str], **kw: Any) -> tuple[dict[str, str], str]:
    token, claims = issue_token(servers.staff_private_key, role="door", events=events, **kw)
    return auth(token), claims.jti


def _offline(
    code: str, at: datetime, gate: str = "hall", device: str = "door-a", **fields: Any
) -> dict[str, Any]:
    """One scan as a door device made it offline."""
    return {
        "scan_id": str(uuid.uuid4()),
        "code": code,
        "gate": gate,
        "scanned_at": _z(at),
        "device_id": device,
        **fields,
    }


def _tampered(code: str) -> str:
    """The code with one character of its signature changed: well-formed, wrongly signed."""
    i = len(code) - 10
    return code[:i] + ("B" if code[i] == "A" else "A") + code[i + 1 :]


def _verify_offline(code: str, keys: list[dict[str, Any]]) -> tuple[int, uuid.UUID, uuid.UUID]:
    """What a door device does with the pack's keys: the key id, ticket id and event id of
    a code whose signature holds, or BadSignatureError."""
    assert code.startswith("CNK1"), code
    body = code[4:]
    raw = base64.b32decode(body + "=" * (-len(body) % 8))
    head, signature = raw[:35], raw[35:]
    assert (head[0], len(signature)) == (1, 64)
    key_id = int.from_bytes(head[1:3], "big")
    [key] = [k for k in keys if k["id"] == key_id]
    assert key["algorithm"] == "Ed25519"
    public = base64.urlsafe_b64decode(key["public_key"] + "=" * (-len(key["public_key"]) % 4))
    VerifyKey(public).verify(b"CNK1" + head, signature)
    return key_id, uuid.UUID(bytes=head[3:19]), uuid.UUID(bytes=head[19:35])


@dataclass
class Venue:
    """One event with the three services, as its door devices and organizer see it."""

    registration: Any
    tickets: Any
    checkin: Any
    servers: Any
    event: dict[str, Any] = field(default_factory=dict)
    issued: int = 0

    @property
    def slug(self) -> str:
        return str(self.event["slug"])

    @property
    def organizer(self) -> dict[str, str]:
        return auth(self.servers.token())

    @property
    def door(self) -> dict[str, str]:
        return auth(self.servers.token("door", [self.slug]))

    async def attendance(self) -> dict[str, Any]:
        r = await self.checkin.get(f"/api/v1/events/{self.slug}/attendance", headers=self.organizer)
        assert r.status == 200, await r.text()
        return dict(await r.json())

    async def _counted(self) -> None:
        await known_at_the_door(self.checkin, self.slug, self.organizer, self.issued, self.issued)

    async def ticket(self, **reg: Any) -> dict[str, Any]:
        """A registration's ticket, once checkin knows it."""
        self.issued += 1
        clients = (self.registration, self.tickets, self.checkin)
        [done] = await ticketed(
            clients, self.slug, self.organizer, reg, known=self.issued, registered=self.issued
        )
        return done.ticket

    async def cancel(self, ticket: dict[str, Any]) -> None:
        """Cancel the ticket's registration and wait until checkin has it revoked."""
        r = await self.registration.delete(
            f"/api/v1/registrations/{ticket['registration_id']}", headers=self.organizer
        )
        assert r.status == 200, await r.text()
        self.issued -= 1
        await self._counted()

    async def ticket_types(self, *slugs: str) -> None:
        for t in slugs:
            r = await self.registration.post(
                f"/api/v1/events/{self.slug}/ticket-types",
                json={"slug": t, "name": {"pl": t, "en": t}},
                headers=self.organizer,
            )
            assert r.status == 201, await r.text()

        async def known() -> bool:
            r = await self.checkin.get(f"/api/v1/events/{self.slug}/lists", headers=self.organizer)
            return set(slugs) <= set((await r.json())["ticket_types"] or [])

        await eventually(known)

    async def pack(
        self, headers: dict[str, str] | None = None, slug: str | None = None, **query: str
    ) -> Any:
        return await self.checkin.get(
            f"/api/v1/events/{slug or self.slug}/offline-pack",
            params=query,
            headers=self.door if headers is None else headers,
        )

    async def pack_body(self, **query: str) -> tuple[dict[str, Any], str]:
        r = await self.pack(**query)
        assert r.status == 200, await r.text()
        assert r.content_type == "application/json"
        assert r.headers["Cache-Control"] == "private, no-cache"
        return dict(await r.json()), r.headers["ETag"]

    async def upload(
        self, scans: list[dict[str, Any]], headers: dict[str, str] | None = None
    ) -> Any:
        return await self.checkin.post(
            BATCH, json={"scans": scans}, headers=self.door if headers is None else headers
        )

    async def uploaded(
        self, scans: list[dict[str, Any]], headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        r = await self.upload(scans, headers)
        assert r.status == 200, await r.text()
        return dict(await r.json())

    async def conflicts(self) -> list[dict[str, Any]]:
        r = await self.checkin.get(f"/api/v1/events/{self.slug}/conflicts", headers=self.organizer)
        assert r.status == 200, await r.text()
        body = await r.json()
        assert body["event"] == self.slug
        return list(body["conflicts"])

    async def devices(self) -> list[dict[str, Any]]:
        r = await self.checkin.get(f"/api/v1/events/{self.slug}/devices", headers=self.organizer)
        assert r.status == 200, await r.text()
        return list((await r.json())["devices"])

    def verdict(
        self,
        scan: dict[str, Any],
        result: str,
        ticket: dict[str, Any] | None = None,
        status: str = "valid",
        conflict: bool = False,
        **extra: Any,
    ) -> dict[str, Any]:
        """The per-scan result the upload answers for ``scan``."""
        return {
            "scan_id": scan["scan_id"],
            "result": result,
            "message": MESSAGES[result],
            "scanned_at": scan["scanned_at"],
            "gate": scan["gate"],
            "list": scan.get("list", "main"),
            "direction": scan.get("direction", "in"),
            "device_id": scan.get("device_id"),
            "ticket": None
            if ticket is None
            else {
                "id": ticket["ticket_id"],
                "holder_name": ticket["holder_name"],
                "status": status,
                "event": {"slug": self.slug, "name": self.event["name"]},
            },
            **extra,
            "conflict": conflict,
        }


async def _venue(service_client: Any, servers: Any, **event: Any) -> Venue:
    venue = Venue(
        await service_client("registration"),
        await service_client("tickets"),
        await service_client("checkin"),
        servers,
    )
    body = event_body(**event)
    r = await venue.registration.post("/api/v1/events", json=body, headers=venue.organizer)
    assert r.status == 201, await r.text()
    venue.event = {**body, "id": (await r.json())["id"]}

    async def known() -> bool:
        r = await venue.checkin.get(f"/api/v1/events/{venue.slug}/lists", headers=venue.organizer)
        return bool(r.status == 200)

    await eventually(known)
    return venue


async def _not_modified(venue: Venue, etag: str, **query: str) -> None:
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        r = await venue.pack(headers={**venue.door, "If-None-Match": header}, **query)
        assert (r.status, await r.read()) == (304, b""), header
        assert r.headers["ETag"] == etag


# --- the pack


async def test_the_pack_carries_keys_lists_tickets_and_revocations_in_deltas(
    service_client: Any, servers: Any
) -> None:
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    venue = await _venue(
        service_client,
        servers,
        starts_at=soon.isoformat(),
        ends_at=(soon + timedelta(hours=8)).isoformat(),
        sessions=[
            {
                "slug": "ai",
                "name": {"pl": "Warsztat SI", "en": "AI workshop"},
                "starts_at": soon.isoformat(),
                "ends_at": (soon + timedelta(hours=2)).isoformat(),
                "capacity": 10,
            }
        ],
    )
    await venue.ticket_types("press", "participant")
    r = await venue.checkin.post(
        f"/api/v1/events/{venue.slug}/lists",
        json={
            "slug": "press-room",
            "name": "Press room",
            "policy": "reentry",
            "ticket_types": ["press"],
            "limit": 12,
            "enforce_limit": True,
        },
        headers=venue.organizer,
    )
    assert r.status == 201, await r.text()
    anna = await venue.ticket(name="Anna Nowak", ticket_type="press", sessions=["ai"])
    piotr = await venue.ticket(name="Piotr Żółw", ticket_type="participant")

    pack, etag = await venue.pack_body(device_id="door-1")
    cursor = pack.pop("cursor")
    generated_at = datetime.fromisoformat(pack.pop("generated_at"))
    assert abs(generated_at - datetime.now(UTC)) < timedelta(minutes=1)
    keys = pack.pop("keys")
    key_id, ticket_id, event_id = _verify_offline(anna["code"], keys)
    assert (str(ticket_id), str(event_id)) == (anna["ticket_id"], venue.event["id"])
    with pytest.raises(BadSignatureError):
        _verify_offline(_tampered(anna["code"]), keys)
    # The pack's keys are the tickets service's published ones.
    r = await venue.tickets.get("/api/v1/keys")
    published = {k["id"]: k["public_key"] for k in (await r.json())["keys"]}
    assert key_id in published
    assert all(published[k["id"]] == k["public_key"] for k in keys)

    session_list = {
        "slug": "ai",
        "name": "AI workshop",
        "policy": "single",
        "sessions": ["ai"],
        "ticket_types": [],
        "valid_from": _z(soon - timedelta(minutes=30)),
        "valid_until": _z(soon + timedelta(hours=2)),
        "limit": None,
        "enforce_limit": False,
    }
    ticket_of_anna = {
        "id": anna["ticket_id"],
        "holder_name": "Anna Nowak",
        "ticket_type": "press",
        "sessions": ["ai"],
        "status": "valid",
    }
    ticket_of_piotr = {
        "id": piotr["ticket_id"],
        "holder_name": "Piotr Żółw",
        "ticket_type": "participant",
        "sessions": [],
        "status": "valid",
    }
    assert pack == {
        "event": {
            "id": venue.event["id"],
            "slug": venue.slug,
            "name": {"pl": "Konferencja InnHUB", "en": "InnHUB Conference"},
            "starts_at": _z(soon),
            "ends_at": _z(soon + timedelta(hours=8)),
        },
        "lists": [
            {
                "slug": "main",
                "name": "Main entrance",
                "policy": "single",
                "sessions": [],
                "ticket_types": [],
                "valid_from": None,
                "valid_until": None,
                "limit": None,
                "enforce_limit": False,
            },
            session_list,
            {
                "slug": "press-room",
                "name": "Press room",
                "policy": "reentry",
                "sessions": [],
                "ticket_types": ["press"],
                "valid_from": None,
                "valid_until": None,
                "limit": 12,
                "enforce_limit": True,
            },
        ],
        "tickets": sorted([ticket_of_anna, ticket_of_piotr], key=lambda t: t["id"]),
        "revoked": [],
        "checked_in": [],
        "full": True,
    }
    # Unchanged: 304, with or without the device's cursor for the next delta.
    await _not_modified(venue, etag)
    again, same_etag = await venue.pack_body()
    assert same_etag == etag and again["cursor"] != "" and again["tickets"] == pack["tickets"]

    # A new registration: the delta holds its ticket only.
    maria = await venue.ticket(name="Maria Wiśniewska", ticket_type="participant")
    delta, delta_etag = await venue.pack_body(since=cursor)
    second = delta.pop("cursor")
    assert second != cursor and delta_etag != etag
    del delta["generated_at"]
    assert delta == {
        **pack,
        "keys": keys,
        "tickets": [
            {
                "id": maria["ticket_id"],
                "holder_name": "Maria Wiśniewska",
                "ticket_type": "participant",
                "sessions": [],
                "status": "valid",
            }
        ],
        "full": False,
    }

    # Nothing new: an empty delta that hands the same cursor back, under one ETag.
    empty, empty_etag = await venue.pack_body(since=second)
    assert (empty["cursor"], empty["tickets"], empty["revoked"], empty["checked_in"]) == (
        second,
        [],
        [],
        [],
    )
    empty_again, empty_etag_again = await venue.pack_body(since=second)
    assert empty_etag_again == empty_etag
    assert {**empty_again, "generated_at": None} == {**empty, "generated_at": None}
    await _not_modified(venue, empty_etag, since=second)

    # An entry at a door: the delta carries it for the other devices.
    r = await venue.checkin.post(
        "/api/v1/scans",
        json={
            "code": anna["code"],
            "gate": "north",
            "scan_id": str(uuid.uuid4()),
            "device_id": "phone-1",
        },
        headers=venue.door,
    )
    assert r.status == 200, await r.text()
    entered = await r.json()
    assert entered["result"] == "accepted"
    delta, _ = await venue.pack_body(since=second)
    third = delta["cursor"]
    assert (delta["tickets"], delta["revoked"], delta["checked_in"]) == (
        [],
        [],
        [
            {
                "ticket_id": anna["ticket_id"],
                "list": "main",
                "at": entered["scanned_at"],
                "gate": "north",
                "device_id": "phone-1",
            }
        ],
    )

    # A cancellation: the delta carries the ticket as revoked.
    await venue.cancel(piotr)
    delta, _ = await venue.pack_body(since=third)
    assert (delta["tickets"], delta["revoked"], delta["checked_in"], delta["full"]) == (
        [{**ticket_of_piotr, "status": "revoked"}],
        [piotr["ticket_id"]],
        [],
        False,
    )
    # And so does a new full pack, under a new ETag.
    full, full_etag = await venue.pack_body()
    assert full_etag != etag
    assert (full["revoked"], len(full["tickets"]), full["full"]) == ([piotr["ticket_id"]], 3, True)
    assert {**ticket_of_piotr, "status": "revoked"} in full["tickets"]
    assert [e["ticket_id"] for e in full["checked_in"]] == [anna["ticket_id"]]

    # The device that took the pack is known to the organizer.
    [device] = [d for d in await venue.devices() if d["device_id"] == "door-1"]
    assert (device["last_pack_at"] is not None, device["token_revoked"]) == (True, False)


async def test_bad_cursors_are_400_invalid_cursor(service_client: Any, servers: Any) -> None:
    venue = await _venue(service_client, servers)
    other = await _venue(service_client, servers)
    pack, _ = await venue.pack_body()
    event_hex = uuid.UUID(pack["event"]["id"]).hex
    r = await other.pack()
    foreign = (await r.json())["cursor"]
    for bad in [
        "",
        "not-a-cursor",
        "żółć",
        "x" * 5000,
        _b64("not-hex.1:2:"),
        _b64(event_hex),
        _b64(f"{event_hex}.abc"),
        _b64(f"{event_hex}.5:10"),
        _b64(f"{event_hex}.0:5:"),
        _b64(f"{event_hex}.10:5:"),
        _b64(f"{event_hex}.5:10:3"),
        _b64(f"{event_hex}.5:10:10"),
        _b64(f"{event_hex}.5:10:7,6"),
        _b64(f"{event_hex}.5:10:6,6"),
        _b64(f"{event_hex}.1:{2**63}:"),
        _b64(f"{event_hex}.1:{2**62}:"),  # well-formed, but no snapshot yet
        _b64(f"{event_hex}.1:2: "),
        foreign,
    ]:
        r = await venue.pack(since=bad)
        assert r.status == 400, (bad, await r.text())
        assert r.content_type == PROBLEM
        problem = await r.json()
        assert problem["code"] == "invalid_cursor", (bad, problem)
        assert problem["detail"].startswith("The since cursor is not usable"), problem
    r = await venue.pack(since=foreign)
    assert (await r.json())["detail"].endswith("it belongs to another event's pack.")
    # The event's own cursor still works, for either event.
    assert (await venue.pack(since=pack["cursor"])).status == 200
    assert (await other.pack(since=foreign)).status == 200


async def test_who_may_download_a_pack(service_client: Any, servers: Any) -> None:
    venue = await _venue(service_client, servers)
    other = auth(servers.token("door", ["some-other-event"]))
    for headers, status, code in [
        ({}, 401, "unauthorized"),
        ({"Authorization": "Bearer nonsense"}, 401, "invalid_token"),
        (other, 403, "event_not_covered"),
        (auth(servers.token("organizer", ["some-other-event"])), 403, "event_not_covered"),
    ]:
        r = await venue.pack(headers=headers)
        assert (r.status, r.content_type) == (status, PROBLEM), await r.text()
        assert (await r.json())["code"] == code
    # Organizers scan too, so they may take a pack; so may a door token of one gate.
    for headers in (
        venue.organizer,
        auth(servers.token("door")),
        auth(servers.token("door", [venue.slug], gate="north")),
    ):
        r = await venue.pack(headers=headers)
        assert r.status == 200, await r.text()
        assert (await r.json())["event"]["slug"] == venue.slug
    r = await venue.pack(headers=auth(servers.token("door")), slug="no-such-event")
    assert (r.status, (await r.json())["code"]) == (404, "event_not_found")
    r = await venue.pack(device_id="bad\x01id")
    problem = await r.json()
    assert (r.status, problem["code"]) == (400, "validation_failed")
    assert [e["field"] for e in problem["errors"]] == ["device_id"]


# --- offline scans uploaded


async def test_offline_scans_apply_in_scan_time_order_and_report_conflicts(
    service_client: Any, servers: Any
) -> None:
    venue = await _venue(service_client, servers)
    ticket = await venue.ticket(name="Ewa Kowalczyk")
    door, jti = _door_token(servers, [venue.slug])
    at = _ago(60)
    # Two doors offline at once let the same ticket in; the batch lists the later first.
    later = _offline(
        ticket["code"], at + timedelta(minutes=3), "side", "door-b", local_result="accepted"
    )
    earlier = _offline(ticket["code"], at, "hall", "door-a", local_result="accepted")
    batch = [later, earlier]
    answer = await venue.uploaded(batch, door)
    first_checkin = {"at": earlier["scanned_at"], "gate": "hall", "device_id": "door-a"}
    expected = {
        "results": [
            venue.verdict(
                later, "already_checked_in", ticket, conflict=True, first_checkin=first_checkin
            ),
            venue.verdict(earlier, "accepted", ticket),
        ],
        "accepted": 1,
        "conflicts": 1,
    }
    assert answer == expected
    attendance = {
        "event": venue.slug,
        "registered": 1,
        "tickets": 1,
        "checked_in": 1,
        "scans": 2,
        "refused": 1,
        "no_shows": 0,
    }
    assert await venue.attendance() == attendance
    [conflict] = await venue.conflicts()
    datetime.fromisoformat(conflict.pop("recorded_at"))
    assert conflict == {
        "scan_id": later["scan_id"],
        "ticket_id": ticket["ticket_id"],
        "holder_name": "Ewa Kowalczyk",
        "list": "main",
        "scanned_at": later["scanned_at"],
        "gate": "side",
        "device_id": "door-b",
        "local_result": "accepted",
        "other": {
            "scan_id": earlier["scan_id"],
            "at": earlier["scanned_at"],
            "gate": "hall",
            "device_id": "door-a",
            "result": "accepted",
        },
    }
    conflicts = await venue.conflicts()

    # The same batch again (a retry after a lost answer): the same results, nothing new.
    assert await venue.uploaded(batch, door) == expected
    assert await venue.uploaded(list(reversed(batch)), door) == {
        **expected,
        "results": list(reversed(expected["results"])),
    }
    assert await venue.attendance() == attendance
    assert await venue.conflicts() == conflicts

    # Online, the ticket is checked in since the earlier offline scan.
    r = await venue.checkin.post(
        "/api/v1/scans",
        json={"code": ticket["code"], "gate": "hall", "scan_id": str(uuid.uuid4())},
        headers=door,
    )
    online = await r.json()
    assert (online["result"], online["first_checkin"]) == ("already_checked_in", first_checkin)

    # Every upload records its devices, under the token.
    devices = await venue.devices()
    assert [(d["token_id"], d["device_id"]) for d in devices] == [
        (jti, "door-a"),
        (jti, "door-b"),
    ]
    assert all(d["last_upload_at"] and d["last_pack_at"] is None for d in devices)


async def test_an_earlier_scan_uploaded_later_takes_the_entry_over(
    service_client: Any, servers: Any
) -> None:
    venue = await _venue(service_client, servers)
    ticket = await venue.ticket(name="Jan Nowicki")
    at = _ago(30)
    later = _offline(ticket["code"], at + timedelta(minutes=5), "side", "door-b")
    earlier = _offline(ticket["code"], at, "hall", "door-a")
    # Door B comes back online first.
    assert await venue.uploaded([later]) == {
        "results": [venue.verdict(later, "accepted", ticket)],
        "accepted": 1,
        "conflicts": 0,
    }
    replaced = {
        "scan_id": later["scan_id"],
        "at": later["scanned_at"],
        "gate": "side",
        "device_id": "door-b",
    }
    taken_over = {
        "results": [venue.verdict(earlier, "accepted", ticket, replaced_entry=replaced)],
        "accepted": 1,
        "conflicts": 0,
    }
    assert await venue.uploaded([earlier]) == taken_over
    attendance = await venue.attendance()
    assert (attendance["checked_in"], attendance["scans"], attendance["refused"]) == (1, 2, 1)
    conflicts = await venue.conflicts()
    assert [
        (c["scan_id"], c["local_result"], c["other"]["scan_id"], c["other"]["result"])
        for c in conflicts
    ] == [(later["scan_id"], None, earlier["scan_id"], "accepted")]

    # Retries: door A's answer is the same; door B now hears its scan lost.
    assert await venue.uploaded([earlier]) == taken_over
    assert await venue.uploaded([later]) == {
        "results": [
            venue.verdict(
                later,
                "already_checked_in",
                ticket,
                conflict=True,
                first_checkin={"at": earlier["scanned_at"], "gate": "hall", "device_id": "door-a"},
            )
        ],
        "accepted": 0,
        "conflicts": 1,
    }
    assert await venue.attendance() == attendance
    assert await venue.conflicts() == conflicts
    # The pack shows the entry that stands.
    pack, _ = await venue.pack_body()
    assert pack["checked_in"] == [
        {
            "ticket_id": ticket["ticket_id"],
            "list": "main",
            "at": earlier["scanned_at"],
            "gate": "hall",
            "device_id": "door-a",
        }
    ]


async def test_forged_and_revoked_codes_scanned_offline_are_refused_and_stored(
    service_client: Any, servers: Any
) -> None:
    venue = await _venue(service_client, servers)
    anna = await venue.ticket(name="Anna Lis")
    piotr = await venue.ticket(name="Piotr Lis")
    await venue.cancel(piotr)
    at = _ago(20)
    forged = _offline(_tampered(anna["code"]), at, local_result="invalid")
    garbage = _offline("CNK1FORGED", at + timedelta(seconds=1))
    revoked = _offline(piotr["code"], at + timedelta(seconds=2), local_result="accepted")
    valid = _offline(anna["code"], at + timedelta(seconds=3))
    answer = await venue.uploaded([forged, garbage, revoked, valid])
    assert answer == {
        "results": [
            venue.verdict(forged, "invalid"),
            venue.verdict(garbage, "invalid"),
            venue.verdict(revoked, "revoked", piotr, status="revoked"),
            venue.verdict(valid, "accepted", anna),
        ],
        "accepted": 1,
        "conflicts": 0,
    }
    assert answer["results"][2]["message"]["en"] == "This ticket has been cancelled."
    attendance = await venue.attendance()
    # The two forged codes count as refused scans of the event the device was scanning for.
    assert (attendance["checked_in"], attendance["scans"], attendance["refused"]) == (1, 4, 3)
    assert await venue.conflicts() == []
    # The forged scan was stored: its scan_id answers its first verdict, even with the
    # genuine code now.
    retried = await venue.uploaded([{**forged, "code": anna["code"]}])
    assert retried["results"] == [venue.verdict(forged, "invalid")]
    assert await venue.attendance() == attendance


async def test_bad_batches_are_refused_whole_naming_the_field(
    service_client: Any, servers: Any
) -> None:
    venue = await _venue(service_client, servers)
    ticket = await venue.ticket()
    at = _ago(10)
    good = _offline(ticket["code"], at)

    def bad(**fields: Any) -> dict[str, Any]:
        return {**_offline(ticket["code"], at + timedelta(seconds=1), "side"), **fields}

    missing_gate = bad()
    del missing_gate["gate"]
    future = _z(datetime.now(UTC) + timedelta(minutes=30))
    cases: list[tuple[Any, list[tuple[str, str | None]]]] = [
        ([good, bad(scanned_at=future)], [("scans[1].scanned_at", "Lies in the future.")]),
        (
            [good, bad(scan_id=good["scan_id"])],
            [("scans[1].scan_id", "Appears twice in this batch.")],
        ),
        ([good, bad(list="nope")], [("scans[1].list", "The event has no check-in list 'nope'.")]),
        (
            [bad(scanned_at=future), good, bad(list="nope")],
            [("scans[0].scanned_at", None), ("scans[2].list", None)],
        ),
        ([good, bad(list="Not A Slug")], [("scans[1].list", None)]),
        ([good, bad(scanned_at="2026-01-01T10:00:00")], [("scans[1].scanned_at", None)]),
        ([good, bad(scanned_at="yesterday")], [("scans[1].scanned_at", None)]),
        ([good, bad(scan_id="not-a-uuid")], [("scans[1].scan_id", None)]),
        ([good, missing_gate], [("scans[1].gate", None)]),
        ([good, bad(gate="")], [("scans[1].gate", None)]),
        ([good, bad(device_id="a\x00b")], [("scans[1].device_id", None)]),
        ([good, bad(direction="up")], [("scans[1].direction", None)]),
        ([good, bad(local_result="fine")], [("scans[1].local_result", None)]),
        ([good, bad(code=12)], [("scans[1].code", None)]),
        ([good, bad(colour="red")], [("scans[1].colour", None)]),
        ([], [("scans", None)]),
        ([good] + [bad() for _ in range(MAX_SCANS)], [("scans", None)]),
    ]
    for scans, errors in cases:
        r = await venue.upload(scans)
        assert (r.status, r.content_type) == (400, PROBLEM), (errors, await r.text())
        problem = await r.json()
        assert problem["code"] == "validation_failed", (errors, problem["detail"])
        assert [e["field"] for e in problem["errors"]] == [f for f, _ in errors], problem
        for error, (_, message) in zip(problem["errors"], errors, strict=True):
            assert message is None or error["message"] == message, problem

    for data, headers, status, code in [
        (b"{", {"Content-Type": "application/json"}, 400, "invalid_json"),
        (b'{"scans": "all"}', {"Content-Type": "application/json"}, 400, "validation_failed"),
        (b'{"batch": []}', {"Content-Type": "application/json"}, 400, "validation_failed"),
        (b"[]", {"Content-Type": "application/json"}, 400, "validation_failed"),
        (b"\xff\xfe", {"Content-Type": "application/json"}, 400, "invalid_json"),
        (b'{"scans": []}', {"Content-Type": "text/plain"}, 415, "unsupported_media_type"),
        (
            io.BytesIO(b" " * (1024 * 1024 + 1)),
            {"Content-Type": "application/json"},
            413,
            "body_too_large",
        ),
    ]:
        r = await venue.checkin.post(BATCH, data=data, headers={**venue.door, **headers})
        assert (r.status, r.content_type) == (status, PROBLEM), (code, await r.text())
        assert (await r.json())["code"] == code

    # Nothing of any refused batch was recorded, not even the good scan in it.
    attendance = await venue.attendance()
    assert (attendance["scans"], attendance["checked_in"]) == (0, 0)
    # A full batch (over 64 KiB, so it arrives in several chunks) is taken whole.
    forged = [_offline("CNK1FORGED", at, f"gate-{i}") for i in range(MAX_SCANS - 1)]
    answer = await venue.uploaded([good, *forged])
    assert (answer["accepted"], answer["conflicts"], len(answer["results"])) == (1, 0, MAX_SCANS)
    assert answer["results"][0] == venue.verdict(good, "accepted", ticket)
    assert answer["results"][1:] == [venue.verdict(scan, "invalid") for scan in forged]


async def test_a_door_token_syncs_its_events_and_nothing_else(
    service_client: Any, servers: Any
) -> None:
    venue = await _venue(service_client, servers)
    ticket = await venue.ticket()
    at = _ago(15)
    for path in ("conflicts", "devices", "attendance"):
        r = await venue.checkin.get(f"/api/v1/events/{venue.slug}/{path}", headers=venue.door)
        assert (r.status, (await r.json())["code"]) == (403, "forbidden"), path
    r = await venue.checkin.get(
        f"/api/v1/events/{venue.slug}/conflicts",
        headers=auth(servers.token("organizer", ["some-other-event"])),
    )
    assert (r.status, (await r.json())["code"]) == (403, "event_not_covered")
    r = await venue.checkin.get("/api/v1/events/no-such-event/conflicts", headers=venue.organizer)
    assert (r.status, (await r.json())["code"]) == (404, "event_not_found")
    r = await venue.checkin.post(BATCH, json={"scans": [_offline(ticket["code"], at)]})
    assert (r.status, (await r.json())["code"]) == (401, "unauthorized")

    # A door token of one gate uploads that gate's scans only; the whole batch is refused.
    north = auth(servers.token("door", [venue.slug], gate="north"))
    elsewhere = [_offline(ticket["code"], at, "north"), _offline(ticket["code"], at, "south")]
    r = await venue.upload(elsewhere, north)
    assert (r.status, (await r.json())["code"]) == (403, "gate_not_covered")
    assert (await venue.attendance())["scans"] == 0

    # Another event's token: scans of this event's tickets are wrong_event, and stored.
    stray = _offline(ticket["code"], at, "north")
    other = auth(servers.token("door", ["some-other-event"]))
    assert (await venue.uploaded([stray], other))["results"] == [
        venue.verdict(stray, "wrong_event", ticket)
    ]
    assert (await venue.attendance())["checked_in"] == 0
    at_north = _offline(ticket["code"], at + timedelta(seconds=1), "north")
    assert (await venue.uploaded([at_north], north))["results"] == [
        venue.verdict(at_north, "accepted", ticket)
    ]
    attendance = await venue.attendance()
    assert (attendance["checked_in"], attendance["scans"]) == (1, 2)


async def test_a_revoked_door_token_can_no_longer_sync_and_its_scans_stay(
    service_client: Any, servers: Any
) -> None:
    venue = await _venue(service_client, servers)
    ticket = await venue.ticket()
    door, jti = _door_token(servers, [venue.slug])
    r = await venue.pack(door, device_id="lost-phone")
    assert r.status == 200, await r.text()
    cursor = (await r.json())["cursor"]
    scan = _offline(ticket["code"], _ago(5), device="lost-phone")
    assert (await venue.uploaded([scan], door))["accepted"] == 1

    r = await venue.checkin.delete(f"/api/v1/door-tokens/{jti}", headers=venue.organizer)
    assert r.status == 204, await r.text()
    for r in (
        await venue.pack(door),
        await venue.pack(door, since=cursor),
        await venue.upload([scan], door),
        await venue.upload([_offline(ticket["code"], _ago(1), device="lost-phone")], door),
    ):
        assert (r.status, r.content_type) == (401, PROBLEM)
        assert (await r.json())["code"] == "token_revoked"
    attendance = await venue.attendance()
    assert (attendance["checked_in"], attendance["scans"]) == (1, 1)
    [device] = await venue.devices()
    assert (device["token_id"], device["device_id"], device["token_revoked"]) == (
        jti,
        "lost-phone",
        True,
    )
    assert device["last_pack_at"] and device["last_upload_at"]

    # The replacement phone's token carries on from the lost one's cursor.
    delta, _ = await venue.pack_body(since=cursor)
    assert [(e["ticket_id"], e["device_id"]) for e in delta["checked_in"]] == [
        (ticket["ticket_id"], "lost-phone")
    ]


async def test_doors_uploading_at_once_leave_the_earliest_entry_and_every_conflict_linked(
    service_client: Any, servers: Any
) -> None:
    venue = await _venue(service_client, servers)
    ticket = await venue.ticket()
    at = _ago(40)
    scans = [
        _offline(ticket["code"], at + timedelta(seconds=i), f"gate-{i}", f"door-{i}")
        for i in range(12)
    ]
    # Wi-Fi comes back: every door uploads at once, in no particular order.
    order = [6, 3, 9, 1, 11, 4, 0, 8, 2, 10, 5, 7]
    answers = await asyncio.gather(*(venue.uploaded([scans[i]]) for i in order))
    assert sorted(a["results"][0]["scan_id"] for a in answers) == sorted(
        s["scan_id"] for s in scans
    )
    attendance = await venue.attendance()
    assert (attendance["checked_in"], attendance["scans"], attendance["refused"]) == (1, 12, 11)
    pack, _ = await venue.pack_body()
    assert [(e["gate"], e["at"]) for e in pack["checked_in"]] == [
        ("gate-0", scans[0]["scanned_at"])
    ]
    # Each lost scan is a conflict with the entry that stands, whatever it lost to first.
    conflicts = await venue.conflicts()
    assert sorted((c["scan_id"], c["other"]["scan_id"]) for c in conflicts) == sorted(
        (s["scan_id"], scans[0]["scan_id"]) for s in scans[1:]
    )
    again = await asyncio.gather(*(venue.uploaded([scan]) for scan in scans))
    assert [a["results"][0]["result"] for a in again] == ["accepted"] + ["already_checked_in"] * 11
    assert await venue.conflicts() == conflicts
    assert await venue.attendance() == attendance
