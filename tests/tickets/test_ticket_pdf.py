"""The printable PDF ticket: GET /api/v1/tickets/{id}/ticket.pdf and its renderer."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.ticket_pdf import render_ticket_pdf
from tests import journey
from tests.factories import auth, event_body, eventually, unique
from tests.journey import register
from tests.pdfs import pdf_pages, pdf_qr, pdf_text

BAD_IDS = ["not-a-uuid", "123", "00000000-0000-0000-0000-00000000000g", "%20", "x" * 300]

NAME = {"pl": "Warsztaty Druku 3D", "en": "3D Printing Workshop"}
VENUE = "CNK, ul. Zwierzyniecka 16, Białystok"
HOLDER = "Zażółć Gęślą Jaźń"
# 08:00-15:30 UTC is 10:00-17:30 in Warsaw (summer time).
WHEN = {
    "pl": "1 lipca 2031, 10:00–17:30 (czasu polskiego)",
    "en": "1 July 2031, 10:00–17:30 (Polish time)",
}


async def assert_problem(r: Any, status: int, code: str) -> None:
    text = await r.text()
    assert r.status == status, text
    assert r.content_type == "application/problem+json", (r.content_type, text)
    problem = await r.json(content_type=None)
    assert (problem["status"], problem["code"]) == (status, code), problem
    assert problem["detail"] and problem["type"].endswith(f"/{code}"), problem


async def _ticket(service_client: Any, servers: Any, lang: str = "pl") -> dict[str, Any]:
    """A registration's issued ticket, with its event's slug and the manage token."""
    registration = await service_client("registration")
    tickets = await service_client("tickets")
    event = event_body(
        name=NAME,
        kind="workshop",
        starts_at="2031-07-01T08:00:00+00:00",
        ends_at="2031-07-01T15:30:00+00:00",
        venue=VENUE,
        room="1.21",
    )
    r = await registration.post("/api/v1/events", json=event, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    reg = await register(registration, event["slug"], name=HOLDER, lang=lang)
    ticket = await journey.ticket(tickets, reg)
    return {**ticket, "slug": event["slug"], "manage_token": reg["manage_token"], "reg": reg}


async def _pdf(client: Any, url: str, **kwargs: Any) -> bytes:
    r = await client.get(url, **kwargs)
    body: bytes = await r.read()
    assert r.status == 200, body[:500]
    assert r.content_type == "application/pdf"
    return body


async def test_the_holder_gets_a_printable_pdf_of_the_ticket(
    service_client: Any, servers: Any
) -> None:
    ticket = await _ticket(service_client, servers, lang="pl")
    tickets = await service_client("tickets")
    url = f"/api/v1/tickets/{ticket['ticket_id']}/ticket.pdf"
    assert ticket["pdf"] == url

    r = await tickets.get(url, headers=auth(ticket["manage_token"]))
    assert r.status == 200, await r.text()
    assert r.content_type == "application/pdf"
    assert r.headers["Content-Disposition"] == f'inline; filename="ticket-{ticket["slug"]}.pdf"'
    assert r.headers["Cache-Control"] == "private, no-store"
    pdf = await r.read()
    assert len(pdf_pages(pdf)) == 1
    text = pdf_text(pdf)
    for expected in (
        "BILET",
        NAME["pl"],
        "TERMIN",
        WHEN["pl"],
        "MIEJSCE",
        f"{VENUE}, sala 1.21",
        "UCZESTNIK",
        HOLDER,
        f"Nr biletu: {ticket['ticket_id']}",
    ):
        assert expected in text, (expected, text)
    assert ticket["code"] in text.replace(" ", "")
    assert pdf_qr(pdf) == ticket["code"]
    # The ticket's issue time is the document's: the same ticket gives the same bytes.
    assert await _pdf(tickets, url, headers=auth(ticket["manage_token"])) == pdf

    # For links: the token in the query; the other language on request.
    english = await _pdf(tickets, f"{url}?token={ticket['manage_token']}&lang=en")
    text = pdf_text(english)
    for expected in ("TICKET", NAME["en"], "WHEN", WHEN["en"], f"{VENUE}, room 1.21", HOLDER):
        assert expected in text, (expected, text)
    # A language it does not know gives the ticket's own.
    assert await _pdf(tickets, f"{url}?token={ticket['manage_token']}&lang=de") == pdf


async def test_an_english_ticket_is_in_english(service_client: Any, servers: Any) -> None:
    ticket = await _ticket(service_client, servers, lang="en")
    tickets = await service_client("tickets")
    pdf = await _pdf(
        tickets,
        f"/api/v1/tickets/{ticket['ticket_id']}/ticket.pdf",
        headers=auth(ticket["manage_token"]),
    )
    text = pdf_text(pdf)
    assert "ATTENDEE" in text and HOLDER in text and NAME["en"] in text, text
    assert f"Ticket no.: {ticket['ticket_id']}" in text
    assert pdf_qr(pdf) == ticket["code"]


async def test_organizers_of_the_event_may_print_it_and_no_one_else(
    service_client: Any, servers: Any
) -> None:
    ticket = await _ticket(service_client, servers)
    tickets = await service_client("tickets")
    url = f"/api/v1/tickets/{ticket['ticket_id']}/ticket.pdf"

    for organizer in (servers.token(), servers.token("organizer", [ticket["slug"]])):
        pdf = await _pdf(tickets, url, headers=auth(organizer))
        assert pdf_qr(pdf) == ticket["code"]

    other_organizer = servers.token("organizer", [unique()])
    await assert_problem(await tickets.get(url, headers=auth(other_organizer)), 403, "forbidden")
    door = servers.token("door", [ticket["slug"]])
    await assert_problem(await tickets.get(url, headers=auth(door)), 403, "forbidden")
    await assert_problem(await tickets.get(url, headers=auth("x" * 43)), 403, "forbidden")
    await assert_problem(await tickets.get(f"{url}?token={'x' * 43}"), 403, "forbidden")
    other = await _ticket(service_client, servers)
    await assert_problem(
        await tickets.get(url, headers=auth(other["manage_token"])), 403, "forbidden"
    )
    await assert_problem(await tickets.get(url), 401, "unauthorized")


async def test_unknown_and_malformed_ticket_ids_are_404(service_client: Any, servers: Any) -> None:
    tickets = await service_client("tickets")
    organizer = auth(servers.token())
    url = f"/api/v1/tickets/{uuid.uuid4()}/ticket.pdf"
    await assert_problem(await tickets.get(url, headers=organizer), 404, "ticket_not_found")
    # A manage token cannot tell an unknown ticket from someone else's.
    await assert_problem(await tickets.get(f"{url}?token=guess"), 403, "forbidden")
    for bad_id in BAD_IDS:
        for headers in ({}, organizer):
            r = await tickets.get(f"/api/v1/tickets/{bad_id}/ticket.pdf", headers=headers)
            await assert_problem(r, 404, "ticket_not_found")


async def test_a_cancelled_ticket_is_served_as_its_qr_images_are(
    service_client: Any, servers: Any
) -> None:
    ticket = await _ticket(service_client, servers)
    registration = await service_client("registration")
    tickets = await service_client("tickets")
    manage = auth(ticket["manage_token"])
    r = await registration.delete(f"/api/v1/registrations/{ticket['reg']['id']}", headers=manage)
    assert r.status == 200, await r.text()

    async def revoked() -> bool:
        r = await tickets.get(f"/api/v1/registrations/{ticket['reg']['id']}/ticket", headers=manage)
        return (await r.json())["status"] == "revoked"

    await eventually(revoked)
    # The door refuses a revoked code by the read model, whatever paper it is on.
    r = await tickets.get(f"/api/v1/tickets/{ticket['ticket_id']}/qr.png", headers=manage)
    assert r.status == 200, await r.text()
    pdf = await _pdf(tickets, f"/api/v1/tickets/{ticket['ticket_id']}/ticket.pdf", headers=manage)
    assert pdf_qr(pdf) == ticket["code"]


async def test_the_ticket_page_links_to_the_pdf(service_client: Any, servers: Any) -> None:
    ticket = await _ticket(service_client, servers)
    tickets = await service_client("tickets")
    r = await tickets.get(
        f"/registrations/{ticket['reg']['id']}/ticket.html",
        params={"token": ticket["manage_token"], "lang": "en"},
    )
    assert r.status == 200, await r.text()
    [href] = re.findall(r'<a id="pdf" href="([^"]+)">Printable ticket \(PDF\)</a>', await r.text())
    pdf = await _pdf(tickets, href.replace("&amp;", "&"))
    assert NAME["en"] in pdf_text(pdf)


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_long_texts_still_fit_one_page_with_a_readable_code(lang: str) -> None:
    code = "CNK1" + ("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" * 5)[:159]
    pdf = render_ticket_pdf(
        holder_name="Żaneta Ąę " * 20,
        event_name="Międzynarodowa konferencja " * 7,
        starts_at=datetime(2031, 1, 10, 8, tzinfo=UTC),
        ends_at=datetime(2031, 1, 12, 16, tzinfo=UTC),
        venue="Ośrodek " * 25,
        room="Sala " * 40,
        code=code,
        ticket_id=uuid.uuid4(),
        lang=lang,
    )
    assert len(pdf_pages(pdf)) == 1
    assert pdf_qr(pdf) == code
    when = {
        "pl": "10 stycznia 2031, 09:00–12 stycznia 2031, 17:00 (czasu polskiego)",
        "en": "10 January 2031, 09:00–12 January 2031, 17:00 (Polish time)",
    }[lang]
    assert when in pdf_text(pdf)


def test_names_in_greek_and_cyrillic_are_printed() -> None:
    names = "Παπαδοπούλου Ελένη, Шевченко Тарас, Nguyễn Thị Hương"
    pdf = render_ticket_pdf(
        holder_name=names,
        event_name=NAME["en"],
        starts_at=datetime(2031, 1, 10, 8, tzinfo=UTC),
        ends_at=datetime(2031, 1, 10, 16, tzinfo=UTC),
        venue=VENUE,
        room=None,
        code="CNK1" + "A" * 159,
        ticket_id=uuid.uuid4(),
        lang="en",
    )
    assert names in pdf_text(pdf)
