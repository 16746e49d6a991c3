"""Check-in lists: policies, windows, membership, occupancy limits, who is inside; lists
changed and removed, ticket types checked."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from services.checkin.scans.rules import FirstEntry, ScanFacts, Verdict, decide, entry_key, on_list
from shared import events, wire
from tests.factories import auth, event_body, eventually
from tests.journey import ticketed

NOW = datetime.now(UTC).replace(microsecond=0)


@dataclass
class Door:
    """One event as the door sees it: the three services and the event's slug."""

    registration: Any
    tickets: Any
    checkin: Any
    servers: Any
    slug: str
    issued: int = 0

    @property
    def organizer(self) -> dict[str, str]:
        return auth(self.servers.token())

    async def ticket(self, **reg: Any) -> dict[str, Any]:
        [ticket] = await self.tickets_for(reg)
        return ticket

    async def tickets_for(self, *people: dict[str, Any]) -> list[dict[str, Any]]:
        """Each person's ticket (with the registration's manage token), once checkin counts
        every ticket and registration of the event."""
        self.issued += len(people)
        done = await ticketed(
            (self.registration, self.tickets, self.checkin),
            self.slug,
            self.organizer,
            *people,
            known=self.issued,
            registered=self.issued,
        )
        return [{**t.ticket, "manage_token": t.reg["manage_token"]} for t in done]

    async def add_list(self, **fields: Any) -> dict[str, Any]:
        r = await self.checkin.post(
            f"/api/v1/events/{self.slug}/lists",
            json={"name": "Hall", **fields},
            headers=self.organizer,
        )
        assert r.status == 201, await r.text()
        return dict(await r.json())

    async def lists(self) -> dict[str, Any]:
        r = await self.checkin.get(f"/api/v1/events/{self.slug}/lists", headers=self.organizer)
        assert r.status == 200, await r.text()
        return dict(await r.json())

    async def ticket_types(self, *slugs: str) -> None:
        """Add ticket types in registration and wait until checkin has heard of them."""
        for t in slugs:
            r = await self.registration.post(
                f"/api/v1/events/{self.slug}/ticket-types",
                json={"slug": t, "name": {"pl": t, "en": t}},
                headers=self.organizer,
            )
            assert r.status == 201, await r.text()

        async def known() -> bool:
            return set(slugs) <= set((await self.lists())["ticket_types"] or [])

        await eventually(known)

    async def patch(self, list_: str, headers: dict[str, str] | None = None, **fields: Any) -> Any:
        return await self.checkin.patch(
            f"/api/v1/events/{self.slug}/lists/{list_}",
            json=fields,
            headers=self.organizer if headers is None else headers,
        )

    async def delete(self, list_: str, headers: dict[str, str] | None = None) -> Any:
        return await self.checkin.delete(
            f"/api/v1/events/{self.slug}/lists/{list_}",
            headers=self.organizer if headers is None else headers,
        )

    async def scan_response(self, ticket: dict[str, Any], list_: str = "main") -> Any:
        return await self.checkin.post(
            "/api/v1/scans",
            json={"code": ticket["code"], "gate": "g", "scan_id": str(uuid.uuid4()), "list": list_},
            headers=auth(self.servers.token("door", [self.slug])),
        )

    async def scan(
        self, ticket: dict[str, Any], list_: str = "main", direction: str = "in", gate: str = "g"
    ) -> dict[str, Any]:
        r = await self.checkin.post(
            "/api/v1/scans",
            json={
                "code": ticket["code"],
                "gate": gate,
                "scan_id": str(uuid.uuid4()),
                "list": list_,
                "direction": direction,
            },
            headers=auth(self.servers.token("door", [self.slug])),
        )
        assert r.status == 200, await r.text()
        return dict(await r.json())

    async def results(self, ticket: dict[str, Any], *steps: tuple[str, str]) -> list[str]:
        return [(await self.scan(ticket, list_, direction))["result"] for list_, direction in steps]

    async def inside(self, list_: str = "main") -> dict[str, Any]:
        r = await self.checkin.get(
            f"/api/v1/events/{self.slug}/inside?list={list_}", headers=self.organizer
        )
        assert r.status == 200, await r.text()
        return dict(await r.json())


async def _door(service_client: Any, servers: Any, **event: Any) -> Door:
    door = Door(
        await service_client("registration"),
        await service_client("tickets"),
        await service_client("checkin"),
        servers,
        "",
    )
    body = event_body(**event)
    r = await door.registration.post("/api/v1/events", json=body, headers=door.organizer)
    assert r.status == 201, await r.text()
    door.slug = body["slug"]

    async def known() -> bool:
        r = await door.checkin.get(f"/api/v1/events/{door.slug}/lists", headers=door.organizer)
        return bool(r.status == 200)

    await eventually(known)
    return door


