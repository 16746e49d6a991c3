"""SQL of the organizers' evidence: attendance lists and participant statistics.

A participant is a registration that is confirmed, or that checked in (on the list asked
about) and was cancelled or erased afterwards: whoever came stays in the evidence.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from shared.events import LocalizedText

ROLES = ("student", "academic_staff", "teacher", "company", "public_body", "other", "unknown")
STATUSES = ("confirmed", "waitlisted", "offered", "cancelled")
UNKNOWN = "unknown"

# Each registration's first accepted entry on each list of the event, through any of its
# tickets: one pass over the event's scans (scans_by_event).
_ENTRIES = (
    "SELECT t.registration_id, s.list_id, min(s.scanned_at) AS first_at"
    " FROM scans s JOIN tickets t ON t.id = s.ticket_id"
    " WHERE s.event_id = $1 AND s.result = 'accepted' AND t.registration_id IS NOT NULL"
    " GROUP BY t.registration_id, s.list_id"
)


class EventDetails(msgspec.Struct, frozen=True):
    id: uuid.UUID
    slug: str
    name: LocalizedText
    starts_at: datetime
    ends_at: datetime
    venue: str


class AttendanceRow(msgspec.Struct, frozen=True):
    """One participant on an attendance list; names are None once erased."""

    registration_id: uuid.UUID
    holder_name: str | None
    organization: str | None
    country: str | None
    role: str | None
    ticket_type: str | None
    status: str
    erased: bool
    first_checkin: datetime | None
    sessions_attended: list[str]


class RegistrationCounts(msgspec.Struct, frozen=True):
    confirmed: int = 0
    waitlisted: int = 0
    offered: int = 0
    cancelled: int = 0


class Breakdown(msgspec.Struct, frozen=True):
    value: str
    registered: int
    attended: int


class SessionCount(msgspec.Struct, frozen=True):
    slug: str
    name: str
    registered: int
    attended: int


class Statistics(msgspec.Struct, frozen=True):
    """An event's participants: ``registered`` counts participants (see the module),
    ``checked_in`` those of them with an entry on the main list, and each breakdown
    counts participants (``registered``) and those who checked in (``attended``)."""

    registrations: RegistrationCounts
    registered: int
    checked_in: int
    attendance_rate: float | None
    by_country: list[Breakdown]
    by_role: list[Breakdown]
    by_organization: list[Breakdown]
    by_ticket_type: list[Breakdown]
    sessions: list[SessionCount]


async def select_event_details(
    conn: asyncpg.Connection | asyncpg.Pool, slug: str
) -> EventDetails | None:
    row = await conn.fetchrow(
        "SELECT id, slug, name::text AS name, starts_at, ends_at, venue FROM events"
        " WHERE slug = $1",
        slug,
    )
    if row is None:
        return None
    values = dict(row)
    values["name"] = msgspec.json.decode(values["name"], type=LocalizedText)
    return EventDetails(**values)


async def select_attendance_rows(
    conn: asyncpg.Connection | asyncpg.Pool,
    event_id: uuid.UUID,
    list_id: uuid.UUID | None,
    session: str | None,
) -> list[AttendanceRow]:
    """The participants of the list ``list_id`` (None: nobody checked in): registrations
    with a ticket that are confirmed (for ``session``, with a confirmed place in it) or
    checked in on the list. Unordered: the caller sorts by name."""
    rows = await conn.fetch(
        f"WITH entries AS ({_ENTRIES}),"
        # Registrations older than the attendee read model have no name of their own:
        # their ticket's is taken (erasure clears both).
        " ticketed AS (SELECT registration_id, max(holder_name) AS holder_name FROM tickets"
        "  WHERE event_id = $1 AND registration_id IS NOT NULL GROUP BY registration_id),"
        " sessions AS (SELECT e.registration_id, array_agg(l.slug ORDER BY l.slug) AS slugs"
        "  FROM entries e JOIN lists l ON l.id = e.list_id WHERE l.origin = 'session'"
        "  GROUP BY e.registration_id)"
        " SELECT r.id AS registration_id,"
        "  CASE WHEN r.erased THEN NULL ELSE coalesce(r.holder_name, ticketed.holder_name) END"
        "   AS holder_name, r.organization, r.country, r.role,"
        "  r.ticket_type, r.status, r.erased, here.first_at AS first_checkin,"
        "  coalesce(sessions.slugs, '{}') AS sessions_attended"
        " FROM registrations r JOIN ticketed ON ticketed.registration_id = r.id"
        " LEFT JOIN entries here ON here.registration_id = r.id AND here.list_id = $2"
        " LEFT JOIN sessions ON sessions.registration_id = r.id"
        " WHERE r.event_id = $1"
        "  AND ((r.status = 'confirmed' AND ($3::text IS NULL OR $3 = ANY(r.sessions)))"
        "   OR here.first_at IS NOT NULL)",
        event_id,
        list_id,
        session,
    )
    return [msgspec.convert(dict(r), AttendanceRow) for r in rows]


async def select_statistics(
    conn: asyncpg.Connection | asyncpg.Pool, event_id: uuid.UUID
) -> Statistics:
    """Every count of the event's statistics, from one statement (one snapshot)."""
    rows = await conn.fetch(
        f"WITH entries AS ({_ENTRIES}),"
        " main AS (SELECT id FROM lists WHERE event_id = $1 AND origin = 'main'),"
        " people AS (SELECT r.id, r.status, r.country, r.role, r.organization, r.ticket_type,"
        "  r.id IN (SELECT registration_id FROM entries WHERE list_id IN (SELECT id FROM main))"
        "   AS attended"
        "  FROM registrations r WHERE r.event_id = $1),"
        " participants AS (SELECT * FROM people WHERE status = 'confirmed' OR attended)"
        " SELECT 'status' AS dimension, status AS value, NULL::text AS label,"
        "  count(*) AS registered, count(*) FILTER (WHERE attended) AS attended"
        "  FROM people GROUP BY status"
        " UNION ALL SELECT 'country', upper(nullif(btrim(country), '')), NULL,"
        "  count(*), count(*) FILTER (WHERE attended) FROM participants GROUP BY 2"
        " UNION ALL SELECT 'role', nullif(role, ''), NULL,"
        "  count(*), count(*) FILTER (WHERE attended) FROM participants GROUP BY 2"
        # Spellings that differ only in case or surrounding spaces are one organization,
        # named by its most frequent spelling.
        " UNION ALL SELECT 'organization',"
        "  mode() WITHIN GROUP (ORDER BY nullif(btrim(organization), '')), NULL,"
        "  count(*), count(*) FILTER (WHERE attended) FROM participants"
        "  GROUP BY lower(nullif(btrim(organization), ''))"
        " UNION ALL SELECT 'ticket_type', ticket_type, NULL,"
        "  count(*), count(*) FILTER (WHERE attended) FROM participants GROUP BY 2"
        " UNION ALL SELECT 'session', l.slug, l.name,"
        "  (SELECT count(*) FROM registrations r WHERE r.event_id = $1"
        "   AND ((r.status = 'confirmed' AND l.slug = ANY(r.sessions))"
        "    OR r.id IN (SELECT registration_id FROM entries WHERE list_id = l.id))),"
        "  (SELECT count(*) FROM entries WHERE list_id = l.id)"
        "  FROM lists l WHERE l.event_id = $1 AND l.origin = 'session'",
        event_id,
    )
    return _statistics(rows)


