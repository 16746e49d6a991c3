"""SQL of ticket types, one function per statement."""

from __future__ import annotations

import uuid
from typing import TypeAlias

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