# --- the rules, without I/O


ENTRY = FirstEntry(at=datetime(2026, 11, 20, 22, 30, tzinfo=UTC), gate="a", device_id=None)


def test_daily_allows_one_entry_per_calendar_day_in_warsaw() -> None:
    facts = ScanFacts(code_valid=True, policy="daily", last_entry=ENTRY, first_entry=ENTRY)
    # 22:30 UTC on the 20th is 23:30 in Warsaw; 23:10 UTC is already the 21st there.
    same_day = replace(facts, now=datetime(2026, 11, 20, 22, 50, tzinfo=UTC))
    next_day = replace(facts, now=datetime(2026, 11, 20, 23, 10, tzinfo=UTC))
    assert decide(same_day) == Verdict("already_checked_in", ENTRY)
    assert decide(next_day) == Verdict("accepted")
    assert entry_key("daily", datetime(2026, 11, 20, 23, 10, tzinfo=UTC), 1) == "2026-11-21"


def test_reentry_blocks_only_while_inside_and_exits_are_never_refused() -> None:
    inside = ScanFacts(code_valid=True, policy="reentry", last_entry=ENTRY, inside=True)
    assert decide(inside) == Verdict("already_checked_in", ENTRY)
    out = replace(inside, inside=False)
    assert decide(out) == Verdict("accepted")
    for direction_facts in (inside, out):
        exit_ = replace(direction_facts, direction="out")
        assert decide(exit_) == Verdict("exited")
    assert [entry_key("reentry", NOW, n) for n in (0, 1)] == ["1", "2"]
    assert entry_key("single", NOW, 3) == ""


def test_window_list_and_limit_in_their_order() -> None:
    base = ScanFacts(
        code_valid=True,
        now=NOW,
        valid_from=NOW - timedelta(hours=1),
        valid_until=NOW + timedelta(hours=1),
        limit=2,
        enforce_limit=True,
        inside_count=1,
    )
    assert decide(base) == Verdict("accepted")
    assert decide(replace(base, inside_count=2)) == Verdict("venue_full")
    assert decide(replace(base, inside_count=2, enforce_limit=False)) == Verdict("accepted")
    early = replace(base, now=NOW - timedelta(hours=2), inside_count=2)
    assert decide(early) == Verdict("not_valid_now")
    late = replace(base, now=NOW + timedelta(hours=1))
    assert decide(late) == Verdict("not_valid_now")
    off = replace(early, on_list=False)
    assert decide(off) == Verdict("not_on_list")
    full_but_in = replace(base, inside_count=2, first_entry=ENTRY)
    assert decide(full_but_in) == Verdict("already_checked_in", ENTRY)


@pytest.mark.parametrize(
    ("types", "sessions", "ticket_type", "confirmed", "expected"),
    [
        ([], [], None, None, True),
        (["press"], [], "press", [], True),
        (["press"], [], "participant", [], False),
        (["press"], [], None, None, False),
        ([], ["ai"], None, ["iot", "ai"], True),
        ([], ["ai"], None, ["iot"], False),
        (["press"], ["ai"], "press", ["iot"], False),
    ],
)
def test_list_membership(
    types: list[str],
    sessions: list[str],
    ticket_type: str | None,
    confirmed: list[str] | None,
    expected: bool,
) -> None:
    assert on_list(types, sessions, ticket_type, confirmed) is expected


# --- lists through the API


async def test_lists_are_created_and_listed_next_to_main(service_client: Any, servers: Any) -> None:
    door = await _door(service_client, servers)
    await door.ticket_types("vip", "press")
    valid_from = NOW + timedelta(days=1)
    created = await door.add_list(
        slug="vip-lounge",
        name="VIP lounge",
        policy="reentry",
        ticket_types=["vip", "press"],
        valid_from=valid_from.isoformat(),
        valid_until=(valid_from + timedelta(hours=3)).isoformat(),
        limit=40,
        enforce_limit=True,
    )
    assert created == {
        "slug": "vip-lounge",
        "name": "VIP lounge",
        "policy": "reentry",
        "origin": "organizer",
        "sessions": [],
        "ticket_types": ["press", "vip"],
        "valid_from": valid_from.isoformat().replace("+00:00", "Z"),
        "valid_until": (valid_from + timedelta(hours=3)).isoformat().replace("+00:00", "Z"),
        "limit": 40,
        "enforce_limit": True,
        "gates": [],
    }
    for taken in ("vip-lounge", "main"):
        r = await door.checkin.post(
            f"/api/v1/events/{door.slug}/lists",
            json={"slug": taken, "name": "Again"},
            headers=door.organizer,
        )
        assert (r.status, (await r.json())["code"]) == (409, "list_exists")
    r = await door.checkin.get(
        f"/api/v1/events/{door.slug}/lists", headers=auth(servers.token("door", [door.slug]))
    )
    assert r.status == 200, await r.text()
    body = await r.json()
    assert (body["event"], body["ticket_types"]) == (door.slug, ["press", "vip"])
    assert body["lists"] == [
        {
            "slug": "main",
            "name": "Main entrance",
            "policy": "single",
            "origin": "main",
            "sessions": [],
            "ticket_types": [],
            "valid_from": None,
            "valid_until": None,
            "limit": None,
            "enforce_limit": False,
            "gates": [],
        },
        created,
    ]


