"""Every email an attendee gets from registration, in Polish and English, each exactly once,
with a manage link that opens their registration."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest

from shared.timefmt import format_when, local_time
from tests.factories import auth, event_body, eventually, registration_body
from tests.notifications.pipeline import settled_deliveries

LANGS = ["pl", "en"]
NAME = {"pl": "Dzień Otwarty InnHUB", "en": "InnHUB Open Day"}
WORKSHOP = {"pl": "Warsztat druku 3D", "en": "3D printing workshop"}
ZONE = {"pl": "(czasu polskiego)", "en": "(Polish time)"}


async def _services(service_client: Any) -> tuple[Any, Any]:
    # Notifications first: its public key is in the bucket before registration seals.
    notifications = await service_client("notifications")
    registration = await service_client("registration")
    await service_client("tickets")
    return notifications, registration


async def _event(registration: Any, servers: Any, **overrides: Any) -> dict[str, Any]:
    body = event_body(name=NAME, **overrides)
    r = await registration.post("/api/v1/events", json=body, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    return body


async def _register(registration: Any, slug: str, **overrides: Any) -> dict[str, Any]:
    r = await registration.post(
        f"/api/v1/events/{slug}/registrations", json=registration_body(**overrides)
    )
    assert r.status == 201, await r.text()
    return dict(await r.json())


async def _mail(servers: Any, reg: dict[str, Any], subject: str) -> EmailMessage:
    async def found() -> list[EmailMessage]:
        return [m for m in servers.mailbox.to(reg["email"]) if m["Subject"] == subject]

    [msg] = await eventually(found)
    return msg


def _parts(msg: EmailMessage) -> tuple[str, str]:
    text, body = msg.get_body(("plain",)), msg.get_body(("html",))
    assert text is not None and body is not None
    # SMTP carries CRLF line ends; compare with the templates' LF.
    return text.get_content().replace("\r\n", "\n"), body.get_content().replace("\r\n", "\n")


def _calendars(msg: EmailMessage) -> list[icalendar.Event]:
    found = []
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            raw = part.get_payload(decode=True)
            assert isinstance(raw, bytes)
            found += icalendar.Calendar.from_ical(raw).walk("VEVENT")
    return found


async def _check_manage_link(
    registration: Any, servers: Any, reg: dict[str, Any], text: str, body: str
) -> None:
    """The link is on registration's manage page, carries the token, and the token opens it."""
    [url] = re.findall(rf"\S+/registrations/{reg['id']}\?\S+", text)
    base = servers.settings("notifications").registration_url
    assert url.startswith(f"{base}/registrations/{reg['id']}?")
    assert f'href="{html.escape(url)}"' in body
    [token] = parse_qs(urlsplit(url).query)["token"]
    assert token == reg["manage_token"]
    r = await registration.get(f"/api/v1/registrations/{reg['id']}", params={"token": token})
    assert r.status == 200, await r.text()


def _session(event: dict[str, Any], capacity: int = 1) -> dict[str, Any]:
    starts = datetime.fromisoformat(event["starts_at"]) + timedelta(hours=1)
    return {
        "slug": "druk-3d",
        "name": WORKSHOP,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "capacity": capacity,
        "room": "2.15",
    }


