"""SQL of check-in lists, entitlements and occupancy, one function per statement."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from services.checkin.scans.rules import FirstEntry, Policy

MAIN_LIST = "main"  # every event's main entrance list

_LIST_COLUMNS = (
    "id, slug, name, policy, origin, sessions, ticket_types, valid_from, valid_until,"
    ' entry_limit AS "limit", enforce_limit, gates'
)


class ListRow(msgspec.Struct, frozen=True):
    id: uuid.UUID
    slug: str
    name: str
    policy: Policy
    origin: str
    sessions: list[str]
    ticket_types: list[str]
    valid_from: datetime | None
    valid_until: datetime | None
    limit: int | None
    enforce_limit: bool
    gates: list[str]


class NewList(msgspec.Struct, frozen=True):
    slug: str
    name: str
    policy: Policy
    sessions: list[str]
    ticket_types: list[str]
    valid_from: datetime | None
    valid_until: datetime | None
    limit: int | None
    enforce_limit: bool
    gates: list[str]


class Entitlement(msgspec.Struct, frozen=True):
    """What a ticket's registration entitles its holder to."""

    ticket_type: str | None
    sessions: list[str]


class Entries(msgspec.Struct, frozen=True):
    """A ticket's history on one list: its entries and whether it is inside."""

    count: int
    inside: bool
    first: FirstEntry | None
    last: FirstEntry | None


class Inside(msgspec.Struct, frozen=True):
    ticket_id: uuid.UUID
    holder_name: str | None
    entered_at: datetime
    gate: str


def _list(row: asyncpg.Record) -> ListRow:
    return msgspec.convert(dict(row), ListRow)


async def insert_list(conn: asyncpg.Connection, event_id: uuid.UUID, new: NewList) -> ListRow:
    row = await conn.fetchrow(
        "INSERT INTO lists (event_id, slug, name, policy, sessions, ticket_types, valid_from,"
        " valid_until, entry_limit, enforce_limit, gates)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        f" RETURNING {_LIST_COLUMNS}",
        event_id,
        new.slug,
        new.name,
        new.policy,
        new.sessions,
        new.ticket_types,
        new.valid_from,
        new.valid_until,
        new.limit,
        new.enforce_limit,
        new.gates,
    )
    return _list(row)


async def upsert_session_list(
    conn: asyncpg.Connection,
    event_id: uuid.UUID,
    slug: str,
    name: str,
    valid_from: datetime,
    valid_until: datetime,
) -> None:
    # An organizer's list that already took the session's slug is left alone, and so is
    # what an organizer changed on the session's list (its pinned name or window).
    await conn.execute(
        "INSERT INTO lists (event_id, slug, name, policy, origin, sessions, valid_from,"
        " valid_until) VALUES ($1, $2, $3, 'single', 'session', ARRAY[$2], $4, $5)"
        " ON CONFLICT (event_id, slug) DO UPDATE SET"
        " name = CASE WHEN 'name' = ANY(lists.pinned) THEN lists.name ELSE EXCLUDED.name END,"
        " valid_from = CASE WHEN 'window' = ANY(lists.pinned) THEN lists.valid_from"
        "  ELSE EXCLUDED.valid_from END,"
        " valid_until = CASE WHEN 'window' = ANY(lists.pinned) THEN lists.valid_until"
        "  ELSE EXCLUDED.valid_until END"
        " WHERE lists.origin = 'session'",
        event_id,
        slug,
        name,
        valid_from,
        valid_until,
    )


async def select_lists(
    conn: asyncpg.Connection | asyncpg.Pool, event_id: uuid.UUID
) -> list[ListRow]:
    rows = await conn.fetch(
        f"SELECT {_LIST_COLUMNS} FROM lists WHERE event_id = $1 AND archived_at IS NULL"
        " ORDER BY origin <> 'main', created_at, slug",
        event_id,
    )
    return [_list(r) for r in rows]