async def test_single_list_records_exits_but_never_admits_twice(
    service_client: Any, servers: Any
) -> None:
    door = await _door(service_client, servers)
    ticket = await door.ticket(name="Jan Kowalski")
    first = await door.scan(ticket, gate="north")
    assert (first["result"], first["direction"]) == ("accepted", "in")
    assert (await door.inside())["people"] == [
        {
            "ticket_id": ticket["ticket_id"],
            "holder_name": "Jan Kowalski",
            "entered_at": first["scanned_at"],
            "gate": "north",
        }
    ]
    out = await door.scan(ticket, direction="out")
    assert (out["result"], out["message"]["en"]) == ("exited", "Exit recorded.")
    assert (await door.inside())["count"] == 0
    again = await door.scan(ticket, gate="south")
    assert again["result"] == "already_checked_in"
    assert again["first_checkin"] == {"at": first["scanned_at"], "gate": "north", "device_id": None}
    assert (await door.inside()) == {"list": "main", "count": 0, "limit": None, "people": []}


async def test_reentry_alternates_entries_and_exits(service_client: Any, servers: Any) -> None:
    door = await _door(service_client, servers)
    await door.add_list(slug="expo", policy="reentry")
    ticket = await door.ticket()
    expo = "expo"
    assert await door.results(
        ticket, (expo, "in"), (expo, "in"), (expo, "out"), (expo, "in"), ("main", "in")
    ) == ["accepted", "already_checked_in", "exited", "accepted", "accepted"]
    assert [p["ticket_id"] for p in (await door.inside(expo))["people"]] == [ticket["ticket_id"]]
    # Exiting twice records the second exit and changes nothing.
    assert await door.results(ticket, (expo, "out"), (expo, "out")) == ["exited", "exited"]
    assert (await door.inside(expo))["count"] == 0
    assert (await door.inside())["count"] == 1
    r = await door.checkin.get(f"/api/v1/events/{door.slug}/attendance", headers=door.organizer)
    assert (await r.json())["checked_in"] == 1


async def test_daily_list_admits_once_a_day_even_after_an_exit(
    service_client: Any, servers: Any
) -> None:
    door = await _door(service_client, servers)
    await door.add_list(slug="fair-days", policy="daily")
    ticket = await door.ticket()
    days = "fair-days"
    assert await door.results(ticket, (days, "in"), (days, "out"), (days, "in")) == [
        "accepted",
        "exited",
        "already_checked_in",
    ]


async def test_a_list_is_valid_only_inside_its_window(service_client: Any, servers: Any) -> None:
    door = await _door(service_client, servers)
    await door.add_list(slug="tomorrow", valid_from=(NOW + timedelta(days=1)).isoformat())
    await door.add_list(slug="yesterday", valid_until=(NOW - timedelta(days=1)).isoformat())
    await door.add_list(
        slug="today",
        valid_from=(NOW - timedelta(hours=1)).isoformat(),
        valid_until=(NOW + timedelta(hours=1)).isoformat(),
    )
    ticket = await door.ticket()
    verdict = await door.scan(ticket, "tomorrow")
    assert (verdict["result"], verdict["message"]) == (
        "not_valid_now",
        {"pl": "Bilet nie jest ważny o tej porze.", "en": "Not valid at this time."},
    )
    assert await door.results(ticket, ("yesterday", "in"), ("today", "in")) == [
        "not_valid_now",
        "accepted",
    ]


async def test_ticket_type_list_admits_only_its_types(service_client: Any, servers: Any) -> None:
    door = await _door(service_client, servers)
    await door.ticket_types("participant", "press")
    await door.add_list(slug="press-room", ticket_types=["press"])
    press = await door.ticket(ticket_type="press")
    participant = await door.ticket(ticket_type="participant")
    refused = await door.scan(participant, "press-room")
    assert (refused["result"], refused["message"]["pl"]) == (
        "not_on_list",
        "Bilet nie uprawnia do wejścia na tę listę.",
    )
    assert (await door.scan(press, "press-room"))["result"] == "accepted"
    assert (await door.scan(participant))["result"] == "accepted"


def _session(slug: str, starts: datetime, hours: int = 1) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": {"pl": f"Warsztat {slug}", "en": f"Workshop {slug}"},
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=hours)).isoformat(),
        "capacity": 10,
    }


