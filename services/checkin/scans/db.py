"""SQL of scans: the scan history, the batched context read and write, one function per
statement."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from shared import outbox


class TicketRow(msgspec.Struct, frozen=True):
    id: uuid.UUID
    event_id: uuid.UUID
    registration_id: uuid.UUID | None
    holder_name: str | None
    status: str
    known: bool


class Attendance(msgspec.Struct, frozen=True):
    registered: int
    tickets: int
    checked_in: int
    scans: int
    refused: int


async def insert_ticket_placeholder(
    conn: asyncpg.Connection, ticket_id: uuid.UUID, event_id: uuid.UUID
) -> None:
    await conn.execute(
        "INSERT INTO tickets (id, event_id, status, known) VALUES ($1, $2, 'valid', false)"
        " ON CONFLICT (id) DO NOTHING",
        ticket_id,
        event_id,
    )


async def select_ticket_for_update(conn: asyncpg.Connection, ticket_id: uuid.UUID) -> TicketRow:
    row = await conn.fetchrow(
        "SELECT id, event_id, registration_id, holder_name, status, known FROM tickets"
        " WHERE id = $1 FOR UPDATE",
        ticket_id,
    )
    return msgspec.convert(dict(row), TicketRow)


async def select_scan_response(
    conn: asyncpg.Connection | asyncpg.Pool, scan_id: uuid.UUID
) -> bytes | None:
    value = await conn.fetchval("SELECT response::text FROM scans WHERE scan_id = $1", scan_id)
    return value.encode() if isinstance(value, str) else None


class Scan(msgspec.Struct, frozen=True):
    """One row of the scan history, refused scans included."""

    scan_id: uuid.UUID
    result: str
    gate: str
    device_id: str | None
    token_id: str
    scanned_at: datetime
    response: bytes
    ticket_id: uuid.UUID | None = None
    event_id: uuid.UUID | None = None
    list_id: uuid.UUID | None = None
    direction: str = "in"
    entry_key: str = ""


async def insert_scan(conn: asyncpg.Connection | asyncpg.Pool, scan: Scan) -> int | None:
    """Record a scan; its sequence number, or None if this scan_id was already recorded."""
    seq = await conn.fetchval(
        "INSERT INTO scans (scan_id, result, ticket_id, event_id, list_id, gate, device_id,"
        " direction, entry_key, token_id, scanned_at, response)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        " ON CONFLICT (scan_id) DO NOTHING RETURNING seq",
        scan.scan_id,
        scan.result,
        scan.ticket_id,
        scan.event_id,
        scan.list_id,
        scan.gate,
        scan.device_id,
        scan.direction,
        scan.entry_key,
        scan.token_id,
        scan.scanned_at,
        scan.response.decode(),
    )
    return seq if isinstance(seq, int) else None


async def select_attendance(
    conn: asyncpg.Connection | asyncpg.Pool, event_id: uuid.UUID
) -> Attendance:
    row: Any = await conn.fetchrow(
        "SELECT"
        " (SELECT count(*) FROM registrations WHERE event_id = $1 AND status = 'confirmed')"
        "   AS registered,"
        " (SELECT count(*) FROM tickets WHERE event_id = $1 AND known AND status = 'valid')"
        "   AS tickets,"
        " (SELECT count(DISTINCT s.ticket_id) FROM scans s JOIN lists l ON l.id = s.list_id"
        "   WHERE l.event_id = $1 AND l.slug = 'main' AND s.result = 'accepted') AS checked_in,"
        " (SELECT count(*) FROM scans WHERE event_id = $1) AS scans,"
        " (SELECT count(*) FROM scans WHERE event_id = $1 AND result <> 'accepted') AS refused",
        event_id,
    )
    return msgspec.convert(dict(row), Attendance)


class ScanContext(msgspec.Struct, frozen=True):
    """Everything a scan's verdict needs, read in one statement without locks.

    ``seq`` is the scan's sequence number, drawn ahead so that the check-in event can be
    built before the one statement that records both. Columns are None when their row
    does not exist (an unknown ticket, event or list).
    """

    seq: int
    replay: str | None
    ticket_status: str | None
    holder_name: str | None
    registration_id: uuid.UUID | None
    known: bool | None
    event_slug: str | None
    event_name: str | None
    list_slug: str
    list_id: uuid.UUID | None
    policy: str | None
    list_sessions: list[str] | None
    list_ticket_types: list[str] | None
    valid_from: datetime | None
    valid_until: datetime | None
    limit: int | None
    enforce_limit: bool | None
    ticket_type: str | None
    confirmed_sessions: list[str] | None
    entries: int
    inside: bool
    first: tuple[datetime, str, str | None] | None
    last: tuple[datetime, str, str | None] | None


class ScanKey(msgspec.Struct, frozen=True):
    """What a scan's context is looked up by."""

    scan_id: uuid.UUID
    ticket_id: uuid.UUID
    event_id: uuid.UUID
    list_slug: str | None  # None: the list the gate is mapped to, else the main list
    gate: str