@pytest.mark.parametrize("lang", LANGS)
async def test_ticket_lists_sessions_and_a_freed_session_seat_is_offered(
    service_client: Any, servers: Any, lang: str
) -> None:
    notifications, registration = await _services(service_client)
    event = await _event(registration, servers)
    r = await registration.post(
        f"/api/v1/events/{event['slug']}/sessions",
        json=_session(event),
        headers=auth(servers.token()),
    )
    assert r.status == 201, await r.text()
    first = await _register(registration, event["slug"], lang=lang, sessions=["druk-3d"])
    second = await _register(registration, event["slug"], lang=lang, sessions=["druk-3d"])
    workshop_when = format_when(
        datetime.fromisoformat(_session(event)["starts_at"]),
        datetime.fromisoformat(_session(event)["ends_at"]),
        lang,
    )

    ticket_subject = {"pl": f"Twój bilet: {NAME['pl']}", "en": f"Your ticket: {NAME['en']}"}[lang]
    room = {"pl": "sala 2.15", "en": "room 2.15"}[lang]
    confirmed = {"pl": "miejsce potwierdzone", "en": "seat confirmed"}[lang]
    waiting = {"pl": "na liście oczekujących", "en": "on the waitlist"}[lang]
    for reg, status in ((first, confirmed), (second, waiting)):
        msg = await _mail(servers, reg, ticket_subject)
        assert msg["Content-Language"] == lang
        text, body = _parts(msg)
        line = f"- {WORKSHOP[lang]}, {workshop_when}, {room}: {status}"
        assert line in text.splitlines(), text
        assert f"<strong>{status}</strong>" in body
        await _check_manage_link(registration, servers, reg, text, body)
        [entry] = _calendars(msg)
        assert str(entry["uid"]) == f"{reg['id']}@cnk-events"

    r = await registration.put(
        f"/api/v1/registrations/{first['id']}/sessions",
        json={"sessions": []},
        headers=auth(first["manage_token"]),
    )
    assert r.status == 200, await r.text()
    r = await registration.get(
        f"/api/v1/registrations/{second['id']}", headers=auth(second["manage_token"])
    )
    [place] = (await r.json())["sessions"]
    assert place["status"] == "offered", place
    expires = local_time(datetime.fromisoformat(place["offer_expires_at"]))

    subject = {
        "pl": f"Zwolniło się miejsce w sesji {WORKSHOP['pl']}: {NAME['pl']}",
        "en": f"A seat is free for you in {WORKSHOP['en']}: {NAME['en']}",
    }[lang]
    msg = await _mail(servers, second, subject)
    text, body = _parts(msg)
    assert f"{expires} {ZONE[lang]}" in text and f"{expires} {ZONE[lang]}" in body
    assert {"pl": "Sala: 2.15", "en": "Room: 2.15"}[lang] in text
    assert workshop_when in text
    await _check_manage_link(registration, servers, second, text, body)
    assert not _calendars(msg)

    delivered = await settled_deliveries(servers, notifications, first, second)
    assert delivered == {first["id"]: ["ticket"], second["id"]: ["ticket", "session_offer"]}
    assert len(servers.mailbox.to(first["email"])) == 1
    assert len(servers.mailbox.to(second["email"])) == 2


@pytest.mark.parametrize("lang", LANGS)
async def test_waitlist_offer_and_cancellation_emails(
    service_client: Any, servers: Any, lang: str
) -> None:
    notifications, registration = await _services(service_client)
    event = await _event(registration, servers, capacity=1)
    first = await _register(registration, event["slug"], lang=lang)
    second = await _register(registration, event["slug"], lang=lang)
    assert (second["status"], second["position"]) == ("waitlisted", 1)

    subject = {
        "pl": f"Jesteś na liście oczekujących: {NAME['pl']}",
        "en": f"You are on the waitlist: {NAME['en']}",
    }[lang]
    text, body = _parts(await _mail(servers, second, subject))
    assert {"pl": "Twoje miejsce w kolejce: 1.", "en": "Your place in line: 1."}[lang] in text
    assert {"pl": "wyślemy Ci e-mail\nz ofertą", "en": "we will email\nyou an offer"}[lang] in text
    assert {"pl": "przez ograniczony czas", "en": "for a limited time"}[lang] in text
    await _check_manage_link(registration, servers, second, text, body)
    ticket_subject = {"pl": f"Twój bilet: {NAME['pl']}", "en": f"Your ticket: {NAME['en']}"}[lang]
    await _mail(servers, first, ticket_subject)  # a cancellation before it: no ticket email

    r = await registration.delete(
        f"/api/v1/registrations/{first['id']}", headers=auth(first["manage_token"])
    )
    assert r.status == 200, await r.text()
    subject = {
        "pl": f"Rejestracja anulowana: {NAME['pl']}",
        "en": f"Registration cancelled: {NAME['en']}",
    }[lang]
    text, body = _parts(await _mail(servers, first, subject))
    assert {
        "pl": "Zgodnie z Twoją prośbą Twoja rejestracja",
        "en": "As you asked, your registration",
    }[lang] in text
    no_ticket = {
        "pl": "Twój bilet jest już nieważny",
        "en": "Your ticket is no longer valid",
    }[lang]
    assert no_ticket in text and no_ticket in body
    assert f"/events/{event['slug']}?lang={lang}" in text
    await _check_manage_link(registration, servers, first, text, body)

    r = await registration.get(
        f"/api/v1/registrations/{second['id']}", headers=auth(second["manage_token"])
    )
    offered = await r.json()
    assert offered["status"] == "offered"
    expires = local_time(datetime.fromisoformat(offered["offer_expires_at"]))
    subject = {
        "pl": f"Zwolniło się miejsce dla Ciebie: {NAME['pl']}",
        "en": f"A seat is free for you: {NAME['en']}",
    }[lang]
    text, body = _parts(await _mail(servers, second, subject))
    assert {"pl": "Przyjmij je do", "en": "Accept it by"}[lang] + f" {expires} {ZONE[lang]}" in text
    assert {"pl": "„Przyjmuję miejsce”", "en": '"Take the seat"'}[lang] in text
    assert {"pl": "kolejną osobę", "en": "next person"}[lang] in text
    await _check_manage_link(registration, servers, second, text, body)

    r = await registration.post(
        f"/api/v1/registrations/{second['id']}/accept-offer", headers=auth(second["manage_token"])
    )
    assert r.status == 200, await r.text()
    await _mail(servers, second, ticket_subject)

    delivered = await settled_deliveries(servers, notifications, first, second)
    assert delivered == {
        first["id"]: ["ticket", "cancelled"],
        second["id"]: ["waitlisted", "offer", "ticket"],
    }
    assert len(servers.mailbox.to(first["email"])) == 2
    assert len(servers.mailbox.to(second["email"])) == 3