async def test_each_session_has_its_own_list_for_its_confirmed_holders(
    service_client: Any, servers: Any
) -> None:
    soon = NOW + timedelta(minutes=20)
    later = NOW + timedelta(days=1)
    door = await _door(
        service_client,
        servers,
        starts_at=soon.isoformat(),
        ends_at=(later + timedelta(hours=3)).isoformat(),
        sessions=[_session("ai", soon), _session("iot", later)],
    )
    r = await door.checkin.get(f"/api/v1/events/{door.slug}/lists", headers=door.organizer)
    lists = {item["slug"]: item for item in (await r.json())["lists"]}
    assert lists["ai"] == {
        "slug": "ai",
        "name": "Workshop ai",
        "policy": "single",
        "origin": "session",
        "sessions": ["ai"],
        "ticket_types": [],
        "valid_from": (soon - timedelta(minutes=30)).isoformat().replace("+00:00", "Z"),
        "valid_until": (soon + timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
        "limit": None,
        "enforce_limit": False,
        "gates": [],
    }
    anna = await door.ticket(sessions=["ai", "iot"])
    piotr = await door.ticket(sessions=["iot"])
    assert await door.results(anna, ("ai", "in"), ("ai", "in"), ("iot", "in")) == [
        "accepted",
        "already_checked_in",
        "not_valid_now",
    ]
    assert (await door.scan(piotr, "ai"))["result"] == "not_on_list"

    # Piotr adds the workshop: the session list follows his registration.
    r = await door.registration.put(
        f"/api/v1/registrations/{piotr['registration_id']}/sessions",
        json={"sessions": ["ai", "iot"]},
        headers=auth(piotr["manage_token"]),
    )
    assert r.status == 200, await r.text()

    async def admitted() -> bool:
        return bool((await door.scan(piotr, "ai"))["result"] == "accepted")

    await eventually(admitted)


async def test_an_enforced_limit_refuses_entries_when_full(
    service_client: Any, servers: Any
) -> None:
    door = await _door(service_client, servers)
    await door.add_list(slug="room", policy="reentry", limit=1, enforce_limit=True)
    await door.add_list(slug="counted", policy="reentry", limit=1)
    first, second = await door.ticket(name="Pierwsza"), await door.ticket(name="Druga")
    assert (await door.scan(first, "room"))["result"] == "accepted"
    full = await door.scan(second, "room")
    assert (full["result"], full["message"]["en"]) == ("venue_full", "The room is full.")
    assert (await door.scan(first, "room", "out"))["result"] == "exited"
    entered = await door.scan(second, "room", gate="east")
    assert entered["result"] == "accepted"
    assert await door.inside("room") == {
        "list": "room",
        "count": 1,
        "limit": 1,
        "people": [
            {
                "ticket_id": second["ticket_id"],
                "holder_name": "Druga",
                "entered_at": entered["scanned_at"],
                "gate": "east",
            }
        ],
    }
    # Without enforcement the limit is only shown.
    assert await door.results(first, ("counted", "in")) == ["accepted"]
    assert await door.results(second, ("counted", "in")) == ["accepted"]
    assert (await door.inside("counted"))["count"] == 2


async def test_concurrent_scans_on_a_reentry_list_accept_exactly_one(
    service_client: Any, servers: Any
) -> None:
    door = await _door(service_client, servers)
    await door.add_list(slug="expo", policy="reentry")
    ticket = await door.ticket()

    async def burst() -> list[str]:
        scans = (door.scan(ticket, "expo", gate=f"gate-{i}") for i in range(20))
        return sorted(r["result"] for r in await asyncio.gather(*scans))

    assert await burst() == ["accepted"] + ["already_checked_in"] * 19
    assert (await door.scan(ticket, "expo", "out"))["result"] == "exited"
    assert await burst() == ["accepted"] + ["already_checked_in"] * 19
    assert (await door.inside("expo"))["count"] == 1


async def test_concurrent_entries_never_exceed_an_enforced_limit(
    service_client: Any, servers: Any
) -> None:
    door = await _door(service_client, servers)
    await door.add_list(slug="lab", limit=2, enforce_limit=True)
    holders = await door.tickets_for(*({} for _ in range(5)))
    results = await asyncio.gather(*(door.scan(t, "lab") for t in holders))
    assert sorted(r["result"] for r in results) == ["accepted"] * 2 + ["venue_full"] * 3
    assert (await door.inside("lab"))["count"] == 2


# --- bad input


async def test_a_scan_on_an_unknown_list_is_404_and_records_nothing(
    service_client: Any, servers: Any
) -> None:
    door = await _door(service_client, servers)
    ticket = await door.ticket()
    r = await door.checkin.post(
        "/api/v1/scans",
        json={"code": ticket["code"], "gate": "g", "scan_id": str(uuid.uuid4()), "list": "nope"},
        headers=auth(servers.token("door", [door.slug])),
    )
    assert (r.status, (await r.json())["code"]) == (404, "list_not_found")
    r = await door.checkin.post(
        "/api/v1/scans",
        json={"code": ticket["code"], "gate": "g", "scan_id": str(uuid.uuid4()), "direction": "up"},
        headers=auth(servers.token("door", [door.slug])),
    )
    assert (r.status, (await r.json())["errors"][0]["field"]) == (400, "direction")
    r = await door.checkin.get(f"/api/v1/events/{door.slug}/attendance", headers=door.organizer)
    assert (await r.json())["scans"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "No slug"}, "slug"),
        ({"slug": "Bad Slug", "name": "x"}, "slug"),
        ({"slug": "ok-list"}, "name"),
        ({"slug": "ok-list", "name": ""}, "name"),
        ({"slug": "ok-list", "name": "a\x00b"}, "name"),
        ({"slug": "ok-list", "name": "x", "policy": "twice"}, "policy"),
        ({"slug": "ok-list", "name": "x", "sessions": ["Not A Slug"]}, "sessions[0]"),
        ({"slug": "ok-list", "name": "x", "sessions": ["nope"]}, "sessions"),
        ({"slug": "ok-list", "name": "x", "ticket_types": "press"}, "ticket_types"),
        ({"slug": "ok-list", "name": "x", "ticket_types": ["vip"]}, "ticket_types"),
        ({"slug": "ok-list", "name": "x", "valid_from": "2026-11-20T10:00:00"}, "valid_from"),
        ({"slug": "ok-list", "name": "x", "valid_until": "tomorrow"}, "valid_until"),
        (
            {
                "slug": "ok-list",
                "name": "x",
                "valid_from": "2026-11-20T10:00:00Z",
                "valid_until": "2026-11-20T09:00:00Z",
            },
            "valid_until",
        ),
        ({"slug": "ok-list", "name": "x", "limit": 0}, "limit"),
        ({"slug": "ok-list", "name": "x", "limit": "10"}, "limit"),
        ({"slug": "ok-list", "name": "x", "enforce_limit": True}, "limit"),
        ({"slug": "ok-list", "name": "x", "colour": "red"}, "colour"),
    ],
)
async def test_bad_list_bodies_are_400_naming_the_field(
    service_client: Any, servers: Any, body: dict[str, Any], field: str
) -> None:
    door = await _door(service_client, servers)
    r = await door.checkin.post(
        f"/api/v1/events/{door.slug}/lists", json=body, headers=door.organizer
    )
    problem = await r.json()
    assert (r.status, problem["code"]) == (400, "validation_failed"), problem
    assert [e["field"] for e in problem["errors"]] == [field]
    r = await door.checkin.get(f"/api/v1/events/{door.slug}/lists", headers=door.organizer)
    assert [item["slug"] for item in (await r.json())["lists"]] == ["main"]


