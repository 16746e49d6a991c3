"""The registrations' back-office pages: the list's search, filters and pages, one
registration's page and its actions, the waitlist, roles."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import nats
import nats.errors

from services.registration.roster import db as roster_db
from shared import wire
from shared.db import DB_POOL
from tests.conftest import AppClient, Infra
from tests.factories import auth, event_body, eventually, registration_body
from tests.journey import ticketed
from tests.office_session import csrf_of, sign_in

START = datetime.now(UTC).replace(microsecond=0) + timedelta(days=20)
ROW = re.compile(r'<a href="/office/registrations/([0-9a-f-]{36})">')


async def _event(client: Any, servers: Infra, **kw: Any) -> str:
    body = event_body(
        starts_at=START.isoformat(),
        ends_at=(START + timedelta(hours=8)).isoformat(),
        sessions=[
            {
                "slug": "robots",
                "name": {"pl": "Roboty", "en": "Robots"},
                "starts_at": (START + timedelta(hours=1)).isoformat(),
                "ends_at": (START + timedelta(hours=2)).isoformat(),
                "capacity": 5,
            }
        ],
        **kw,
    )
    organizer = auth(servers.token())
    r = await client.post("/api/v1/events", json=body, headers=organizer)
    assert r.status == 201, await r.text()
    slug = str(body["slug"])
    question = {
        "key": "diet",
        "kind": "single",
        "label": {"pl": "Dieta", "en": "Diet"},
        "options": [
            {"value": "vegan", "label": {"pl": "Wegańska", "en": "Vegan"}},
            {"value": "any", "label": {"pl": "Dowolna", "en": "Any"}},
        ],
    }
    r = await client.post(f"/api/v1/events/{slug}/questions", json=question, headers=organizer)
    assert r.status == 201, await r.text()
    return slug


async def _register(client: Any, slug: str, **kw: Any) -> dict[str, Any]:
    r = await client.post(f"/api/v1/events/{slug}/registrations", json=registration_body(**kw))
    assert r.status == 201, await r.text()
    return dict(await r.json())


async def _audited(servers: Infra, registration_id: str) -> list[tuple[str, Any, Any]]:
    """The audit.recorded entries of the registration so far: action, before, after."""
    nc = await nats.connect(servers.nats_url)
    sub = await nc.jetstream().subscribe("audit.recorded", ordered_consumer=True)
    found = []
    try:
        while True:
            try:
                msg = await sub.next_msg(timeout=0.5)
            except nats.errors.TimeoutError:
                break
            _, data = wire.decode(msg.data)
            if str(data.registration_id) == registration_id:
                found.append((data.action, data.before, data.after))
    finally:
        await nc.close()
    return found


def _ids(html: str) -> list[str]:
    return ROW.findall(html)


async def _listed(client: Any, slug: str, query: str = "") -> list[str]:
    r = await client.get(f"/office/events/{slug}/registrations?{query}")
    assert r.status == 200, await r.text()
    return _ids(await r.text())


async def test_search_filters_and_pages(service_client: AppClient, servers: Infra) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers, capacity=53)
    ada = await _register(
        client, slug, name="Ada Lovelace", organization="ACME Labs", sessions=["robots"]
    )
    bob = await _register(client, slug, name="Bob Builder", email="bob.builder@example.org")
    rows = "\n".join(f"Person {i},person{i}-{slug}@example.org" for i in range(52))
    r = await client.post(
        f"/api/v1/events/{slug}/registrations/import",
        data=f"name,email\n{rows}\n",
        headers={**auth(servers.token()), "Content-Type": "text/csv"},
    )
    assert r.status == 201, await r.text()
    assert (await r.json())["waitlisted"] == 1
    await roster_db.update_first_checkin(
        client.server.app[DB_POOL], uuid.UUID(bob["id"]), datetime.now(UTC)
    )
    sign_in(client, {slug: "viewer"})

    first = await _listed(client, slug)
    assert len(first) == 50 and first[:2] == [ada["id"], bob["id"]]
    r = await client.get(f"/office/events/{slug}/registrations")
    page = await r.text()
    assert "Matching registrations: 54." in page and "Page 1 of 2" in page
    assert f'href="/office/events/{slug}/registrations?page=2"' in page
    second = await _listed(client, slug, "page=2")
    assert len(second) == 4 and not set(first) & set(second)

    assert await _listed(client, slug, "q=acme") == [ada["id"]]  # organization, any case
    assert await _listed(client, slug, "q=BOB.BUILDER") == [bob["id"]]  # email
    assert await _listed(client, slug, "q=lovelace") == [ada["id"]]  # name
    assert await _listed(client, slug, "q=100%25") == []  # a literal %, not a wildcard
    assert await _listed(client, slug, "session=robots") == [ada["id"]]
    assert await _listed(client, slug, "checked_in=yes") == [bob["id"]]
    assert len(await _listed(client, slug, "checked_in=no&page=2")) == 3
    waitlisted = await _listed(client, slug, "status=waitlisted")
    assert len(waitlisted) == 1 and waitlisted[0] not in (ada["id"], bob["id"])
    assert await _listed(client, slug, "status=confirmed&q=ada&checked_in=no") == [ada["id"]]

    r = await client.get(f"/office/events/{slug}/registrations?status=lost&checked_in=maybe")
    assert r.status == 400
    text = await r.text()
    assert "Choose a status from the list." in text and 'id="f-status"' in text
    assert "Choose “checked in” or “not checked in”." in text
    r = await client.get(f"/office/events/{slug}/registrations?session=nope")
    assert r.status == 400 and "Choose a session from the list." in await r.text()

    r = await client.get(f"/office/events/{slug}/registrations.csv?q=acme")
    assert r.status == 200 and r.content_type == "text/csv"
    lines = (await r.text()).strip().splitlines()
    assert len(lines) == 2 and "Ada Lovelace" in lines[1]


async def test_ticket_type_filter(service_client: AppClient, servers: Infra) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers)
    for kind in ("student", "staff"):
        r = await client.post(
            f"/api/v1/events/{slug}/ticket-types",
            json={"slug": kind, "name": {"pl": kind, "en": kind}},
            headers=auth(servers.token()),
        )
        assert r.status == 201, await r.text()
    student = await _register(client, slug, ticket_type="student")
    await _register(client, slug, ticket_type="staff")
    sign_in(client, {slug: "organizer"})
    assert await _listed(client, slug, "ticket_type=student") == [student["id"]]


async def test_registration_page_and_actions(service_client: AppClient, servers: Infra) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers)
    ada = await _register(
        client,
        slug,
        name="Ada Lovelace",
        organization="ACME Labs",
        country="PL",
        role="academic_staff",
        answers={"diet": "vegan"},
        sessions=["robots"],
    )
    sign_in(client, {slug: "organizer"})
    page = f"/office/registrations/{ada['id']}"
    r = await client.get(page)
    assert r.status == 200, await r.text()
    text = await r.text()
    for shown in ("Ada Lovelace", "ACME Labs", "academic staff", "Diet", "Vegan", "Robots"):
        assert shown in text, shown
    assert f'action="/office/registrations/{ada["id"]}/check-in"' in text
    assert f'href="/office/registrations/{ada["id"]}/emails"' in text

    csrf = await csrf_of(client, page)
    r = await client.post(f"{page}/sessions", data={"csrf": csrf}, allow_redirects=False)
    assert r.status == 303, await r.text()
    r = await client.get(f"/api/v1/registrations/{ada['id']}", headers=auth(servers.token()))
    assert (await r.json())["sessions"] == []

    r = await client.post(f"{page}/cancel", data={"csrf": csrf})
    assert r.status == 400
    text = await r.text()
    assert "Tick the confirmation to cancel the registration." in text
    assert 'aria-invalid="true"' in text
    r = await client.get(f"/api/v1/registrations/{ada['id']}", headers=auth(servers.token()))
    assert (await r.json())["status"] == "confirmed"  # nothing changed
    r = await client.post(
        f"{page}/cancel", data={"csrf": csrf, "cancel_confirm": "1"}, allow_redirects=False
    )
    assert r.status == 303 and r.headers["Location"] == f"{page}?done=cancelled"
    r = await client.get(f"{page}?done=cancelled")
    text = await r.text()
    assert "The registration is cancelled." in text and "Cancel the registration" not in text

    r = await client.post(
        f"{page}/erase", data={"csrf": csrf, "erase_confirm": "1"}, allow_redirects=False
    )
    assert r.status == 303
    r = await client.get(page)
    text = await r.text()
    assert "ACME Labs" not in text and "Personal data erased" in text

    async def all_audited() -> list[tuple[str, Any, Any]] | None:
        found = await _audited(servers, ada["id"])
        return found if len(found) == 3 else None

    assert await eventually(all_audited) == [
        (
            "registration.sessions_changed",
            {"sessions": {"robots": "confirmed"}},
            {"sessions": {}},
        ),
        (
            "registration.cancelled",
            {"status": "confirmed"},
            {"status": "cancelled", "reason": "organizer"},
        ),
        ("registration.erased", {"status": "cancelled"}, {"status": "cancelled", "erased": True}),
    ]


async def test_offer_a_seat_now(service_client: AppClient, servers: Infra) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers, capacity=1)
    await _register(client, slug, name="First In")
    second = await _register(client, slug, name="Second Wait")
    third = await _register(client, slug, name="Third Wait")
    assert (second["status"], third["status"]) == ("waitlisted", "waitlisted")
    sign_in(client, {slug: "organizer"})
    r = await client.get(f"/office/events/{slug}/waitlist")
    text = await r.text()
    assert r.status == 200 and text.index("Second Wait") < text.index("Third Wait")

    page = f"/office/registrations/{third['id']}"
    csrf = await csrf_of(client, page)
    r = await client.post(f"{page}/offer", data={"csrf": csrf})
    assert r.status == 409 and "No seat is free" in await r.text()
    r = await client.post(
        f"{page}/offer", data={"csrf": csrf, "add_seat": "1"}, allow_redirects=False
    )
    assert r.status == 303, await r.text()
    r = await client.get(f"/api/v1/events/{slug}", headers=auth(servers.token()))
    assert (await r.json())["capacity"] == 2
    r = await client.get(f"/office/events/{slug}/waitlist")
    text = await r.text()
    waiting, offers = text.split("Open offers")[:2]
    assert "Second Wait" in waiting and "Third Wait" in offers.split("Waiting for")[0]


async def test_viewer_sees_no_actions_and_may_not_post(
    service_client: AppClient, servers: Infra
) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers)
    ada = await _register(client, slug)
    sign_in(client, {slug: "viewer"})
    page = f"/office/registrations/{ada['id']}"
    r = await client.get(page)
    assert r.status == 200
    text = await r.text()
    assert '<form method="post" action="/office/registrations/' not in text
    csrf_match = re.search(r'name="csrf" value="([^"]+)"', text)  # the frame's sign-out form
    assert csrf_match
    for action in ("cancel", "offer", "sessions", "erase"):
        r = await client.post(
            f"{page}/{action}", data={"csrf": csrf_match[1], "cancel_confirm": "1"}
        )
        assert r.status == 403, action
    r = await client.get(f"/office/events/{slug}/import")
    assert r.status == 403
    r = await client.get(f"/api/v1/registrations/{ada['id']}", headers=auth(servers.token()))
    assert (await r.json())["status"] == "confirmed"

    sign_in(client, {"other-event": "organizer"})
    assert (await client.get(page)).status == 403
    assert (await client.get(f"/office/events/{slug}/registrations")).status == 403
    r = await client.get(f"/office/registrations/{uuid.uuid4()}")
    assert r.status == 404


async def test_checked_in_filter_after_a_real_scan(
    service_client: AppClient, servers: Infra
) -> None:
    registration = await service_client("registration")
    tickets = await service_client("tickets")
    checkin = await service_client("checkin")
    slug = await _event(registration, servers)
    organizer = auth(servers.token())
    came, stayed = await ticketed(
        (registration, tickets, checkin), slug, organizer, {"name": "Came In"}, {"name": "Away"}
    )
    r = await checkin.post(
        "/api/v1/scans",
        json={"code": came.code, "gate": "hall", "scan_id": str(uuid.uuid4())},
        headers=auth(servers.token("door", [slug])),
    )
    assert (await r.json())["result"] == "accepted"
    sign_in(registration, {slug: "viewer"})

    async def recorded() -> list[str]:
        return await _listed(registration, slug, "checked_in=yes")

    assert await eventually(recorded) == [came.reg["id"]]
    assert await _listed(registration, slug, "checked_in=no") == [stayed.reg["id"]]
    r = await registration.get(f"/office/registrations/{came.reg['id']}")
    assert "Checked in on " in await r.text()


async def test_pages_in_polish(service_client: AppClient, servers: Infra) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers, capacity=1)
    ada = await _register(client, slug, name="Ada", answers={"diet": "vegan"})
    await _register(client, slug, name="Czeka")
    sign_in(client, {slug: "organizer"}, lang="pl")
    for path, said in (
        (f"/office/events/{slug}/registrations", "Pasujących rejestracji: 2."),
        (f"/office/events/{slug}/waitlist", "Kolejka na wydarzenie"),
        (f"/office/events/{slug}/exports", "Lista obecności (PDF)"),
        (f"/office/events/{slug}/import", "Pokaż podgląd"),
        (f"/office/registrations/{ada['id']}", "Wegańska"),
    ):
        r = await client.get(path)
        assert r.status == 200 and said in await r.text(), path
    page = f"/office/registrations/{ada['id']}"
    csrf = await csrf_of(client, page)
    r = await client.post(
        f"{page}/sessions", data={"csrf": csrf, "sessions": "robots"}, allow_redirects=False
    )
    assert r.status == 303 and r.headers["Location"] == f"{page}?done=sessions"
    r = await client.post(f"{page}/sessions", data={"csrf": csrf, "sessions": "nope"})
    assert r.status == 400 and "Nie ma takiej sesji" in await r.text()
    r = await client.post(f"{page}/erase", data={"csrf": csrf})
    text = await r.text()
    assert r.status == 400 and "Błąd:" in text and "Zaznacz potwierdzenie" in text