async def select_scan_contexts(conn: asyncpg.Connection, keys: list[ScanKey]) -> list[ScanContext]:
    """The contexts of several scans in one round trip, in the order of ``keys``."""
    rows = await conn.fetch(
        "SELECT nextval(pg_get_serial_sequence('scans', 'seq')) AS seq,"
        " (SELECT response::text FROM scans WHERE scan_id = q.scan_id) AS replay,"
        " t.status AS ticket_status, t.holder_name, t.registration_id, t.known,"
        " e.slug AS event_slug, e.name::text AS event_name,"
        " coalesce(l.slug, q.list, 'main') AS list_slug,"
        " l.id AS list_id, l.policy, l.sessions AS list_sessions,"
        " l.ticket_types AS list_ticket_types, l.valid_from, l.valid_until,"
        ' l.entry_limit AS "limit", l.enforce_limit,'
        " r.ticket_type, r.sessions AS confirmed_sessions,"
        " coalesce(h.entries, 0) AS entries, coalesce(h.inside, false) AS inside,"
        " h.first, h.last"
        " FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[])"
        "  WITH ORDINALITY AS q(scan_id, ticket_id, event_id, list, gate, i)"
        " LEFT JOIN tickets t ON t.id = q.ticket_id"
        " LEFT JOIN events e ON e.id = q.event_id"
        " LEFT JOIN lists l ON l.event_id = q.event_id AND l.archived_at IS NULL"
        "  AND l.slug = coalesce(q.list, (SELECT g.slug FROM lists g"
        "   WHERE g.event_id = q.event_id AND g.archived_at IS NULL"
        "   AND g.gates @> ARRAY[q.gate] ORDER BY g.slug LIMIT 1), 'main')"
        " LEFT JOIN registrations r ON r.id = t.registration_id"
        " LEFT JOIN LATERAL ("
        "  WITH mine AS (SELECT seq, result, direction, scanned_at, gate, device_id FROM scans"
        "   WHERE list_id = l.id AND ticket_id = q.ticket_id"
        "   AND result IN ('accepted', 'exited'))"
        "  SELECT (SELECT count(*) FROM mine WHERE result = 'accepted') AS entries,"
        "   (SELECT direction = 'in' FROM mine ORDER BY seq DESC LIMIT 1) AS inside,"
        "   (SELECT row(scanned_at, gate, device_id) FROM mine WHERE result = 'accepted'"
        "    ORDER BY seq LIMIT 1) AS first,"
        "   (SELECT row(scanned_at, gate, device_id) FROM mine WHERE result = 'accepted'"
        "    ORDER BY seq DESC LIMIT 1) AS last"
        " ) AS h ON l.id IS NOT NULL"
        " ORDER BY q.i",
        [k.scan_id for k in keys],
        [k.ticket_id for k in keys],
        [k.event_id for k in keys],
        [k.list_slug for k in keys],
        [k.gate for k in keys],
    )
    contexts = []
    for row in rows:
        values = dict(row)
        for key in ("first", "last"):
            if values[key] is not None:
                values[key] = tuple(values[key])
        contexts.append(ScanContext(**values))
    return contexts


async def warm_batch_statements(conn: asyncpg.Connection) -> None:
    """The scan batcher's two statements, run with no scans (shared.db.warm_up)."""
    await select_scan_contexts(conn, [])
    await insert_scans_at(conn, [])


class Planned(msgspec.Struct, frozen=True):
    """A scan decided without locks, to be written under its drawn sequence number."""

    seq: int
    scan: Scan
    event: outbox.Prepared | None


async def insert_scans_at(conn: asyncpg.Connection, planned: list[Planned]) -> set[int]:
    """Record scans under their drawn sequence numbers, and their events in the outbox, in
    one statement; the sequence numbers of those written. One whose scan_id or, for an
    entry, entry key is taken already (by an earlier row too) is not written."""
    rows = await conn.fetch(
        "WITH scan AS (INSERT INTO scans (seq, scan_id, result, ticket_id, event_id, list_id,"
        "  gate, device_id, direction, entry_key, token_id, scanned_at, response)"
        "  SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::uuid[], $5::uuid[],"
        "   $6::uuid[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],"
        "   $12::timestamptz[], $13::jsonb[])"
        "  ON CONFLICT DO NOTHING RETURNING seq),"
        " sent AS (INSERT INTO outbox (id, subject, payload)"
        "  SELECT o.id, o.subject, o.payload"
        "  FROM unnest($1::bigint[], $14::uuid[], $15::text[], $16::bytea[]) AS o(seq, id,"
        "   subject, payload)"
        "  JOIN scan ON scan.seq = o.seq WHERE o.id IS NOT NULL ORDER BY o.seq)"
        " SELECT seq FROM scan",
        [p.seq for p in planned],
        [p.scan.scan_id for p in planned],
        [p.scan.result for p in planned],
        [p.scan.ticket_id for p in planned],
        [p.scan.event_id for p in planned],
        [p.scan.list_id for p in planned],
        [p.scan.gate for p in planned],
        [p.scan.device_id for p in planned],
        [p.scan.direction for p in planned],
        [p.scan.entry_key for p in planned],
        [p.scan.token_id for p in planned],
        [p.scan.scanned_at for p in planned],
        [p.scan.response.decode() for p in planned],
        [p.event.id if p.event else None for p in planned],
        [p.event.subject if p.event else None for p in planned],
        [p.event.payload if p.event else None for p in planned],
    )
    return {r["seq"] for r in rows}


async def insert_manual_scan(
    conn: asyncpg.Connection,
    scan_id: uuid.UUID,
    registration_id: uuid.UUID,
    reason: str,
    recorded_by: str,
    recorded_by_name: str,
) -> None:
    await conn.execute(
        "INSERT INTO manual_scans (scan_id, registration_id, reason, recorded_by,"
        " recorded_by_name) VALUES ($1, $2, $3, $4, $5)",
        scan_id,
        registration_id,
        reason,
        recorded_by,
        recorded_by_name,
    )