async def test_list_endpoints_check_tokens_and_events(service_client: Any, servers: Any) -> None:
    door = await _door(service_client, servers)
    url = f"/api/v1/events/{door.slug}/lists"
    body = {"slug": "side", "name": "Side door"}
    cases = [
        ({}, 401, "unauthorized"),
        (auth(servers.token("door", [door.slug])), 403, "forbidden"),
        (auth(servers.token("organizer", ["other-event"])), 403, "event_not_covered"),
    ]
    for headers, status, code in cases:
        r = await door.checkin.post(url, json=body, headers=headers)
        assert (r.status, (await r.json())["code"]) == (status, code)
    r = await door.checkin.get(url, headers=auth(servers.token("door", ["other-event"])))
    assert (r.status, (await r.json())["code"]) == (403, "event_not_covered")
    missing = "/api/v1/events/no-such-event/lists"
    r = await door.checkin.post(missing, json=body, headers=door.organizer)
    assert (r.status, (await r.json())["code"]) == (404, "event_not_found")
    r = await door.checkin.get(missing, headers=door.organizer)
    assert (r.status, (await r.json())["code"]) == (404, "event_not_found")

    inside = f"/api/v1/events/{door.slug}/inside"
    r = await door.checkin.get(inside, headers=auth(servers.token("door", [door.slug])))
    assert (r.status, (await r.json())["code"]) == (403, "forbidden")
    r = await door.checkin.get(f"{inside}?list=nope", headers=door.organizer)
    assert (r.status, (await r.json())["code"]) == (404, "list_not_found")
    r = await door.checkin.get(inside, headers=door.organizer)
    assert await r.json() == {"list": "main", "count": 0, "limit": None, "people": []}


# --- lists changed and removed


