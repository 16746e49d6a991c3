"""SQL of the organizers' live dashboard, one function per statement.

Who is inside a list is lists/db.py select_inside_count (one definition); the checked-in
count is db.select_attendance's.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import asyncpg
import msgspec

from shared.events import LocalizedText

ARRIVAL_BUCKET_MINUTES = 5


class EventSeats(msgspec.Struct, frozen=True):
    capacity: int | None
    status: str | None


class StatusCount(msgspec.Struct, frozen=True):
    status: str
    count: int


class ListScans(msgspec.Struct, frozen=True):
    list_id: uuid.UUID
    entries: int  # accepted entries (a re-entry counts again)
    people: int  # distinct tickets that entered
    refused: int


class SessionRegistered(msgspec.Struct, frozen=True):
    slug: str
    registered: int


class GateScans(msgspec.Struct, frozen=True):
    gate: str
    accepted: int
    exited: int
    refused: int


class Arrivals(msgspec.Struct, frozen=True):
    gate: str
    bucket: datetime  # the start of a 5-minute bucket
    count: int


class RecentScan(msgspec.Struct, frozen=True):
    seq: int
    scanned_at: datetime
    gate: str
    list: str | None
    direction: str
    result: str
    holder_name: str | None
    message: LocalizedText | None


async def select_event_seats(conn: asyncpg.Connection, event_id: uuid.UUID) -> EventSeats:
    row = await conn.fetchrow("SELECT capacity, status FROM events WHERE id = $1", event_id)
    return EventSeats(row["capacity"], row["status"]) if row else EventSeats(None, None)


async def select_registration_counts(
    conn: asyncpg.Connection, event_id: uuid.UUID
) -> list[StatusCount]:
    rows = await conn.fetch(
        "SELECT status, count(*) AS count FROM registrations WHERE event_id = $1"
        " GROUP BY status ORDER BY status",
        event_id,
    )
    return [StatusCount(r["status"], r["count"]) for r in rows]


async def select_no_shows(conn: asyncpg.Connection, event_id: uuid.UUID) -> int:
    """Confirmed registrations holding a valid ticket that never entered the main list."""
    value = await conn.fetchval(
        "SELECT count(*) FROM tickets t JOIN registrations r ON r.id = t.registration_id"
        " WHERE t.event_id = $1 AND t.known AND t.status = 'valid' AND r.status = 'confirmed'"
        " AND NOT EXISTS (SELECT 1 FROM scans s JOIN lists l ON l.id = s.list_id"
        "  WHERE s.ticket_id = t.id AND l.event_id = $1 AND l.slug = 'main'"
        "  AND s.result = 'accepted')",
        event_id,
    )
    return int(value)


async def select_list_scans(conn: asyncpg.Connection, event_id: uuid.UUID) -> list[ListScans]:
    rows = await conn.fetch(
        "SELECT list_id, count(*) FILTER (WHERE result = 'accepted') AS entries,"
        " count(DISTINCT ticket_id) FILTER (WHERE result = 'accepted') AS people,"
        " count(*) FILTER (WHERE result NOT IN ('accepted', 'exited')) AS refused"
        " FROM scans WHERE event_id = $1 AND list_id IS NOT NULL GROUP BY list_id",
        event_id,
    )
    return [msgspec.convert(dict(r), ListScans) for r in rows]


async def select_session_registered(
    conn: asyncpg.Connection, event_id: uuid.UUID
) -> list[SessionRegistered]:
    """Confirmed registrations holding a confirmed place in each session."""
    rows = await conn.fetch(
        "SELECT s.slug, count(*) AS registered FROM registrations r, unnest(r.sessions) AS s(slug)"
        " WHERE r.event_id = $1 AND r.status = 'confirmed' GROUP BY s.slug ORDER BY s.slug",
        event_id,
    )
    return [SessionRegistered(r["slug"], r["registered"]) for r in rows]


async def select_gate_scans(conn: asyncpg.Connection, event_id: uuid.UUID) -> list[GateScans]:
    rows = await conn.fetch(
        "SELECT gate, count(*) FILTER (WHERE result = 'accepted') AS accepted,"
        " count(*) FILTER (WHERE result = 'exited') AS exited,"
        " count(*) FILTER (WHERE result NOT IN ('accepted', 'exited')) AS refused"
        " FROM scans WHERE event_id = $1 GROUP BY gate ORDER BY gate",
        event_id,
    )
    return [msgspec.convert(dict(r), GateScans) for r in rows]


async def select_arrivals(
    conn: asyncpg.Connection, event_id: uuid.UUID, buckets: int
) -> list[Arrivals]:
    """Accepted entries per gate and 5-minute bucket, over the ``buckets`` buckets that end
    with the latest one holding an entry."""
    rows = await conn.fetch(
        "WITH binned AS (SELECT gate, date_bin($2::interval, scanned_at,"
        "  '2000-01-01 00:00+00') AS bucket FROM scans"
        "  WHERE event_id = $1 AND result = 'accepted')"
        " SELECT gate, bucket, count(*) AS count FROM binned"
        " WHERE bucket > (SELECT max(bucket) FROM binned) - $2::interval * $3"
        " GROUP BY gate, bucket ORDER BY gate, bucket",
        event_id,
        timedelta(minutes=ARRIVAL_BUCKET_MINUTES),
        buckets,
    )
    return [Arrivals(r["gate"], r["bucket"], r["count"]) for r in rows]


async def select_recent_scans(
    conn: asyncpg.Connection, event_id: uuid.UUID, limit: int
) -> list[RecentScan]:
    """The latest scans of the event, refused ones too, newest first; the holder's name
    as it is now (None once erased)."""
    rows = await conn.fetch(
        "SELECT s.seq, s.scanned_at, s.gate, coalesce(l.archived_slug, l.slug) AS list,"
        " s.direction, s.result, t.holder_name, (s.response -> 'message')::text AS message"
        " FROM scans s LEFT JOIN lists l ON l.id = s.list_id"
        " LEFT JOIN tickets t ON t.id = s.ticket_id"
        # By scan time (the index on event and time): an offline upload takes its place
        # at the moment it was scanned.
        " WHERE s.event_id = $1 ORDER BY s.scanned_at DESC, s.seq DESC LIMIT $2",
        event_id,
        limit,
    )
    return [
        RecentScan(
            seq=r["seq"],
            scanned_at=r["scanned_at"],
            gate=r["gate"],
            list=r["list"],
            direction=r["direction"],
            result=r["result"],
            holder_name=r["holder_name"],
            message=msgspec.json.decode(r["message"], type=LocalizedText | None)
            if r["message"]
            else None,
        )
        for r in rows
    ]
