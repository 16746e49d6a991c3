"""SQL of offline packs, uploaded scans and their conflicts, one function per statement.

``since`` is a pack cursor's snapshot (pg_snapshot text): a delta holds the rows written
by transactions that snapshot did not see (see migration 0003).
"""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
import msgspec

from shared.events import LocalizedText


class PackEvent(msgspec.Struct, frozen=True):
    id: uuid.UUID
    slug: str
    name: LocalizedText
    starts_at: datetime
    ends_at: datetime


class PackTicket(msgspec.Struct, frozen=True):
    id: uuid.UUID
    holder_name: str | None
    ticket_type: str | None
    sessions: list[str]
    status: str


class PackEntry(msgspec.Struct, frozen=True):
    ticket_id: uuid.UUID
    list: str
    at: datetime
    gate: str
    device_id: str | None


_CHANGED = "($2::text IS NULL OR NOT pg_visible_in_snapshot({}, $2::text::pg_snapshot))"


async def select_pack_event(conn: asyncpg.Connection, slug: str) -> tuple[PackEvent, str] | None:
    """The event and the snapshot the transaction reads under (the next cursor)."""
    row = await conn.fetchrow(
        "SELECT id, slug, name::text AS name, starts_at, ends_at,"
        " pg_current_snapshot()::text AS snapshot FROM events WHERE slug = $1",
        slug,
    )
    if row is None:
        return None
    event = PackEvent(
        id=row["id"],
        slug=row["slug"],
        name=msgspec.json.decode(row["name"], type=LocalizedText),
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
    )
    return event, row["snapshot"]


async def select_pack_tickets(
    conn: asyncpg.Connection, event_id: uuid.UUID, since: str | None
) -> tuple[list[PackTicket], list[uuid.UUID]]:
    """The event's issued tickets, and the ids of its revoked ones (issued or not)."""
    rows = await conn.fetch(
        "SELECT t.id, t.holder_name, r.ticket_type, coalesce(r.sessions, '{}') AS sessions,"
        " t.status, t.known"
        " FROM tickets t LEFT JOIN registrations r ON r.id = t.registration_id"
        " WHERE t.event_id = $1 AND ("
        + _CHANGED.format("t.changed_xid")
        + " OR (r.id IS NOT NULL AND "
        + _CHANGED.format("r.changed_xid")
        + ")) ORDER BY t.id",
        event_id,
        since,
    )
    tickets = [PackTicket(r[0], r[1], r[2], r[3], r[4]) for r in rows if r[5]]
    revoked = [r[0] for r in rows if r[4] == "revoked"]
    return tickets, revoked


async def select_pack_entries(
    conn: asyncpg.Connection, event_id: uuid.UUID, since: str | None
) -> list[PackEntry]:
    """Accepted entries of the event's tickets, in the order they were recorded."""
    rows = await conn.fetch(
        "SELECT s.ticket_id, l.slug, s.scanned_at, s.gate, s.device_id"
        " FROM scans s JOIN lists l ON l.id = s.list_id"
        " WHERE s.event_id = $1 AND s.result = 'accepted' AND "
        + _CHANGED.format("s.changed_xid")
        + " ORDER BY s.seq",
        event_id,
        since,
    )
    return [PackEntry(r[0], r[1], r[2], r[3], r[4]) for r in rows]


async def select_event_slugs(
    conn: asyncpg.Connection | asyncpg.Pool, event_ids: list[uuid.UUID]
) -> dict[uuid.UUID, str]:
    rows = await conn.fetch("SELECT id, slug FROM events WHERE id = ANY($1::uuid[])", event_ids)
    return {r["id"]: r["slug"] for r in rows}