def _z(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def test_event_messages_from_before_ticket_types_still_decode() -> None:
    event_id = uuid.uuid4()
    data = {
        "event": {
            "id": str(event_id),
            "slug": "old-event",
            "name": {"pl": "Stare", "en": "Old"},
            "kind": "seminar",
            "starts_at": _z(NOW),
            "ends_at": _z(NOW + timedelta(hours=2)),
            "venue": "CNK",
        },
        "capacity": 10,
        "status": "published",
    }
    for type_ in ("event.created", "event.updated"):
        raw = msgspec.json.encode(
            {
                "id": str(uuid.uuid4()),
                "type": type_,
                "schema": 1,
                "occurred_at": _z(NOW),
                "aggregate_id": str(event_id),
                "sequence": 1,
                "data": data,
            }
        )
        _, decoded = wire.decode(raw)
        assert isinstance(decoded, events.EventCreated | events.EventUpdated)
        # Unknown, not "no ticket types": checkin keeps what it knew.
        assert decoded.ticket_types is None


async def test_an_organizer_list_changes_field_by_field(service_client: Any, servers: Any) -> None:
    door = await _door(service_client, servers)
    await door.ticket_types("press", "vip")
    await door.add_list(slug="press-room", ticket_types=["press"], limit=10)
    ticket = await door.ticket(ticket_type="vip")
    assert (await door.scan(ticket, "press-room"))["result"] == "not_on_list"
    later = NOW + timedelta(days=1)
    r = await door.patch(
        "press-room",
        slug="media-room",
        name="Media room",
        policy="reentry",
        ticket_types=["vip", "press", "vip"],
        valid_from=later.isoformat(),
        enforce_limit=True,
    )
    assert r.status == 200, await r.text()
    changed = await r.json()
    assert changed == {
        "slug": "media-room",
        "name": "Media room",
        "policy": "reentry",
        "origin": "organizer",
        "sessions": [],
        "ticket_types": ["press", "vip"],
        "valid_from": _z(later),
        "valid_until": None,
        "limit": 10,
        "enforce_limit": True,
        "gates": [],
    }
    assert (await door.lists())["lists"][1:] == [changed]
    r = await door.scan_response(ticket, "press-room")
    assert (r.status, (await r.json())["code"]) == (404, "list_not_found")
    assert (await door.scan(ticket, "media-room"))["result"] == "not_valid_now"

    # null clears the window and the limit; the list then admits the VIP at once.
    r = await door.patch("media-room", valid_from=None, limit=None, enforce_limit=False)
    assert r.status == 200, await r.text()
    cleared = {**changed, "valid_from": None, "limit": None, "enforce_limit": False}
    assert await r.json() == cleared
    assert (await door.scan(ticket, "media-room"))["result"] == "accepted"
    # Nothing given, or only what the list has already: nothing changes.
    for same in ({}, {"name": "Media room", "ticket_types": ["vip", "press"]}):
        r = await door.patch("media-room", **same)
        assert (r.status, await r.json()) == (200, cleared)


async def test_main_and_session_lists_change_settings_but_not_slug_or_members(
    service_client: Any, servers: Any
) -> None:
    soon = NOW + timedelta(days=1)
    door = await _door(
        service_client,
        servers,
        starts_at=soon.isoformat(),
        ends_at=(soon + timedelta(hours=8)).isoformat(),
        sessions=[_session("ai", soon)],
    )
    await door.ticket_types("press")
    # Membership given as it is (none) is no change.
    r = await door.patch(
        "main", name="Hall A", policy="daily", limit=300, enforce_limit=True, ticket_types=[]
    )
    assert r.status == 200, await r.text()
    main = await r.json()
    assert main == {
        "slug": "main",
        "name": "Hall A",
        "policy": "daily",
        "origin": "main",
        "sessions": [],
        "ticket_types": [],
        "valid_from": None,
        "valid_until": None,
        "limit": 300,
        "enforce_limit": True,
        "gates": [],
    }
    before = await door.lists()
    for list_, fields, fixed in [
        ("main", {"ticket_types": ["press"]}, ["ticket_types"]),
        ("main", {"slug": "hall-a", "sessions": ["ai"]}, ["slug", "sessions"]),
        ("ai", {"slug": "ai-lab"}, ["slug"]),
        (
            "ai",
            {"sessions": [], "ticket_types": ["press"], "limit": 5},
            ["sessions", "ticket_types"],
        ),
    ]:
        r = await door.patch(list_, **fields)
        problem = await r.json()
        assert (r.status, problem["code"]) == (409, "list_membership_fixed"), problem
        assert [e["field"] for e in problem["errors"]] == fixed
    for list_ in ("main", "ai"):
        r = await door.delete(list_, headers={**door.organizer, "Accept-Language": "pl"})
        problem = await r.json()
        assert (r.status, problem["code"]) == (409, "list_not_removable")
        assert problem["detail"].startswith("Listy głównej ani list sesji nie można usunąć")
    assert await door.lists() == before

    # The organizer's window on a session list outlives event.updated; the name follows the
    # session's until the organizer sets one.
    until = soon + timedelta(hours=3)
    r = await door.patch("ai", valid_until=until.isoformat(), policy="reentry")
    assert r.status == 200, await r.text()
    r = await door.registration.patch(
        f"/api/v1/events/{door.slug}/sessions/ai",
        json={"name": {"pl": "Laboratorium SI", "en": "AI lab"}, "capacity": 20},
        headers=door.organizer,
    )
    assert r.status == 200, await r.text()

    async def renamed() -> dict[str, Any] | None:
        ai = next(x for x in (await door.lists())["lists"] if x["slug"] == "ai")
        return dict(ai) if ai["name"] == "AI lab" else None

    ai = await eventually(renamed)
    assert (ai["valid_from"], ai["valid_until"], ai["policy"]) == (
        _z(soon - timedelta(minutes=30)),
        _z(until),
        "reentry",
    )


async def test_a_removed_list_is_hidden_refuses_scans_and_keeps_its_history(
    service_client: Any, servers: Any
) -> None:
    door = await _door(service_client, servers)
    await door.add_list(slug="vip", policy="reentry")
    await door.add_list(slug="unused")
    ticket = await door.ticket()
    assert (await door.scan(ticket, "vip"))["result"] == "accepted"
    for list_ in ("vip", "unused"):
        r = await door.delete(list_)
        assert (r.status, await r.read()) == (204, b"")
    assert [x["slug"] for x in (await door.lists())["lists"]] == ["main"]

    r = await door.scan_response(ticket, "vip")
    assert (r.status, (await r.json())["code"]) == (404, "list_not_found")
    r = await door.checkin.get(
        f"/api/v1/events/{door.slug}/inside?list=vip", headers=door.organizer
    )
    assert (r.status, (await r.json())["code"]) == (404, "list_not_found")
    for r in (await door.patch("vip", name="Back"), await door.delete("vip")):
        assert (r.status, (await r.json())["code"]) == (404, "list_not_found")

    async def scans() -> int:
        r = await door.checkin.get(f"/api/v1/events/{door.slug}/attendance", headers=door.organizer)
        return int((await r.json())["scans"])

    # The entry made on the removed list is still there; the refused request left nothing.
    assert await scans() == 1
    # The slug is free again: a new list of that name starts without entries.
    await door.add_list(slug="vip")
    assert (await door.scan(ticket, "vip"))["result"] == "accepted"
    assert await scans() == 2


async def test_changing_and_removing_lists_needs_an_organizer_and_a_known_list(
    service_client: Any, servers: Any
) -> None:
    door = await _door(service_client, servers)
    await door.add_list(slug="side")
    await door.add_list(slug="back")
    cases = [
        ({}, 401, "unauthorized"),
        (auth(servers.token("door", [door.slug])), 403, "forbidden"),
        (auth(servers.token("organizer", ["other-event"])), 403, "event_not_covered"),
    ]
    for headers, status, code in cases:
        for r in (await door.patch("side", headers, name="x"), await door.delete("side", headers)):
            assert (r.status, (await r.json())["code"]) == (status, code)
    for list_ in ("nope", "Not_A_Slug"):
        for r in (await door.patch(list_, name="x"), await door.delete(list_)):
            assert (r.status, (await r.json())["code"]) == (404, "list_not_found")
    for method in ("PATCH", "DELETE"):
        r = await door.checkin.request(
            method, "/api/v1/events/no-such-event/lists/side", json={}, headers=door.organizer
        )
        assert (r.status, (await r.json())["code"]) == (404, "event_not_found")
    for taken in ("back", "main"):
        r = await door.patch("side", slug=taken)
        assert (r.status, (await r.json())["code"]) == (409, "list_exists")
    assert [x["slug"] for x in (await door.lists())["lists"]] == ["main", "side", "back"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"policy": "twice"}, "policy"),
        ({"slug": "Bad Slug"}, "slug"),
        ({"sessions": ["nope"]}, "sessions"),
        ({"ticket_types": ["vip"]}, "ticket_types"),
        ({"ticket_types": None}, "ticket_types"),
        ({"valid_from": "2026-11-20T10:00:00"}, "valid_from"),
        ({"valid_until": "2026-11-20T09:00:00Z"}, "valid_until"),
        ({"valid_from": "2026-11-20T13:00:00Z"}, "valid_from"),
        (
            {"valid_from": "2026-11-20T13:00:00Z", "valid_until": "2026-11-20T12:30:00Z"},
            "valid_until",
        ),
        ({"limit": None}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": "10"}, "limit"),
        ({"enforce_limit": None}, "enforce_limit"),
    ],
)
async def test_bad_list_changes_are_400_naming_the_field_and_change_nothing(
    service_client: Any, servers: Any, body: dict[str, Any], field: str
) -> None:
    door = await _door(service_client, servers)
    created = await door.add_list(
        slug="hall-b",
        valid_from="2026-11-20T10:00:00Z",
        valid_until="2026-11-20T12:00:00Z",
        limit=5,
        enforce_limit=True,
    )
    r = await door.patch("hall-b", **body)
    problem = await r.json()
    assert (r.status, problem["code"]) == (400, "validation_failed"), problem
    assert [e["field"] for e in problem["errors"]] == [field]
    assert (await door.lists())["lists"][1:] == [created]


