"""The organizers' live dashboard: signing in, the counts, the stream, the chart."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from services.checkin.dashboard.live import DASHBOARD_HUB
from services.checkin.dashboard.view import Bucket, GateArrivals, arrivals_svg, list_state
from shared.auth import issue_token
from tests.factories import auth, event_body, eventually
from tests.factories import form as with_csrf
from tests.journey import known_at_the_door, register, ticket

PROBLEM = "application/problem+json"


async def _events(response: aiohttp.ClientResponse) -> AsyncIterator[tuple[str, Any]]:
    """The server-sent events of a stream: (event name, decoded data)."""
    name, data = "message", list[str]()
    while True:
        line = (await response.content.readline()).decode()
        if not line:
            return
        line = line.rstrip("\n")
        if not line:
            if data:
                yield name, json.loads("\n".join(data))
            name, data = "message", []
        elif line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data.append(line.removeprefix("data: "))


async def _next_counts(events: AsyncIterator[tuple[str, Any]]) -> dict[str, Any]:
    async for name, data in events:
        if name == "counts":
            return dict(data)
    raise AssertionError("the stream ended")


class Setup:
    def __init__(self, service_client: Any, servers: Any) -> None:
        self.service_client, self.servers = service_client, servers
        self.organizer = auth(servers.token())

    async def start(self, names: list[str], capacity: int = 100) -> list[dict[str, Any]]:
        """An event with ``names`` registered; their registrations with ticket codes (None
        for the waitlisted) once checkin knows every ticket."""
        self.tickets = await self.service_client("tickets")
        self.registration = await self.service_client(
            "registration", tickets_url=str(self.tickets.make_url(""))
        )
        self.checkin = await self.service_client("checkin")
        event = event_body(capacity=capacity)
        self.slug = event["slug"]
        r = await self.registration.post("/api/v1/events", json=event, headers=self.organizer)
        assert r.status == 201, await r.text()
        people = [await register(self.registration, self.slug, name=name) for name in names]
        for person in people:
            person["code"] = None
            if person["status"] == "confirmed":
                person["code"] = (await ticket(self.tickets, person))["code"]
        seated = sum(p["status"] == "confirmed" for p in people)
        await known_at_the_door(self.checkin, self.slug, self.organizer, seated)
        return people

    async def scan(self, code: str, gate: str) -> dict[str, Any]:
        r = await self.checkin.post(
            "/api/v1/scans",
            json={"code": code, "gate": gate, "scan_id": str(uuid.uuid4())},
            headers=auth(self.servers.token("door", [self.slug])),
        )
        assert r.status == 200, await r.text()
        return dict(await r.json())


def _cookie(response: aiohttp.ClientResponse) -> str:
    return response.headers["Set-Cookie"]


async def test_sign_in_sets_a_strict_cookie_and_refuses_other_tokens(
    service_client: Any, servers: Any
) -> None:
    setup = Setup(service_client, servers)
    await setup.start([])
    checkin, slug = setup.checkin, setup.slug
    pl = {"Accept-Language": "pl-PL,pl;q=0.9"}

    # Without a session or a token: the back office's sign-in, coming back here.
    r = await checkin.get(f"/dashboard/{slug}", headers=pl, allow_redirects=False)
    assert r.status == 303
    assert r.headers["Location"] == f"/office/sign-in?next=/dashboard/{slug}"
    r = await checkin.get(f"/dashboard/{slug}/sign-in", headers=pl)
    assert r.status == 200, await r.text()
    page = await r.text()
    assert 'name="token"' in page and "Zaloguj się" in page
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]

    async def refused(token: str, status: int, text: str, lang: dict[str, str] = pl) -> None:
        r = await checkin.post(
            "/dashboard/sign-in",
            data=with_csrf(checkin, {"slug": slug, "token": token}),
            headers=lang,
            allow_redirects=False,
        )
        assert r.status == status, await r.text()
        assert r.content_type == "text/html"
        assert text in await r.text()
        assert "Set-Cookie" not in r.headers

    await refused("", 400, "Wklej token.")
    await refused("not-a-token", 401, "Ten token jest nieprawidłowy.")
    await refused(servers.token("door", [slug]), 403, "To token bramki")
    await refused(
        servers.token("door", [slug]), 403, "This is a door token", {"Accept-Language": "en"}
    )
    await refused(servers.token("organizer", ["other-event"]), 403, "nie obejmuje tego wydarzenia")
    revoked, claims = issue_token(servers.staff_private_key, role="organizer", events=[slug])
    r = await checkin.delete(f"/api/v1/door-tokens/{claims.jti}", headers=setup.organizer)
    assert r.status == 204, await r.text()
    await refused(revoked, 401, "Ten token został unieważniony.")

    r = await checkin.post(
        "/dashboard/sign-in",
        data=with_csrf(checkin, {"slug": "no-such-event", "token": "x"}),
        headers=pl,
    )
    assert r.status == 404 and "Nie ma takiego wydarzenia." in await r.text()
    r = await checkin.get("/dashboard/NOT_A_SLUG")
    assert r.status == 404 and r.content_type == "text/html"

    # Behind the HTTPS proxy (a trusted one), the cookie is Secure.
    organizer = servers.token("organizer", [slug])
    proxied = await service_client("checkin", trusted_proxies=("127.0.0.1/32",))
    r = await proxied.post(
        "/dashboard/sign-in",
        data=with_csrf(proxied, {"slug": slug, "token": organizer}),
        headers={"X-Forwarded-Proto": "https", **pl},
        allow_redirects=False,
    )
    assert r.status == 303, await r.text()
    cookie = _cookie(r)
    assert cookie.startswith(f"cnk_dashboard={organizer};")
    for attribute in ("HttpOnly", "Path=/", "SameSite=Strict", "Secure", "Max-Age="):
        assert attribute in cookie, cookie

    # Over plain HTTP it cannot be; a client's own X-Forwarded-Proto changes nothing.
    r = await checkin.post(
        "/dashboard/sign-in",
        data=with_csrf(checkin, {"slug": slug, "token": organizer}),
        headers={"X-Forwarded-Proto": "https"},
        allow_redirects=False,
    )
    assert r.status == 303 and r.headers["Location"].startswith(f"/dashboard/{slug}?lang=")
    assert "Secure" not in _cookie(r)
    r = await checkin.get(f"/dashboard/{slug}?lang=en")
    assert r.status == 200, await r.text()
    page = await r.text()
    assert "Organizer dashboard" in page and 'id="checked-in"' in page and "Sign out" in page
    r = await checkin.get(f"/dashboard/{slug}?lang=pl")
    assert "Panel organizatora" in await r.text()

    # The cookie opens the stream too (EventSource cannot send headers).
    r = await checkin.get(f"/api/v1/events/{slug}/attendance/stream")
    assert r.status == 200 and r.content_type == "text/event-stream"
    assert (await _next_counts(_events(r)))["event"] == slug
    r.close()

    r = await checkin.post(
        "/dashboard/sign-out", data=with_csrf(checkin, {"slug": slug}), allow_redirects=False
    )
    assert r.status == 303 and 'cnk_dashboard=""' in _cookie(r)
    assert r.headers["Location"].startswith(f"/dashboard/{slug}/sign-in?lang=")
    r = await checkin.get(r.headers["Location"])
    assert 'name="token"' in await r.text()

    # A cookie whose token was revoked since: back to the form, the cookie dropped.
    checkin.session.cookie_jar.update_cookies({"cnk_dashboard": revoked})
    r = await checkin.get(f"/dashboard/{slug}", headers=pl, allow_redirects=False)
    assert r.status == 401 and "unieważniony" in await r.text()
    assert 'cnk_dashboard=""' in _cookie(r)


async def test_the_stream_refuses_what_the_dashboard_refuses(
    service_client: Any, servers: Any
) -> None:
    checkin = await service_client("checkin")
    stream = "/api/v1/events/{}/attendance/stream"
    for headers, slug, status, code in [
        ({}, "any-event", 401, "unauthorized"),
        (auth("nonsense"), "any-event", 401, "invalid_token"),
        (auth(servers.token("door")), "any-event", 403, "forbidden"),
        (auth(servers.token("organizer", ["mine"])), "other", 403, "event_not_covered"),
        (auth(servers.token()), "no-such-event", 404, "event_not_found"),
    ]:
        r = await checkin.get(stream.format(slug), headers=headers)
        assert (r.status, r.content_type) == (status, PROBLEM), await r.text()
        assert (await r.json())["code"] == code


async def test_the_stream_sends_exact_counts_and_a_new_event_within_a_second_of_a_scan(
    service_client: Any, servers: Any
) -> None:
    setup = Setup(service_client, servers)
    anna, jan, ola, piotr, ewa = await setup.start(
        ["Anna Nowak", "Jan Kowalski", "Ola Wiśniewska", "Piotr Zieliński", "Ewa Lis"],
        capacity=3,
    )
    assert [p["status"] for p in (anna, jan, ola, piotr, ewa)] == ["confirmed"] * 3 + [
        "waitlisted"
    ] * 2
    # Ola cancels: her ticket is revoked, her seat offered to Piotr, Ewa still waits.
    r = await setup.registration.delete(
        f"/api/v1/registrations/{ola['id']}", headers=setup.organizer
    )
    assert r.status == 200, await r.text()
    checkin, slug = setup.checkin, setup.slug
    r = await checkin.get(
        f"/api/v1/events/{slug}/attendance/stream?lang=pl", headers=setup.organizer
    )
    assert r.status == 200, await r.text()
    assert r.headers["Cache-Control"] == "no-store"
    events = _events(r)

    async def settled() -> dict[str, Any] | None:
        counts = await _next_counts(events)
        done = (counts["cancelled"], counts["offered"], counts["tickets"]) == (1, 1, 2)
        return counts if done else None

    before = await eventually(settled, timeout=20)
    assert (before["checked_in"], before["scans"], before["recent"]) == (0, 0, [])
    assert "html" not in before  # the page's HTML parts only for ?parts=html

    accepted = await setup.scan(anna["code"], "hall-a")
    assert accepted["result"] == "accepted"
    counts = await asyncio.wait_for(_next_counts(events), timeout=1.0)
    assert counts["checked_in"] == 1
    again = await setup.scan(anna["code"], "hall-b")
    assert again["result"] == "already_checked_in"
    revoked = await setup.scan(ola["code"], "hall-a")
    assert revoked["result"] == "revoked"
    # A forged code names no event: it shows on the one the door token is for.
    forged = await setup.scan("CNK1" + "A" * 159, "hall-b")
    assert forged["result"] == "invalid"

    async def all_four() -> dict[str, Any] | None:
        counts = await _next_counts(events)
        return counts if counts["scans"] == 4 else None

    counts = await eventually(all_four, timeout=5)
    r.close()
    hub = checkin.app[DASHBOARD_HUB]

    async def forgotten() -> bool:
        return not hub.watchers  # the browser left: its subscription and watcher with it

    await eventually(forgotten, timeout=5)
    [main] = counts.pop("lists")
    svg = counts.pop("charts_svg")
    [arrivals] = counts.pop("arrivals")
    recent = counts.pop("recent")
    assert counts == {
        "event": slug,
        "capacity": 3,
        "status": "published",
        "confirmed": 2,
        "waitlisted": 1,
        "offered": 1,
        "cancelled": 1,
        "tickets": 2,
        "checked_in": 1,
        "no_shows": 1,  # Jan
        "scans": 4,
        "refused": 3,
        "gates": [
            {"gate": "hall-a", "accepted": 1, "exited": 0, "refused": 1},
            {"gate": "hall-b", "accepted": 0, "exited": 0, "refused": 2},
        ],
    }
    assert main == {
        "slug": "main",
        "name": "Main entrance",
        "origin": "main",
        "entries": 1,
        "people": 1,
        "refused": 2,
        "inside": 1,
        "limit": None,
        "percent": None,
        "state": "ok",
        "registered": None,
    }
    assert (arrivals["gate"], arrivals["total"], len(arrivals["buckets"])) == ("hall-a", 1, 1)
    assert [(s["result"], s["gate"], s["holder_name"], s["list"]) for s in recent] == [
        ("invalid", "hall-b", None, None),
        ("revoked", "hall-a", "Ola Wiśniewska", "main"),
        ("already_checked_in", "hall-b", "Anna Nowak", "main"),
        ("accepted", "hall-a", "Anna Nowak", "main"),
    ]
    assert recent[1]["message"] == {
        "pl": "Bilet anulowany.",
        "en": "This ticket has been cancelled.",
    }
    assert 'data-gate="hall-a"' in svg and "<title" in svg and 'role="img"' in svg

    # The page shows the same, rendered on the server.
    checkin.session.cookie_jar.update_cookies({"cnk_dashboard": servers.token()})
    r = await checkin.get(f"/dashboard/{slug}?lang=pl")
    page = await r.text()
    assert '<dd id="checked-in" data-count="checked_in">1</dd>' in page
    assert "Ola Wiśniewska" in page and "Bilet anulowany." in page
    assert "nieważny kod" in page  # the forged code, refused, in the feed
    assert "Wejścia co 5 minut, bramka hall-a" in page
    # The participant statistics of reports_db, and their CSV behind the same cookie.
    assert "Statystyki uczestników" in page and "Frekwencja" in page
    r = await checkin.get(f"/dashboard/{slug}/statistics.csv")
    assert r.status == 200, await r.text()
    assert r.content_type == "text/csv" and "dimension" in await r.text()
    checkin.session.cookie_jar.clear()
    r = await checkin.get(f"/dashboard/{slug}/statistics.csv")
    assert (r.status, r.content_type) == (401, PROBLEM)


async def test_a_room_at_its_limit_is_flagged_in_the_page_parts(
    service_client: Any, servers: Any
) -> None:
    setup = Setup(service_client, servers)
    [anna] = await setup.start(["Anna Nowak"])
    checkin, slug = setup.checkin, setup.slug
    r = await checkin.patch(
        f"/api/v1/events/{slug}/lists/main", json={"limit": 1}, headers=setup.organizer
    )
    assert r.status == 200, await r.text()
    await setup.scan(anna["code"], "hall")
    r = await checkin.get(
        f"/api/v1/events/{slug}/attendance/stream?lang=en&parts=html", headers=setup.organizer
    )
    counts = await _next_counts(_events(r))
    r.close()
    assert (counts["lists"][0]["state"], counts["lists"][0]["percent"]) == ("full", 100)
    assert "Room full: Main entrance (1 / 1)" in counts["html"]["alerts"]
    assert "state-full" in counts["html"]["rooms"]
    assert "Anna Nowak" in counts["html"]["feed"]


def test_the_alert_starts_at_90_percent() -> None:
    assert list_state(0, None) == (None, "ok")
    assert list_state(8, 10) == (80, "ok")
    assert list_state(9, 10) == (90, "alert")
    assert list_state(10, 10) == (100, "full")
    assert list_state(12, 10) == (120, "full")


def test_the_chart_is_accessible_svg_with_escaped_gate_names() -> None:
    start = datetime(2025, 5, 6, 8, 0, tzinfo=UTC)
    arrivals = GateArrivals(
        gate="Hala <A> & co",
        total=7,
        buckets=[Bucket(start + timedelta(minutes=5 * i), n) for i, n in enumerate([2, 0, 5])],
    )
    svg = arrivals_svg(arrivals, "en", 0)
    assert svg.startswith('<svg class="chart" role="img"')
    assert 'aria-labelledby="arrivals-0-title arrivals-0-desc"' in svg
    assert (
        '<title id="arrivals-0-title">Arrivals per 5 minutes, gate Hala &lt;A&gt; &amp; co' in svg
    )
    assert "7 arrivals in all; at most 5 at 10:10." in svg  # Warsaw time
    assert svg.count('<rect class="bar"') == 2
    assert "<title>10:10–10:15: 5</title>" in svg
    assert "Hala <A>" not in svg


async def test_open_streams_end_cleanly_when_the_app_shuts_down(
    service_client: Any, servers: Any
) -> None:
    setup = Setup(service_client, servers)
    await setup.start([])
    r = await setup.checkin.get(
        f"/api/v1/events/{setup.slug}/attendance/stream", headers=setup.organizer
    )
    events = _events(r)
    await _next_counts(events)
    hub = setup.checkin.app[DASHBOARD_HUB]
    assert [len(w.subscribers) for w in hub.watchers.values()] == [1]
    # Well within aiohttp's 60 s wait for open requests: the stream ends at on_shutdown.
    await asyncio.wait_for(setup.checkin.server.close(), timeout=10)
    assert [event async for event in events] == []
    assert hub.watchers == {}
