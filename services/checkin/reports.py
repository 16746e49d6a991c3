"""Attendance evidence: attendance lists, participant statistics, who is inside (CSV, PDF).

CSV files are UTF-8 with a byte-order mark (Excel in Poland reads Polish letters right only
with it); a cell that starts with = + - @ (or a tab or carriage return) gets a leading
apostrophe, so a name cannot become a spreadsheet formula. PDFs are rendered in a worker
thread: a long list takes a good fraction of a second, which door scans must not wait for.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec
from aiohttp import web

from services.checkin import lists_db, report_pdf, reports_db
from services.checkin.consumers import MAIN_LIST
from shared.http import ProblemError, json_response
from shared.keys import DB_POOL
from shared.refusals import FieldError
from shared.slugs import SLUG_PATTERN, is_slug
from shared.spreadsheet import csv_bytes
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
NO_CACHE = {"Cache-Control": "private, no-store"}  # personal data, changed by erasure
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


def csv_response(
    header: Sequence[str], rows: Iterable[Sequence[object]], filename: str
) -> web.Response:
    return web.Response(
        body=csv_bytes(header, rows),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', **NO_CACHE},
    )


def _pdf_response(pdf: bytes, filename: str) -> web.Response:
    return web.Response(
        body=pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"', **NO_CACHE},
    )


async def _event(request: web.Request) -> reports_db.EventDetails:
    slug = request.match_info["slug"]
    event = (
        await reports_db.select_event_details(request.app[DB_POOL], slug) if is_slug(slug) else None
    )
    if event is None:
        raise ProblemError(404, "event_not_found", f"There is no event {slug!r}.")
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


class _Attendance(msgspec.Struct, frozen=True):
    event: reports_db.EventDetails
    session: lists_db.ListRow | None
    rows: list[reports_db.AttendanceRow]
    session_names: dict[str, str]


async def _attendance(request: web.Request) -> _Attendance:
    event = await _event(request)
    pool = request.app[DB_POOL]
    session_slug = request.query.get("session")
    lists = await lists_db.select_lists(pool, event.id)
    sessions = {item.slug: item for item in lists if item.origin == "session"}
    session: lists_db.ListRow | None = None
    if session_slug is not None:
        if not is_slug(session_slug):
            raise ProblemError(
                400,
                "validation_failed",
                "The request has invalid fields.",
                # msgspec's wording, which every problem can give in Polish too.
                errors=[FieldError("session", f"Expected `str` matching regex {SLUG_PATTERN!r}")],
            )
        session = sessions.get(session_slug)
        if session is None:
            raise ProblemError(
                404, "session_not_found", f"This event has no session {session_slug!r}."
            )
    main = next((item for item in lists if item.slug == MAIN_LIST), None)
    listed = session if session_slug is not None else main
    rows = await reports_db.select_attendance_rows(
        pool, event.id, listed.id if listed else None, session_slug
    )
    rows.sort(key=_order)
    return _Attendance(event, session, rows, {s.slug: s.name for s in sessions.values()})


def _order(row: reports_db.AttendanceRow) -> tuple[Any, ...]:
    """Names in Polish alphabetical order; erased rows last, in order of arrival."""
    arrived = row.first_checkin or datetime.max.replace(tzinfo=UTC)
    return (
        row.erased,
        polish_key(row.holder_name or ""),
        arrived,
        row.registration_id,
    )


def _filename(attendance: _Attendance, extension: str) -> str:
    suffix = f"-{attendance.session.slug}" if attendance.session else ""
    return f"attendance-{attendance.event.slug}{suffix}.{extension}"


def _local_iso(moment: datetime | None) -> str:
    return moment.astimezone(VENUE_TZ).isoformat(timespec="seconds") if moment else ""


async def get_attendance_csv(request: web.Request) -> web.Response:
    """Every participant of the list, checked in or not (the checked_in column tells)."""
    attendance = await _attendance(request)
    rows = [
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
        for number, r in enumerate(attendance.rows, 1)
    ]
    return csv_response(ATTENDANCE_CSV_COLUMNS, rows, _filename(attendance, "csv"))


async def get_attendance_pdf(request: web.Request) -> web.Response:
    """The list to sign: every participant, with an empty signature box each."""
    attendance = await _attendance(request)
    lines = [
        report_pdf.AttendanceLine(
            name=None if r.erased else r.holder_name or "—",
            organization="" if r.erased else r.organization or "",
            country="" if r.erased else r.country or "",
            first_checkin=r.first_checkin,
            sessions=r.sessions_attended,
        )
        for r in attendance.rows
    ]
    session = attendance.session
    pdf = await asyncio.to_thread(
        report_pdf.render_attendance_pdf,
        _header(attendance.event, datetime.now(UTC)),
        lines,
        f"{session.name} ({session.slug})" if session else None,
        attendance.session_names,
    )
    return _pdf_response(pdf, _filename(attendance, "pdf"))


async def get_statistics(request: web.Request) -> web.Response:
    event = await _event(request)
    statistics = await reports_db.select_statistics(request.app[DB_POOL], event.id)
    body: dict[str, Any] = {"event": event.slug, **msgspec.to_builtins(statistics)}
    return json_response(body, headers=NO_CACHE)


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


async def get_statistics_csv(request: web.Request) -> web.Response:
    event = await _event(request)
    statistics = await reports_db.select_statistics(request.app[DB_POOL], event.id)
    return csv_response(
        ["dimension", "value", "registered", "attended"],
        statistics_rows(statistics),
        f"statistics-{event.slug}.csv",
    )


def _inside_name(person: lists_db.Inside) -> str:
    # No name: erased, or a ticket scanned before checkin heard of it; the ticket number
    # still tells staff who to look for.
    return person.holder_name or f"— ({str(person.ticket_id)[:8]})"


async def get_inside_pdf(request: web.Request) -> web.Response:
    """Who is inside now, per list (``?list=`` one list, shown even if empty)."""
    event = await _event(request)
    pool = request.app[DB_POOL]
    list_slug = request.query.get("list")
    if list_slug is None:
        lists = await lists_db.select_lists(pool, event.id)
    else:
        listed = (
            await lists_db.select_list(pool, event.id, list_slug) if is_slug(list_slug) else None
        )
        if listed is None:
            raise ProblemError(
                404, "list_not_found", f"This event has no check-in list {list_slug!r}."
            )
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
    return _pdf_response(pdf, f"inside-{event.slug}.pdf")
