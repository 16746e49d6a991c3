"""Attendance evidence: attendance lists, participant statistics, who is inside (the
rows of their CSV files, their PDFs).

PDFs are rendered in a worker thread: a long list takes a good fraction of a second, which
door scans must not wait for.
"""

from __future__ import annotations

import asyncio
import unicodedata
from datetime import UTC, datetime
from typing import Any

import asyncpg
import msgspec

from services.checkin.evidence import report_pdf, reports_db
from services.checkin.lists import db as lists_db
from services.checkin.lists.db import MAIN_LIST
from services.checkin.lists.texts import LIST_NOT_FOUND
from shared.refusals import EVENT_NOT_FOUND, SESSION_NOT_FOUND, VALIDATION_FAILED, FieldError
from shared.slugs import SLUG_PATTERN, is_slug
from shared.timefmt import VENUE_TZ

ERASED_CSV = "— (erased)"
# Polish alphabetical order: each of these letters follows its base letter (ź before ż).
POLISH_LETTERS = {
    "ą": ("a", 1),
    "ć": ("c", 1),
    "ę": ("e", 1),
    "ł": ("l", 1),
    "ń": ("n", 1),
    "ó": ("o", 1),
    "ś": ("s", 1),
    "ź": ("z", 1),
    "ż": ("z", 2),
}
ATTENDANCE_CSV_COLUMNS = [
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

STATISTICS_COLUMNS = ["dimension", "value", "registered", "attended"]


def polish_key(name: str) -> tuple[list[tuple[str, int]], str]:
    """Sort key of a name in Polish alphabetical order, case and other accents aside."""
    letters = []
    for char in name.casefold():
        if char in POLISH_LETTERS:
            letters.append(POLISH_LETTERS[char])
        else:
            base = unicodedata.normalize("NFD", char)[0] if char.isalpha() else char
            letters.append((base, 0))
    return letters, name


async def event_details(pool: asyncpg.Pool, slug: str) -> reports_db.EventDetails:
    event = await reports_db.select_event_details(pool, slug) if is_slug(slug) else None
    if event is None:
        raise EVENT_NOT_FOUND(slug=slug)
    return event


def _header(event: reports_db.EventDetails, now: datetime) -> report_pdf.Header:
    return report_pdf.Header(
        event_pl=event.name.pl,
        event_en=event.name.en,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        venue=event.venue,
        generated_at=now,
    )


class Attendance(msgspec.Struct, frozen=True):
    event: reports_db.EventDetails
    session: lists_db.ListRow | None
    rows: list[reports_db.AttendanceRow]
    session_names: dict[str, str]

    def filename(self, extension: str) -> str:
        suffix = f"-{self.session.slug}" if self.session else ""
        return f"attendance-{self.event.slug}{suffix}.{extension}"


async def attendance(pool: asyncpg.Pool, slug: str, session_slug: str | None) -> Attendance:
    """Every participant of the main list or of a session's, in Polish alphabetical order."""
    event = await event_details(pool, slug)
    lists = await lists_db.select_lists(pool, event.id)
    sessions = {item.slug: item for item in lists if item.origin == "session"}
    session: lists_db.ListRow | None = None
    if session_slug is not None:
        if not is_slug(session_slug):
            raise VALIDATION_FAILED(
                # msgspec's wording, which every problem can give in Polish too.
                errors=[FieldError("session", f"Expected `str` matching regex {SLUG_PATTERN!r}")],
            )
        session = sessions.get(session_slug)
        if session is None:
            raise SESSION_NOT_FOUND(slug=session_slug)
    main = next((item for item in lists if item.slug == MAIN_LIST), None)
    listed = session if session_slug is not None else main
    rows = await reports_db.select_attendance_rows(
        pool, event.id, listed.id if listed else None, session_slug
    )
    rows.sort(key=_order)
    return Attendance(event, session, rows, {s.slug: s.name for s in sessions.values()})


def _order(row: reports_db.AttendanceRow) -> tuple[Any, ...]:
    """Names in Polish alphabetical order; erased rows last, in order of arrival."""
    arrived = row.first_checkin or datetime.max.replace(tzinfo=UTC)
    return (
        row.erased,
        polish_key(row.holder_name or ""),
        arrived,
        row.registration_id,
    )


def _local_iso(moment: datetime | None) -> str:
    return moment.astimezone(VENUE_TZ).isoformat(timespec="seconds") if moment else ""


def attendance_rows(attended: Attendance) -> list[list[object]]:
    """Every participant of the list, checked in or not (the checked_in column tells)."""
    return [
        [
            number,
            r.registration_id,
            ERASED_CSV if r.erased else r.holder_name or "—",
            "" if r.erased else r.organization or "",
            "" if r.erased else r.country or "",
            "" if r.erased else r.role or "",
            r.ticket_type or "",
            r.status,
            "yes" if r.first_checkin else "no",
            _local_iso(r.first_checkin),
            " ".join(r.sessions_attended),
            "yes" if r.erased else "no",
        ]
        for number, r in enumerate(attended.rows, 1)
    ]


async def attendance_pdf(attended: Attendance) -> bytes:
    """The list to sign: every participant, with an empty signature box each."""
    lines = [
        report_pdf.AttendanceLine(
            name=None if r.erased else r.holder_name or "—",
            organization="" if r.erased else r.organization or "",
            country="" if r.erased else r.country or "",
            first_checkin=r.first_checkin,
            sessions=r.sessions_attended,
        )
        for r in attended.rows
    ]
    session = attended.session
    pdf = await asyncio.to_thread(
        report_pdf.render_attendance_pdf,
        _header(attended.event, datetime.now(UTC)),
        lines,
        f"{session.name} ({session.slug})" if session else None,
        attended.session_names,
    )
    return pdf


async def statistics(pool: asyncpg.Pool, slug: str) -> tuple[str, reports_db.Statistics]:
    """An event's slug and its participant statistics."""
    event = await event_details(pool, slug)
    return event.slug, await reports_db.select_statistics(pool, event.id)


def statistics_body(slug: str, counted: reports_db.Statistics) -> dict[str, Any]:
    return {"event": slug, **msgspec.to_builtins(counted)}


def statistics_rows(statistics: reports_db.Statistics) -> list[list[object]]:
    """The statistics in a tidy long format: dimension, value, registered, attended."""
    counts = msgspec.to_builtins(statistics.registrations)
    rows: list[list[object]] = [
        ["total", "participants", statistics.registered, statistics.checked_in]
    ]
    rows += [["status", status, count, ""] for status, count in counts.items()]
    for dimension, items in (
        ("country", statistics.by_country),
        ("role", statistics.by_role),
        ("organization", statistics.by_organization),
        ("ticket_type", statistics.by_ticket_type),
    ):
        rows += [[dimension, b.value, b.registered, b.attended] for b in items]
    rows += [["session", s.slug, s.registered, s.attended] for s in statistics.sessions]
    return rows


def _inside_name(person: lists_db.Inside) -> str:
    # No name: erased, or a ticket scanned before checkin heard of it; the ticket number
    # still tells staff who to look for.
    return person.holder_name or f"— ({str(person.ticket_id)[:8]})"


async def inside_pdf(pool: asyncpg.Pool, slug: str, list_slug: str | None) -> tuple[str, bytes]:
    """Who is inside now, per list (``?list=`` one list, shown even if empty)."""
    event = await event_details(pool, slug)
    if list_slug is None:
        lists = await lists_db.select_lists(pool, event.id)
    else:
        listed = (
            await lists_db.select_list(pool, event.id, list_slug) if is_slug(list_slug) else None
        )
        if listed is None:
            raise LIST_NOT_FOUND(list=list_slug)
        lists = [listed]
    sections = []
    for item in lists:
        people = await lists_db.select_inside(pool, item.id)
        if not people and list_slug is None:
            continue
        lines = sorted(
            (report_pdf.InsideLine(_inside_name(p), p.entered_at, p.gate) for p in people),
            key=lambda line: polish_key(line.name),
        )
        sections.append(report_pdf.InsideSection(f"{item.name} ({item.slug})", lines))
    pdf = await asyncio.to_thread(
        report_pdf.render_inside_pdf, _header(event, datetime.now(UTC)), sections
    )
    return f"inside-{event.slug}.pdf", pdf