async def test_a_list_without_a_limit_cannot_enforce_one(service_client: Any, servers: Any) -> None:
    door = await _door(service_client, servers)
    await door.add_list(slug="hall-c")
    r = await door.patch("hall-c", enforce_limit=True)
    problem = await r.json()
    assert (r.status, [e["field"] for e in problem["errors"]]) == (400, ["limit"]), problem
    r = await door.patch("hall-c", enforce_limit=True, limit=3)
    assert r.status == 200, await r.text()
    assert ((await r.json())["limit"], (await r.json())["enforce_limit"]) == (3, True)


async def test_a_scan_naming_no_list_goes_to_the_list_of_its_gate(
    service_client: Any, servers: Any
) -> None:
    door = await _door(service_client, servers)
    room = await door.add_list(slug="room-101", policy="reentry", gates=["room 101", "side door"])
    assert room["gates"] == ["room 101", "side door"]
    anna = await door.ticket()
    door_token = auth(servers.token("door", [door.slug]))

    async def scan(gate: str, **fields: Any) -> dict[str, Any]:
        body = {"code": anna["code"], "gate": gate, "scan_id": str(uuid.uuid4()), **fields}
        r = await door.checkin.post("/api/v1/scans", json=body, headers=door_token)
        assert r.status == 200, await r.text()
        return dict(await r.json())

    first = await scan("room 101")
    assert (first["result"], first["list"]) == ("accepted", "room-101")
    # An unmapped gate scans on the main list; a named list wins over the gate's.
    assert [(v["result"], v["list"]) for v in (await scan("hall"), await scan("side door"))] == [
        ("accepted", "main"),
        ("already_checked_in", "room-101"),
    ]
    assert (await scan("room 101", list="main"))["result"] == "already_checked_in"
    assert (await door.inside("room-101"))["count"] == 1

    # A gate leads to one list only.
    r = await door.checkin.post(
        f"/api/v1/events/{door.slug}/lists",
        json={"slug": "other", "name": "Other", "gates": ["side door"]},
        headers=door.organizer,
    )
    assert r.status == 409, await r.text()
    problem = await r.json()
    assert (problem["code"], problem["errors"]) == (
        "gate_taken",
        [{"field": "gates", "message": "side door belongs to room-101"}],
    )
    assert [item["slug"] for item in (await door.lists())["lists"]] == ["main", "room-101"]
    r = await door.patch("main", gates=["room 101"])
    assert r.status == 409, await r.text()
    r = await door.patch("room-101", gates=["room 101"])
    assert r.status == 200, await r.text()
    r = await door.patch("main", gates=["side door"])
    assert r.status == 200, await r.text()
    assert (await scan("side door"))["list"] == "main"