async def insert_uploaded_scans(
    conn: asyncpg.Connection | asyncpg.Pool, scans: list[tuple[uuid.UUID, str | None]]
) -> None:
    """Mark scans as uploaded before they are recorded (a concurrent upload may need to
    know); a scan_id recorded online already stays an online scan."""
    await conn.execute(
        "INSERT INTO uploaded_scans (scan_id, local_result)"
        " SELECT u.scan_id, u.local_result"
        " FROM unnest($1::uuid[], $2::text[]) AS u (scan_id, local_result)"
        " WHERE NOT EXISTS (SELECT 1 FROM scans s WHERE s.scan_id = u.scan_id)"
        " ON CONFLICT (scan_id) DO NOTHING",
        [scan_id for scan_id, _ in scans],
        [local for _, local in scans],
    )


async def insert_conflict(
    conn: asyncpg.Connection | asyncpg.Pool,
    scan_id: uuid.UUID,
    other_at: datetime,
    entry_key: str | None = None,
) -> None:
    """Record a refused uploaded scan as a conflict with the accepted entry under
    ``entry_key`` (the entry standing now, on lists whose entries an earlier upload can take
    over), else with the one made at ``other_at`` (the first_checkin of its verdict)."""
    await conn.execute(
        "INSERT INTO scan_conflicts (scan_id, event_id, ticket_id, list_id, other_scan_id)"
        " SELECT s.scan_id, s.event_id, s.ticket_id, s.list_id,"
        "  (SELECT o.scan_id FROM scans o WHERE o.list_id = s.list_id"
        "   AND o.ticket_id = s.ticket_id AND o.result = 'accepted'"
        "   AND CASE WHEN $3::text IS NULL THEN o.scanned_at = $2 ELSE o.entry_key = $3 END"
        "   ORDER BY o.seq LIMIT 1)"
        " FROM scans s WHERE s.scan_id = $1 AND s.event_id IS NOT NULL"
        "  AND s.ticket_id IS NOT NULL AND s.list_id IS NOT NULL"
        " ON CONFLICT (scan_id) DO NOTHING",
        scan_id,
        other_at,
        entry_key,
    )


class OtherEntry(msgspec.Struct, frozen=True):
    scan_id: uuid.UUID
    at: datetime
    gate: str
    device_id: str | None
    result: str


class Conflict(msgspec.Struct, frozen=True):
    scan_id: uuid.UUID
    ticket_id: uuid.UUID
    holder_name: str | None
    list: str
    scanned_at: datetime
    gate: str
    device_id: str | None
    local_result: str | None
    recorded_at: datetime
    other: OtherEntry | None


async def select_conflicts(
    conn: asyncpg.Connection | asyncpg.Pool, event_id: uuid.UUID
) -> list[Conflict]:
    rows = await conn.fetch(
        "SELECT c.scan_id, c.ticket_id, t.holder_name, l.slug AS list, s.scanned_at, s.gate,"
        " s.device_id, u.local_result, c.recorded_at, o.scan_id AS other_scan_id,"
        " o.scanned_at AS other_at, o.gate AS other_gate, o.device_id AS other_device_id,"
        " o.result AS other_result"
        " FROM scan_conflicts c JOIN scans s ON s.scan_id = c.scan_id"
        " JOIN lists l ON l.id = c.list_id"
        " LEFT JOIN tickets t ON t.id = c.ticket_id"
        " LEFT JOIN uploaded_scans u ON u.scan_id = c.scan_id"
        " LEFT JOIN scans o ON o.scan_id = c.other_scan_id"
        " WHERE c.event_id = $1 ORDER BY c.recorded_at, s.scanned_at, c.scan_id",
        event_id,
    )
    return [
        Conflict(
            scan_id=r["scan_id"],
            ticket_id=r["ticket_id"],
            holder_name=r["holder_name"],
            list=r["list"],
            scanned_at=r["scanned_at"],
            gate=r["gate"],
            device_id=r["device_id"],
            local_result=r["local_result"],
            recorded_at=r["recorded_at"],
            other=OtherEntry(*r[9:]) if r["other_scan_id"] is not None else None,
        )
        for r in rows
    ]


