"""Organizers' evidence: attendance lists (CSV, PDF), participant statistics, who is inside."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.checkin.evidence.reports import polish_key
from shared import field_messages
from shared.spreadsheet import safe_cell
from tests.checkin.test_lists import Door, _door, _session
from tests.factories import auth, eventually, registration_body
from tests.pdfs import pdf_pages, pdf_text

WARSAW = ZoneInfo("Europe/Warsaw")
PROBLEM = "application/problem+json"
REPORTS = ("attendance.csv", "attendance.pdf", "statistics", "statistics.csv", "inside.pdf")


def _local(scanned_at: str) -> str:
    moment = datetime.fromisoformat(scanned_at.replace("Z", "+00:00"))
    return moment.astimezone(WARSAW).isoformat(timespec="seconds")


def _printed(scanned_at: str) -> str:
    moment = datetime.fromisoformat(scanned_at.replace("Z", "+00:00"))
    return moment.astimezone(WARSAW).strftime("%d.%m.%Y %H:%M")


async def _get(door: Door, path: str, **headers: str) -> Any:
    r = await door.checkin.get(
        f"/api/v1/events/{door.slug}/{path}", headers=headers or door.organizer
    )
    assert r.status == 200, await r.text()
    return r


async def _csv(door: Door, path: str) -> list[dict[str, str]]:
    r = await _get(door, path)
    assert r.content_type == "text/csv"
    name = path.split("?")[0].replace(".csv", "")
    suffix = f"-{path.split('session=')[1]}" if "session=" in path else ""
    assert r.headers["Content-Disposition"] == (
        f'attachment; filename="{name}-{door.slug}{suffix}.csv"'
    )
    raw = await r.read()
    assert raw.startswith(b"\xef\xbb\xbf"), raw[:10]  # the BOM Excel needs
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


async def _pdf(door: Door, path: str) -> str:
    r = await _get(door, path)
    assert r.content_type == "application/pdf"
    return pdf_text(await r.read())


async def _statistics(door: Door) -> dict[str, Any]:
    r = await _get(door, "statistics")
    return dict(await r.json())


# --- pure helpers


def test_names_sort_in_polish_alphabetical_order() -> None:
    names = ["Żaneta", "zofia", "Źdźisław", "Łucja", "Maria", "lucyna", "Ćma", "Dawid"]
    names += ["Cezary", "Émile", "Ewa", "Ęka", "Órla", "Oskar", "Śliwa", "Szymon"]
    assert sorted(names, key=polish_key) == [
        "Cezary",
        "Ćma",
        "Dawid",
        "Émile",
        "Ewa",
        "Ęka",
        "lucyna",
        "Łucja",
        "Maria",
        "Oskar",
        "Órla",
        "Szymon",
        "Śliwa",
        "zofia",
        "Źdźisław",
        "Żaneta",
    ]


def test_cells_that_would_be_formulas_get_an_apostrophe() -> None:
    for text in ("=1+1", "+48 123", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    for value in ("Anna", "Ślusarz", "", 3, "1=1"):
        assert safe_cell(value) == value


# --- the whole story of one event


async def _event_with_people(service_client: Any, servers: Any) -> tuple[Door, dict[str, Any]]:
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=20)
    later = soon + timedelta(days=1)
    door = await _door(
        service_client,
        servers,
        starts_at=soon.isoformat(),
        ends_at=(later + timedelta(hours=3)).isoformat(),
        capacity=5,
        sessions=[_session("ai", soon), _session("iot", later)],
    )
    await door.ticket_types("regular", "vip")
    people = {
        "lucja": await door.ticket(
            name="Łucja Nowak",
            organization="Politechnika Białostocka",
            country="PL",
            role="student",
            ticket_type="vip",
            sessions=["ai"],
        ),
        "marek": await door.ticket(
            name="Marek Kowalski",
            organization="politechnika białostocka",
            country="PL",
            role="academic_staff",
            ticket_type="regular",
            sessions=["ai"],
        ),
        "zaneta": await door.ticket(
            name="Żaneta Wiśniewska",
            organization="Universidade do Porto",
            country="PT",
            role="teacher",
            ticket_type="regular",
            sessions=["iot"],
        ),
        "zenon": await door.ticket(
            name="=Zenon Zięba",
            organization="Politechnika Białostocka",
            country="DE",
            role="company",
            ticket_type="regular",
        ),
        "cezary": await door.ticket(name="Cezary Ćwik", ticket_type="regular"),
    }
    for name in ("Filip Waiting", "Grażyna Waiting"):
        r = await door.registration.post(
            f"/api/v1/events/{door.slug}/registrations",
            json=registration_body(name=name, ticket_type="regular"),
        )
        assert r.status == 201, await r.text()
        assert (await r.json())["status"] == "waitlisted"
    cezary = people["cezary"]
    r = await door.registration.delete(
        f"/api/v1/registrations/{cezary['registration_id']}",
        headers=auth(cezary["manage_token"]),
    )
    assert r.status in (200, 204), await r.text()

    async def settled() -> bool:
        counts = (await _statistics(door))["registrations"]
        if counts != {"confirmed": 4, "waitlisted": 1, "offered": 1, "cancelled": 1}:
            return False
        # The registration's cancellation reaches checkin from registration; the ticket's
        # revocation comes later, through tickets.
        r = await door.checkin.get(f"/api/v1/events/{door.slug}/attendance", headers=door.organizer)
        return bool((await r.json())["tickets"] == 4)

    await eventually(settled)
    return door, people


async def test_statistics_count_participants_by_status_profile_and_session(
    service_client: Any, servers: Any
) -> None:
    door, people = await _event_with_people(service_client, servers)
    for person, list_ in (("lucja", "main"), ("lucja", "ai"), ("marek", "main"), ("zenon", "main")):
        assert (await door.scan(people[person], list_))["result"] == "accepted"
    # Cezary's ticket is revoked: refused, so he does not count.
    assert (await door.scan(people["cezary"]))["result"] == "revoked"

    assert await _statistics(door) == {
        "event": door.slug,
        "registrations": {"confirmed": 4, "waitlisted": 1, "offered": 1, "cancelled": 1},
        "registered": 4,
        "checked_in": 3,
        "attendance_rate": 0.75,
        "by_country": [
            {"value": "PL", "registered": 2, "attended": 2},
            {"value": "DE", "registered": 1, "attended": 1},
            {"value": "PT", "registered": 1, "attended": 0},
        ],
        "by_role": [
            {"value": "student", "registered": 1, "attended": 1},
            {"value": "academic_staff", "registered": 1, "attended": 1},
            {"value": "teacher", "registered": 1, "attended": 0},
            {"value": "company", "registered": 1, "attended": 1},
            {"value": "public_body", "registered": 0, "attended": 0},
            {"value": "other", "registered": 0, "attended": 0},
            {"value": "unknown", "registered": 0, "attended": 0},
        ],
        # Two spellings of one university are one organization, named as most write it.
        "by_organization": [
            {"value": "Politechnika Białostocka", "registered": 3, "attended": 3},
            {"value": "Universidade do Porto", "registered": 1, "attended": 0},
        ],
        "by_ticket_type": [
            {"value": "regular", "registered": 3, "attended": 2},
            {"value": "vip", "registered": 1, "attended": 1},
        ],
        "sessions": [
            {"slug": "ai", "name": "Workshop ai", "registered": 2, "attended": 1},
            {"slug": "iot", "name": "Workshop iot", "registered": 1, "attended": 0},
        ],
    }

    rows = await _csv(door, "statistics.csv")
    table = [(r["dimension"], r["value"], r["registered"], r["attended"]) for r in rows]
    assert table[:5] == [
        ("total", "participants", "4", "3"),
        ("status", "confirmed", "4", ""),
        ("status", "waitlisted", "1", ""),
        ("status", "offered", "1", ""),
        ("status", "cancelled", "1", ""),
    ]
    assert ("country", "PT", "1", "0") in table
    assert ("role", "public_body", "0", "0") in table
    assert ("organization", "Politechnika Białostocka", "3", "3") in table
    assert ("ticket_type", "vip", "1", "1") in table
    assert table[-2:] == [("session", "ai", "2", "1"), ("session", "iot", "1", "0")]
    assert len(table) == 5 + 3 + 7 + 2 + 2 + 2


async def test_attendance_lists_in_csv_and_pdf_for_the_event_and_a_session(
    service_client: Any, servers: Any
) -> None:
    door, people = await _event_with_people(service_client, servers)
    lucja_in = await door.scan(people["lucja"], gate="hall")
    lucja_ai = await door.scan(people["lucja"], "ai", gate="room-1")
    zenon_in = await door.scan(people["zenon"])
    marek_in = await door.scan(people["marek"])
    assert [s["result"] for s in (lucja_in, lucja_ai, zenon_in, marek_in)] == ["accepted"] * 4
    # A second scan does not move the first check-in.
    assert (await door.scan(people["lucja"]))["result"] == "already_checked_in"

    rows = await _csv(door, "attendance.csv")
    assert [list(r) for r in rows][0] == [
        "no",
        "registration_id",
        "name",
        "organization",
        "country",
        "role",
        "ticket_type",
        "status",
        "checked_in",
        "first_checkin",
        "sessions_attended",
        "erased",
    ]
    # Polish order (Ł before M), no-shows included; the cancelled and the waiting are not.
    assert [
        (
            r["no"],
            r["name"],
            r["organization"],
            r["country"],
            r["role"],
            r["ticket_type"],
            r["checked_in"],
            r["first_checkin"],
            r["sessions_attended"],
        )
        for r in rows
    ] == [
        # The formula-like name is defused with an apostrophe.
        (
            "1",
            "'=Zenon Zięba",
            "Politechnika Białostocka",
            "DE",
            "company",
            "regular",
            "yes",
            _local(zenon_in["scanned_at"]),
            "",
        ),
        (
            "2",
            "Łucja Nowak",
            "Politechnika Białostocka",
            "PL",
            "student",
            "vip",
            "yes",
            _local(lucja_in["scanned_at"]),
            "ai",
        ),
        (
            "3",
            "Marek Kowalski",
            "politechnika białostocka",
            "PL",
            "academic_staff",
            "regular",
            "yes",
            _local(marek_in["scanned_at"]),
            "",
        ),
        (
            "4",
            "Żaneta Wiśniewska",
            "Universidade do Porto",
            "PT",
            "teacher",
            "regular",
            "no",
            "",
            "",
        ),
    ]
    assert rows[1]["registration_id"] == people["lucja"]["registration_id"]
    assert {r["status"] for r in rows} == {"confirmed"} and {r["erased"] for r in rows} == {"no"}
    assert rows[1]["first_checkin"][-6:] in ("+01:00", "+02:00")  # Warsaw time, labelled

    session_rows = await _csv(door, "attendance.csv?session=ai")
    assert [(r["name"], r["checked_in"], r["first_checkin"]) for r in session_rows] == [
        ("Łucja Nowak", "yes", _local(lucja_ai["scanned_at"])),
        ("Marek Kowalski", "no", ""),
    ]

    r = await _get(door, "attendance.pdf")
    assert r.headers["Content-Disposition"] == f'inline; filename="attendance-{door.slug}.pdf"'
    pdf = await r.read()
    assert len(pdf_pages(pdf)) == 1
    text = pdf_text(pdf)
    for expected in (
        "Lista obecności / Attendance list",
        "Konferencja InnHUB",
        "InnHUB Conference",
        "Miejsce / Venue: CNK, ul. Zwierzyniecka 16, Białystok",
        "Podpis Signature",
        "Imię i nazwisko Name",
        "Uczestników / Participants: 4 · Obecnych / Checked in: 3",
        "Europe/Warsaw",
        f"1 =Zenon Zięba Politechnika Białostocka DE {_printed(zenon_in['scanned_at'])}",
        f"2 Łucja Nowak Politechnika Białostocka PL {_printed(lucja_in['scanned_at'])} ai",
        "4 Żaneta Wiśniewska Universidade do Porto PT",
        "Strona / Page 1/1",
        "Sesje / Sessions: ai = Workshop ai; iot = Workshop iot",
    ):
        assert expected in text, (expected, text)
    assert "Cezary" not in text and "Waiting" not in text

    text = await _pdf(door, "attendance.pdf?session=ai")
    assert "Sesja / Session: Workshop ai (ai)" in text, text
    assert "Uczestników / Participants: 2 · Obecnych / Checked in: 1" in text, text
    assert f"1 Łucja Nowak Politechnika Białostocka PL {_printed(lucja_ai['scanned_at'])}" in text
    assert "Marek Kowalski" in text and "Żaneta" not in text and "Zenon" not in text


async def test_a_long_attendance_list_repeats_its_heading_on_every_page(
    service_client: Any, servers: Any
) -> None:
    door = await _door(service_client, servers)
    await door.tickets_for(
        *({"name": f"Uczestnik Źdźbło {i:02d}", "organization": "Org " * 12} for i in range(40))
    )
    r = await _get(door, "attendance.pdf")
    pages = pdf_pages(await r.read())
    assert len(pages) >= 3
    for number, page in enumerate(pages, 1):
        text = " ".join(page.extract_text().split())
        assert "Podpis Signature" in text, (number, text)
        assert f"Strona / Page {number}/{len(pages)}" in text
    everything = " ".join(" ".join(p.extract_text().split()) for p in pages)
    assert all(f"Uczestnik Źdźbło {i:02d}" in everything for i in range(40))


async def test_an_erased_participant_stays_as_an_anonymous_row(
    service_client: Any, servers: Any
) -> None:
    door = await _door(service_client, servers)
    pawel = await door.ticket(name="Paweł Ślusarz", organization="Fundacja Ślad", country="PL")
    ola = await door.ticket(name="Ola Kot", organization="Fundacja Ślad", country="PL")
    pawel_in = await door.scan(pawel)
    assert (await door.scan(ola))["result"] == pawel_in["result"] == "accepted"
    before = await _statistics(door)
    assert (before["registered"], before["checked_in"]) == (2, 2)

    r = await door.registration.post(
        f"/api/v1/registrations/{pawel['registration_id']}/erase",
        headers=auth(pawel["manage_token"]),
    )
    assert r.status in (200, 204), await r.text()

    async def erased() -> list[dict[str, str]] | None:
        rows = await _csv(door, "attendance.csv")
        return rows if any(r["erased"] == "yes" for r in rows) else None

    rows = await eventually(erased)
    assert [
        (r["no"], r["name"], r["organization"], r["country"], r["checked_in"], r["first_checkin"])
        for r in rows
    ] == [
        ("1", "Ola Kot", "Fundacja Ślad", "PL", "yes", rows[0]["first_checkin"]),
        ("2", "— (erased)", "", "", "yes", _local(pawel_in["scanned_at"])),
    ]
    assert rows[1]["status"] == "cancelled"

    after = await _statistics(door)
    assert (after["registered"], after["checked_in"], after["attendance_rate"]) == (2, 2, 1.0)
    assert after["registrations"] == {
        "confirmed": 1,
        "waitlisted": 0,
        "offered": 0,
        "cancelled": 1,
    }
    assert after["by_country"] == before["by_country"]
    # The organization went with the name; the person still counts, as unknown.
    assert after["by_organization"] == [
        {"value": "Fundacja Ślad", "registered": 1, "attended": 1},
        {"value": "unknown", "registered": 1, "attended": 1},
    ]

    text = await _pdf(door, "attendance.pdf")
    assert "2 — (dane usunięte / erased)" in text, text
    assert "Ślusarz" not in text and "Paweł" not in text
    assert "Uczestników / Participants: 2 · Obecnych / Checked in: 2" in text


async def test_who_is_inside_prints_each_list_with_its_people(
    service_client: Any, servers: Any
) -> None:
    door, people = await _event_with_people(service_client, servers)
    lucja = await door.scan(people["lucja"], gate="hall-a")
    await door.scan(people["lucja"], "ai", gate="room-1")
    zenon = await door.scan(people["zenon"], gate="hall-b")
    await door.scan(people["marek"])
    assert (await door.scan(people["marek"], direction="out"))["result"] == "exited"

    r = await _get(door, "inside.pdf")
    assert r.headers["Content-Disposition"] == f'inline; filename="inside-{door.slug}.pdf"'
    text = pdf_text(await r.read())
    for expected in (
        "Kto jest w środku / Who is inside",
        "Razem na wszystkich listach / Total on all lists: 3",
        "Main entrance (main): 2",
        f"1 =Zenon Zięba {_printed(zenon['scanned_at'])} hall-b",
        f"2 Łucja Nowak {_printed(lucja['scanned_at'])} hall-a",
        "Workshop ai (ai): 1",
        "Obecny Present",
        "Wygenerowano / Generated:",
        "Europe/Warsaw",
    ):
        assert expected in text, (expected, text)
    assert "Marek" not in text and "Workshop iot" not in text

    text = await _pdf(door, "inside.pdf?list=iot")
    assert "Workshop iot (iot): 0" in text and "Total on all lists: 0" in text, text
    assert "Łucja" not in text


async def test_reports_refuse_bad_tokens_events_sessions_and_lists(
    service_client: Any, servers: Any
) -> None:
    door = await _door(service_client, servers, sessions=[_session("ai", datetime.now(UTC))])
    other = await _door(service_client, servers)
    cases: list[tuple[str, dict[str, str], int, str]] = []
    for report in REPORTS:
        url = f"/api/v1/events/{door.slug}/{report}"
        cases += [
            (url, {}, 401, "unauthorized"),
            (url, auth(servers.token("door", [door.slug])), 403, "forbidden"),
            (url, auth(servers.token("organizer", [other.slug])), 403, "event_not_covered"),
            (f"/api/v1/events/no-such-event/{report}", door.organizer, 404, "event_not_found"),
            (f"/api/v1/events/BAD_SLUG!/{report}", door.organizer, 404, "event_not_found"),
        ]
    base = f"/api/v1/events/{door.slug}"
    for report in ("attendance.csv", "attendance.pdf"):
        cases += [
            (f"{base}/{report}?session=nope", door.organizer, 404, "session_not_found"),
            (f"{base}/{report}?session=main", door.organizer, 404, "session_not_found"),
            (f"{base}/{report}?session=Bad%20Slug", door.organizer, 400, "validation_failed"),
        ]
    cases.append((f"{base}/inside.pdf?list=nope", door.organizer, 404, "list_not_found"))
    for url, headers, status, code in cases:
        r = await door.checkin.get(url, headers=headers)
        assert (r.status, r.content_type) == (status, PROBLEM), (url, await r.text())
        problem = await r.json()
        assert problem["code"] == code, url
        for error in problem.get("errors", []):
            assert error["field"] == "session", problem
            assert field_messages.polish(error["message"]) is not None, problem

    # An event nobody registered for: zeros everywhere, no rate.
    statistics = await _statistics(other)
    assert (statistics["registered"], statistics["attendance_rate"]) == (0, None)
    assert [b["registered"] for b in statistics["by_role"]] == [0] * 7
    assert await _csv(other, "attendance.csv") == []
    text = await _pdf(other, "inside.pdf")
    assert "Nikt nie jest w środku. / Nobody is inside." in text