async def select_list(
    conn: asyncpg.Connection | asyncpg.Pool, event_id: uuid.UUID, slug: str
) -> ListRow | None:
    """The list scans and organizers address by ``slug``; None if there is none or it was
    removed (archived)."""
    row = await conn.fetchrow(
        f"SELECT {_LIST_COLUMNS} FROM lists"
        " WHERE event_id = $1 AND slug = $2 AND archived_at IS NULL",
        event_id,
        slug,
    )
    return _list(row) if row else None


async def select_gate_owner(
    conn: asyncpg.Connection | asyncpg.Pool,
    event_id: uuid.UUID,
    gates: list[str],
    other_than: uuid.UUID | None,
) -> tuple[str, str] | None:
    """A list of the event (not ``other_than``) that one of ``gates`` is mapped to already:
    (its slug, the gate)."""
    row = await conn.fetchrow(
        "SELECT l.slug, g.gate FROM lists l, unnest(l.gates) AS g(gate)"
        " WHERE l.event_id = $1 AND l.archived_at IS NULL AND l.gates && $2::text[]"
        " AND g.gate = ANY($2::text[]) AND l.id IS DISTINCT FROM $3 ORDER BY l.slug LIMIT 1",
        event_id,
        gates,
        other_than,
    )
    return (row["slug"], row["gate"]) if row else None


async def select_list_for_update(
    conn: asyncpg.Connection, event_id: uuid.UUID, slug: str
) -> ListRow | None:
    row = await conn.fetchrow(
        f"SELECT {_LIST_COLUMNS} FROM lists"
        " WHERE event_id = $1 AND slug = $2 AND archived_at IS NULL FOR UPDATE",
        event_id,
        slug,
    )
    return _list(row) if row else None


async def update_list(
    conn: asyncpg.Connection, list_id: uuid.UUID, new: NewList, pin: list[str]
) -> ListRow:
    row = await conn.fetchrow(
        "UPDATE lists SET slug = $2, name = $3, policy = $4, sessions = $5, ticket_types = $6,"
        " valid_from = $7, valid_until = $8, entry_limit = $9, enforce_limit = $10,"
        " pinned = ARRAY(SELECT DISTINCT p FROM unnest(pinned || $11::text[]) AS p ORDER BY p),"
        " gates = $12"
        f" WHERE id = $1 RETURNING {_LIST_COLUMNS}",
        list_id,
        new.slug,
        new.name,
        new.policy,
        new.sessions,
        new.ticket_types,
        new.valid_from,
        new.valid_until,
        new.limit,
        new.enforce_limit,
        pin,
        new.gates,
    )
    return _list(row)


async def update_list_archived(conn: asyncpg.Connection, list_id: uuid.UUID) -> None:
    # The slug is given up for a new list to take: '~' is never in a slug, so no request
    # can name the archived list any more.
    await conn.execute(
        "UPDATE lists SET archived_at = now(), archived_slug = slug,"
        " slug = slug || '~' || id::text WHERE id = $1",
        list_id,
    )


async def select_session_slugs(
    conn: asyncpg.Connection | asyncpg.Pool, event_id: uuid.UUID
) -> set[str]:
    rows = await conn.fetch(
        "SELECT slug FROM lists WHERE event_id = $1 AND origin = 'session'", event_id
    )
    return {r["slug"] for r in rows}


async def select_ticket_types(
    conn: asyncpg.Connection | asyncpg.Pool, event_id: uuid.UUID
) -> set[str] | None:
    """The event's ticket type slugs; None if no event message has told them yet."""
    value = await conn.fetchval("SELECT ticket_types FROM events WHERE id = $1", event_id)
    return set(value) if value is not None else None


async def update_event_ticket_types(
    conn: asyncpg.Connection, event_id: uuid.UUID, ticket_types: list[str]
) -> None:
    await conn.execute(
        "UPDATE events SET ticket_types = $2 WHERE id = $1", event_id, sorted(set(ticket_types))
    )


async def lock_list(conn: asyncpg.Connection, list_id: uuid.UUID) -> None:
    await conn.execute("SELECT 1 FROM lists WHERE id = $1 FOR UPDATE", list_id)