@pytest.mark.parametrize("lang", LANGS)
async def test_cancelled_event_tells_everyone_it_is_cancelled(
    service_client: Any, servers: Any, lang: str
) -> None:
    notifications, registration = await _services(service_client)
    event = await _event(registration, servers, capacity=1)
    seated = await _register(registration, event["slug"], lang=lang)
    waiting = await _register(registration, event["slug"], lang=lang)
    ticket_subject = {"pl": f"Twój bilet: {NAME['pl']}", "en": f"Your ticket: {NAME['en']}"}[lang]
    await _mail(servers, seated, ticket_subject)
    # Sent before the cancellation (one still queued then is withdrawn: no longer true).
    waitlisted_subject = {
        "pl": f"Jesteś na liście oczekujących: {NAME['pl']}",
        "en": f"You are on the waitlist: {NAME['en']}",
    }[lang]
    await _mail(servers, waiting, waitlisted_subject)

    r = await registration.post(
        f"/api/v1/events/{event['slug']}/cancel", headers=auth(servers.token())
    )
    assert r.status == 200, await r.text()
    subject = {
        "pl": f"Wydarzenie odwołane: {NAME['pl']}",
        "en": f"Event cancelled: {NAME['en']}",
    }[lang]
    cancelled = {
        "pl": f"organizator odwołał wydarzenie „{NAME['pl']}”. Wydarzenie się nie\nodbędzie",
        "en": f'the organizer has cancelled the event "{NAME["en"]}". It will not\ntake place',
    }[lang]
    no_ticket = {"pl": "Twój bilet jest już nieważny", "en": "Your ticket is no longer valid"}[lang]
    for reg in (seated, waiting):
        text, body = _parts(await _mail(servers, reg, subject))
        assert cancelled in text
        assert (no_ticket in text) == (reg is seated)
        await _check_manage_link(registration, servers, reg, text, body)
        assert f"/events/{event['slug']}" not in text  # nothing to register for again

    delivered = await settled_deliveries(servers, notifications, seated, waiting)
    assert delivered == {
        seated["id"]: ["ticket", "cancelled"],
        waiting["id"]: ["waitlisted", "cancelled"],
    }
    assert len(servers.mailbox.to(seated["email"])) == 2
    assert len(servers.mailbox.to(waiting["email"])) == 2


async def test_erasure_sends_nothing_and_scrubs_the_log(service_client: Any, servers: Any) -> None:
    notifications, registration = await _services(service_client)
    event = await _event(registration, servers)
    reg = await _register(registration, event["slug"])
    await _mail(servers, reg, f"Twój bilet: {NAME['pl']}")

    r = await registration.post(
        f"/api/v1/registrations/{reg['id']}/erase", headers=auth(reg["manage_token"])
    )
    assert r.status == 200, await r.text()

    async def scrubbed() -> list[dict[str, Any]] | None:
        r = await notifications.get(
            "/api/v1/deliveries",
            params={"registration_id": reg["id"]},
            headers=auth(servers.token()),
        )
        found: list[dict[str, Any]] = (await r.json())["deliveries"]
        return found if all(d["recipient"].endswith("@invalid") for d in found) else None

    [delivery] = await eventually(scrubbed)
    assert (delivery["template"], delivery["status"]) == ("ticket", "sent")
    assert await settled_deliveries(servers, notifications, reg) == {reg["id"]: ["ticket"]}
    assert len(servers.mailbox.to(reg["email"])) == 1