async def test_a_rush_on_two_instances_admits_every_ticket_exactly_once(
    service_client: Any, servers: Any
) -> None:
    """Scans of many tickets at once, three times each, spread over two checkin instances:
    batched together or not, each ticket has exactly one accepted entry on each list."""
    door = await _door(service_client, servers)
    await door.add_list(slug="hall-b", policy="reentry")
    tickets = await door.tickets_for(*({} for _ in range(12)))
    other = await service_client("checkin")
    token = auth(servers.token("door", [door.slug]))

    async def scan(client: Any, ticket: dict[str, Any], list_: str) -> str:
        body = {"code": ticket["code"], "gate": "g", "scan_id": str(uuid.uuid4()), "list": list_}
        r = await client.post("/api/v1/scans", json=body, headers=token)
        assert r.status == 200, await r.text()
        return str((await r.json())["result"])

    jobs = [
        scan((door.checkin, other)[i % 2], ticket, list_)
        for i in range(3)
        for ticket in tickets
        for list_ in ("main", "hall-b")
    ]
    results = await asyncio.gather(*jobs)
    assert sorted(results).count("accepted") == 2 * len(tickets)
    assert sorted(results).count("already_checked_in") == 4 * len(tickets)
    for list_ in ("main", "hall-b"):
        assert (await door.inside(list_))["count"] == len(tickets)