async def upsert_registration_entitlement(
    conn: asyncpg.Connection,
    registration_id: uuid.UUID,
    event_id: uuid.UUID,
    status: str,
    ticket_type: str | None,
    sessions: list[str],
) -> None:
    await conn.execute(
        "INSERT INTO registrations (id, event_id, status, ticket_type, sessions)"
        " VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status,"
        " ticket_type = EXCLUDED.ticket_type, sessions = EXCLUDED.sessions",
        registration_id,
        event_id,
        status,
        ticket_type,
        sessions,
    )


async def upsert_registration_sessions(
    conn: asyncpg.Connection,
    registration_id: uuid.UUID,
    event_id: uuid.UUID,
    status: str,
    sessions: list[str],
) -> None:
    await conn.execute(
        "INSERT INTO registrations (id, event_id, status, sessions) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, sessions = EXCLUDED.sessions",
        registration_id,
        event_id,
        status,
        sessions,
    )


async def select_entitlement(
    conn: asyncpg.Connection, registration_id: uuid.UUID
) -> Entitlement | None:
    row = await conn.fetchrow(
        "SELECT ticket_type, sessions FROM registrations WHERE id = $1", registration_id
    )
    return msgspec.convert(dict(row), Entitlement) if row else None


async def select_entries(
    conn: asyncpg.Connection, list_id: uuid.UUID, ticket_id: uuid.UUID
) -> Entries:
    row: Any = await conn.fetchrow(
        "WITH mine AS (SELECT seq, result, direction, scanned_at, gate, device_id FROM scans"
        "  WHERE list_id = $1 AND ticket_id = $2 AND result IN ('accepted', 'exited'))"
        " SELECT (SELECT count(*) FROM mine WHERE result = 'accepted') AS count,"
        "  coalesce((SELECT direction = 'in' FROM mine ORDER BY seq DESC LIMIT 1), false)"
        "   AS inside,"
        "  (SELECT row(scanned_at, gate, device_id) FROM mine WHERE result = 'accepted'"
        "   ORDER BY seq LIMIT 1) AS first,"
        "  (SELECT row(scanned_at, gate, device_id) FROM mine WHERE result = 'accepted'"
        "   ORDER BY seq DESC LIMIT 1) AS last",
        list_id,
        ticket_id,
    )
    return Entries(
        count=row["count"],
        inside=row["inside"],
        first=FirstEntry(*row["first"]) if row["first"] else None,
        last=FirstEntry(*row["last"]) if row["last"] else None,
    )


_INSIDE = (
    "SELECT DISTINCT ON (s.ticket_id) s.ticket_id, s.direction, s.scanned_at, s.gate"
    " FROM scans s WHERE s.list_id = $1 AND s.result IN ('accepted', 'exited')"
    " ORDER BY s.ticket_id, s.seq DESC"
)


async def select_inside_count(conn: asyncpg.Connection, list_id: uuid.UUID) -> int:
    value = await conn.fetchval(
        f"SELECT count(*) FROM ({_INSIDE}) AS last WHERE direction = 'in'", list_id
    )
    return int(value)


async def select_inside(
    conn: asyncpg.Connection | asyncpg.Pool, list_id: uuid.UUID
) -> list[Inside]:
    rows = await conn.fetch(
        "SELECT last.ticket_id, t.holder_name, last.scanned_at AS entered_at, last.gate"
        f" FROM ({_INSIDE}) AS last JOIN tickets t ON t.id = last.ticket_id"
        " WHERE last.direction = 'in' ORDER BY last.scanned_at, last.ticket_id",
        list_id,
    )
    return [msgspec.convert(dict(r), Inside) for r in rows]


async def insert_list_if_missing(
    conn: asyncpg.Connection, event_id: uuid.UUID, slug: str, name: str
) -> None:
    await conn.execute(
        "INSERT INTO lists (event_id, slug, name, policy, origin)"
        " VALUES ($1, $2, $3, 'single', 'main') ON CONFLICT (event_id, slug) DO NOTHING",
        event_id,
        slug,
        name,
    )