def _statistics(rows: list[Any]) -> Statistics:
    by: dict[str, list[Breakdown]] = {}
    statuses: dict[str, int] = {}
    sessions: list[SessionCount] = []
    registered = checked_in = 0
    for row in rows:
        dimension, value = row["dimension"], row["value"] or UNKNOWN
        if dimension == "status":
            statuses[value] = row["registered"]
            # Participants: the confirmed, and whoever checked in and cancelled later.
            if value == "confirmed":
                registered += row["registered"]
                checked_in += row["attended"]
            else:
                registered += row["attended"]
                checked_in += row["attended"]
        elif dimension == "session":
            sessions.append(SessionCount(value, row["label"], row["registered"], row["attended"]))
        else:
            by.setdefault(dimension, []).append(
                Breakdown(value, row["registered"], row["attended"])
            )
    roles = {b.value: b for b in by.get("role", [])}
    by["role"] = [roles.pop(r, Breakdown(r, 0, 0)) for r in ROLES] + sorted(
        roles.values(), key=lambda b: b.value
    )
    return Statistics(
        registrations=RegistrationCounts(**{s: statuses.get(s, 0) for s in STATUSES}),
        registered=registered,
        checked_in=checked_in,
        attendance_rate=round(checked_in / registered, 4) if registered else None,
        by_country=_ordered(by.get("country", [])),
        by_role=by["role"],
        by_organization=_ordered(by.get("organization", [])),
        by_ticket_type=_ordered(by.get("ticket_type", [])),
        sessions=sorted(sessions, key=lambda s: s.slug),
    )


def _ordered(items: list[Breakdown]) -> list[Breakdown]:
    """Largest first, then by value; unknown last."""
    return sorted(items, key=lambda b: (b.value == UNKNOWN, -b.registered, b.value.casefold()))