class Recorded(msgspec.Struct, frozen=True):
    """A recorded scan as superseding sees it."""

    seq: int
    scan_id: uuid.UUID
    ticket_id: uuid.UUID
    list_id: uuid.UUID
    result: str
    direction: str
    scanned_at: datetime
    gate: str
    device_id: str | None
    response: str
    policy: str


_RECORDED = (
    "SELECT s.seq, s.scan_id, s.ticket_id, s.list_id, s.result, s.direction, s.scanned_at,"
    " s.gate, s.device_id, s.response::text AS response, l.policy"
)
_RECORDED_FROM = " FROM scans s JOIN lists l ON l.id = s.list_id"


async def select_recorded(conn: asyncpg.Connection, scan_id: uuid.UUID) -> Recorded | None:
    row = await conn.fetchrow(
        _RECORDED + _RECORDED_FROM + " WHERE s.scan_id = $1 AND s.ticket_id IS NOT NULL",
        scan_id,
    )
    return msgspec.convert(dict(row), Recorded) if row else None


async def lock_ticket(conn: asyncpg.Connection, ticket_id: uuid.UUID) -> None:
    await conn.execute("SELECT 1 FROM tickets WHERE id = $1 FOR UPDATE", ticket_id)


class Entry(msgspec.Struct, frozen=True):
    """The accepted entry under one entry key; whether it came in an upload and what the
    device had shown; whether the ticket left the list after it."""

    entry: Recorded
    uploaded: bool
    local_result: str | None
    exited_since: bool


async def select_entry(
    conn: asyncpg.Connection, list_id: uuid.UUID, ticket_id: uuid.UUID, entry_key: str
) -> Entry | None:
    row = await conn.fetchrow(
        _RECORDED + ", u.scan_id IS NOT NULL AS uploaded, u.local_result,"
        " EXISTS (SELECT 1 FROM scans x WHERE x.list_id = s.list_id"
        "  AND x.ticket_id = s.ticket_id AND x.result = 'exited' AND x.seq > s.seq)"
        " AS exited_since" + _RECORDED_FROM + " LEFT JOIN uploaded_scans u ON u.scan_id = s.scan_id"
        " WHERE s.list_id = $1 AND s.ticket_id = $2 AND s.entry_key = $3"
        " AND s.result = 'accepted'",
        list_id,
        ticket_id,
        entry_key,
    )
    if row is None:
        return None
    values = dict(row)
    extra = {k: values.pop(k) for k in ("uploaded", "local_result", "exited_since")}
    return Entry(entry=msgspec.convert(values, Recorded), **extra)


async def update_scan_verdict(
    conn: asyncpg.Connection, seq: int, result: str, entry_key: str, response: bytes
) -> None:
    await conn.execute(
        "UPDATE scans SET result = $2, entry_key = $3, response = $4::text::jsonb,"
        " changed_xid = pg_current_xact_id() WHERE seq = $1",
        seq,
        result,
        entry_key,
        response.decode(),
    )


async def upsert_conflict_with(
    conn: asyncpg.Connection, scan_id: uuid.UUID, other_scan_id: uuid.UUID
) -> None:
    await conn.execute(
        "INSERT INTO scan_conflicts (scan_id, event_id, ticket_id, list_id, other_scan_id)"
        " SELECT scan_id, event_id, ticket_id, list_id, $2 FROM scans WHERE scan_id = $1"
        " ON CONFLICT (scan_id) DO UPDATE SET other_scan_id = EXCLUDED.other_scan_id",
        scan_id,
        other_scan_id,
    )


async def update_conflicts_moved(
    conn: asyncpg.Connection, scan_id: uuid.UUID, old_other: uuid.UUID
) -> None:
    """The entry ``old_other`` was superseded by ``scan_id``: its conflicts move over, and
    ``scan_id`` is no conflict any more."""
    await conn.execute(
        "WITH gone AS (DELETE FROM scan_conflicts WHERE scan_id = $1)"
        " UPDATE scan_conflicts SET other_scan_id = $1 WHERE other_scan_id = $2"
        " AND scan_id <> $1",
        scan_id,
        old_other,
    )