@pytest.mark.parametrize("lang", LANGS)
async def test_event_changes_reach_confirmed_and_waiting_attendees_once(
    service_client: Any, servers: Any, lang: str
) -> None:
    notifications, registration = await _services(service_client)
    event = await _event(registration, servers, capacity=1)
    seated = await _register(registration, event["slug"], lang=lang)
    waiting = await _register(registration, event["slug"], lang=lang)
    gone = await _register(registration, event["slug"], lang=lang)
    waitlisted_subject = {
        "pl": f"Jesteś na liście oczekujących: {NAME['pl']}",
        "en": f"You are on the waitlist: {NAME['en']}",
    }[lang]
    # Sent before the cancellation: one still queued then would be withdrawn.
    await _mail(servers, gone, waitlisted_subject)
    r = await registration.delete(
        f"/api/v1/registrations/{gone['id']}", headers=auth(gone["manage_token"])
    )
    assert r.status == 200, await r.text()
    ticket_subject = {"pl": f"Twój bilet: {NAME['pl']}", "en": f"Your ticket: {NAME['en']}"}[lang]
    await _mail(servers, seated, ticket_subject)
    cancelled_subject = {
        "pl": f"Rejestracja anulowana: {NAME['pl']}",
        "en": f"Registration cancelled: {NAME['en']}",
    }[lang]
    await _mail(servers, gone, cancelled_subject)
    await _mail(servers, waiting, waitlisted_subject)

    venue = "Aula, ul. Wiejska 45A, Białystok"
    r = await registration.patch(
        f"/api/v1/events/{event['slug']}", json={"venue": venue}, headers=auth(servers.token())
    )
    assert r.status == 200, await r.text()
    subject = {
        "pl": f"Zmiana w wydarzeniu: {NAME['pl']}",
        "en": f"Event details changed: {NAME['en']}",
    }[lang]
    where = {"pl": f"Gdzie: {venue}", "en": f"Where: {venue}"}[lang]
    for reg in (seated, waiting):
        msg = await _mail(servers, reg, subject)
        text, body = _parts(msg)
        assert where in text
        assert {"pl": "Co się zmieniło: miejsce.", "en": "What changed: place."}[lang] in text
        await _check_manage_link(registration, servers, reg, text, body)
        # Only the seat holder's calendar entry is updated, the same one the ticket added.
        entries = _calendars(msg)
        if reg is seated:
            [entry] = entries
            assert str(entry["uid"]) == f"{seated['id']}@cnk-events"
            assert str(entry["location"]) == venue
        else:
            assert entries == []
            assert {"pl": "Nadal jesteś na liście", "en": "You are still on the waitlist"}[
                lang
            ] in text

    starts = datetime.fromisoformat(event["starts_at"]) + timedelta(days=7, hours=2)
    ends = starts + timedelta(hours=3)
    r = await registration.patch(
        f"/api/v1/events/{event['slug']}",
        json={"starts_at": starts.isoformat(), "ends_at": ends.isoformat()},
        headers=auth(servers.token()),
    )
    assert r.status == 200, await r.text()

    async def second_change(reg: dict[str, Any]) -> list[EmailMessage]:
        return [m for m in servers.mailbox.to(reg["email"]) if m["Subject"] == subject][1:]

    when = format_when(starts, ends, lang)
    for reg in (seated, waiting):
        [msg] = await eventually(lambda reg=reg: second_change(reg))
        text, _ = _parts(msg)
        assert when in text and venue in text
        assert {"pl": "Co się zmieniło: termin.", "en": "What changed: time."}[lang] in text

    # A new description is nobody's news.
    r = await registration.patch(
        f"/api/v1/events/{event['slug']}",
        json={"description": {"pl": "Nowy opis", "en": "New description"}},
        headers=auth(servers.token()),
    )
    assert r.status == 200, await r.text()

    delivered = await settled_deliveries(servers, notifications, seated, waiting, gone)
    assert delivered == {
        seated["id"]: ["ticket", "event_changed", "event_changed"],
        waiting["id"]: ["waitlisted", "event_changed", "event_changed"],
        gone["id"]: ["waitlisted", "cancelled"],
    }
    assert len(servers.mailbox.to(seated["email"])) == 3
    assert len(servers.mailbox.to(waiting["email"])) == 3
    assert len(servers.mailbox.to(gone["email"])) == 2
