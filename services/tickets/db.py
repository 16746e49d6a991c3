"""SQL of the tickets, one function per statement; rows leave as ``Ticket``."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
import msgspec

from shared.events import EventInfo


class Ticket(msgspec.Struct, frozen=True):
    id: uuid.UUID
    registration_id: uuid.UUID
    event: EventInfo
    code: str
    key_id: int
    status: str
    holder_name: str
    holder_email: str
    lang: str
    manage_token_hash: str
    version: int
    issued_at: datetime


_TICKET_COLUMNS = (
    "id, registration_id, event, code, key_id, status, holder_name, holder_email, lang,"
    " manage_token_hash, version, issued_at"
)


def _ticket(row: asyncpg.Record) -> Ticket:
    values = dict(row)
    values["event"] = msgspec.json.decode(values["event"], type=EventInfo)
    return msgspec.convert(values, Ticket)


async def insert_ticket(conn: asyncpg.Connection, ticket: Ticket) -> bool:
    """Insert unless the registration already has a ticket; True if inserted."""
    inserted = await conn.fetchval(
        "INSERT INTO tickets (id, registration_id, event_id, event, code, key_id, status,"
        " holder_name, holder_email, lang, manage_token_hash, version, issued_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        " ON CONFLICT (registration_id) DO NOTHING RETURNING true",
        ticket.id,
        ticket.registration_id,
        ticket.event.id,
        msgspec.json.encode(ticket.event).decode(),
        ticket.code,
        ticket.key_id,
        ticket.status,
        ticket.holder_name,
        ticket.holder_email,
        ticket.lang,
        ticket.manage_token_hash,
        ticket.version,
        ticket.issued_at,
    )
    return bool(inserted)


async def update_ticket_revoked(
    conn: asyncpg.Connection, registration_id: uuid.UUID
) -> Ticket | None:
    """Revoke the registration's ticket; None if it has none or it was already revoked."""
    row = await conn.fetchrow(
        "UPDATE tickets SET status = 'revoked', version = version + 1"
        " WHERE registration_id = $1 AND status = 'valid'"
        f" RETURNING {_TICKET_COLUMNS}",
        registration_id,
    )
    return _ticket(row) if row else None


async def update_ticket_erased(conn: asyncpg.Connection, registration_id: uuid.UUID) -> None:
    await conn.execute(
        "UPDATE tickets SET holder_name = '[erased]', holder_email = 'erased-' || id || '@invalid'"
        " WHERE registration_id = $1",
        registration_id,
    )


async def select_ticket(
    conn: asyncpg.Connection | asyncpg.Pool, ticket_id: uuid.UUID
) -> Ticket | None:
    row = await conn.fetchrow(f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE id = $1", ticket_id)
    return _ticket(row) if row else None


async def select_ticket_by_registration(
    conn: asyncpg.Connection | asyncpg.Pool, registration_id: uuid.UUID
) -> Ticket | None:
    row = await conn.fetchrow(
        f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE registration_id = $1", registration_id
    )
    return _ticket(row) if row else None


async def count_valid_tickets_of_key(conn: asyncpg.Connection, key_id: int) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM tickets WHERE key_id = $1 AND status = 'valid'", key_id
    )
    return count


async def select_tickets_to_reissue(
    conn: asyncpg.Connection, retired_key_ids: list[int], limit: int
) -> list[Ticket]:
    """Valid tickets whose codes a retired key signed, locked; the ones another instance
    is re-issuing are skipped. (No index on key_id: this runs after a retirement, rarely,
    and an index would cost every ticket issued.)"""
    rows = await conn.fetch(
        f"SELECT {_TICKET_COLUMNS} FROM tickets"
        " WHERE status = 'valid' AND key_id = ANY($1::integer[])"
        " ORDER BY issued_at LIMIT $2 FOR UPDATE SKIP LOCKED",
        retired_key_ids,
        limit,
    )
    return [_ticket(r) for r in rows]


async def update_ticket_codes(
    conn: asyncpg.Connection, ticket_ids: list[uuid.UUID], codes: list[str], key_id: int
) -> dict[uuid.UUID, int]:
    """New codes, all signed with ``key_id``; each ticket's new version, by id."""
    rows = await conn.fetch(
        "UPDATE tickets t SET code = c.code, key_id = $3, version = t.version + 1"
        " FROM unnest($1::uuid[], $2::text[]) AS c (id, code)"
        " WHERE t.id = c.id RETURNING t.id, t.version",
        ticket_ids,
        codes,
        key_id,
    )
    return {r["id"]: r["version"] for r in rows}
