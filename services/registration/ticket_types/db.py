"""SQL of ticket types, one function per statement."""

from __future__ import annotations

import uuid
from typing import Any, TypeAlias

import asyncpg

from services.registration.records import TicketType
from services.registration.schemas import LocalizedName

Conn: TypeAlias = asyncpg.Connection | asyncpg.Pool

_TYPE_COLUMNS = "id, event_id, slug, name_pl, name_en, quota, taken, access_code_hash"


def _ticket_type(row: asyncpg.Record) -> TicketType:
    return TicketType(
        id=row["id"],
        event_id=row["event_id"],
        slug=row["slug"],
        name=LocalizedName(pl=row["name_pl"], en=row["name_en"]),
        quota=row["quota"],
        taken=row["taken"],
        access_code_hash=row["access_code_hash"],
    )


async def insert_ticket_type(conn: Conn, ticket_type: TicketType) -> None:
    await conn.execute(
        # clock_timestamp(): types added in one transaction keep the order they came in.
        "INSERT INTO ticket_types (id, event_id, slug, name_pl, name_en, quota,"
        " access_code_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, clock_timestamp())",
        ticket_type.id,
        ticket_type.event_id,
        ticket_type.slug,
        ticket_type.name.pl,
        ticket_type.name.en,
        ticket_type.quota,
        ticket_type.access_code_hash,
    )


async def select_ticket_types(conn: Conn, event_id: uuid.UUID) -> list[TicketType]:
    rows = await conn.fetch(
        f"SELECT {_TYPE_COLUMNS} FROM ticket_types WHERE event_id = $1 ORDER BY created_at, slug",
        event_id,
    )
    return [_ticket_type(r) for r in rows]


async def update_ticket_type_seats(
    conn: asyncpg.Connection, ticket_type_id: uuid.UUID, delta: int
) -> None:
    await conn.execute(
        "UPDATE ticket_types SET taken = taken + $2 WHERE id = $1", ticket_type_id, delta
    )


async def select_ticket_type_for_update(
    conn: asyncpg.Connection, event_id: uuid.UUID, slug: str
) -> TicketType | None:
    row = await conn.fetchrow(
        f"SELECT {_TYPE_COLUMNS} FROM ticket_types WHERE event_id = $1 AND slug = $2 FOR UPDATE",
        event_id,
        slug,
    )
    return _ticket_type(row) if row is not None else None


async def update_ticket_type_fields(
    conn: asyncpg.Connection, ticket_type_id: uuid.UUID, fields: dict[str, Any]
) -> TicketType:
    """Set the given columns (names from the code, never from a request)."""
    sets = ", ".join(f"{column} = ${i}" for i, column in enumerate(fields, start=2))
    row = await conn.fetchrow(
        f"UPDATE ticket_types SET {sets} WHERE id = $1 RETURNING {_TYPE_COLUMNS}",
        ticket_type_id,
        *fields.values(),
    )
    return _ticket_type(row)


async def select_ticket_type_use(conn: Conn, ticket_type: TicketType) -> int:
    """How many registrations (any status, erased ones too) have the type."""
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM registrations WHERE event_id = $1 AND ticket_type_id = $2",
            ticket_type.event_id,
            ticket_type.id,
        )
    )


async def delete_ticket_type(conn: asyncpg.Connection, ticket_type_id: uuid.UUID) -> None:
    await conn.execute("DELETE FROM ticket_types WHERE id = $1", ticket_type_id)
