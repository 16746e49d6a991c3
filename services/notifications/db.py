"""SQL of the notifications service, one function per statement."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
import msgspec


class Delivery(msgspec.Struct, frozen=True):
    id: uuid.UUID
    template: str
    registration_id: uuid.UUID
    recipient: str
    lang: str
    payload: msgspec.Raw
    status: str
    attempts: int
    last_error: str | None
    message_id: str
    created_at: datetime
    sent_at: datetime | None


_COLUMNS = (
    "id, template, registration_id, recipient, lang, payload::text AS payload, status,"
    " attempts, last_error, message_id, created_at, sent_at"
)


def _delivery(row: asyncpg.Record) -> Delivery:
    values = dict(row)
    values["payload"] = msgspec.Raw(values["payload"].encode())
    return Delivery(**values)


async def insert_delivery(
    conn: asyncpg.Connection,
    *,
    delivery_id: uuid.UUID,
    dedupe_key: str,
    template: str,
    registration_id: uuid.UUID,
    recipient: str,
    lang: str,
    payload: bytes,
    message_id: str,
) -> bool:
    inserted = await conn.fetchval(
        "INSERT INTO deliveries (id, dedupe_key, template, registration_id, recipient, lang,"
        " payload, status, message_id) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8)"
        " ON CONFLICT (dedupe_key) DO NOTHING RETURNING true",
        delivery_id,
        dedupe_key,
        template,
        registration_id,
        recipient,
        lang,
        payload.decode(),
        message_id,
    )
    return bool(inserted)


async def update_claim_due(
    conn: asyncpg.Connection | asyncpg.Pool, limit: int, claim_seconds: float
) -> list[Delivery]:
    rows = await conn.fetch(
        "UPDATE deliveries SET claimed_until = now() + make_interval(secs => $2),"
        " attempts = attempts + 1"
        " WHERE id IN (SELECT id FROM deliveries WHERE status = 'pending'"
        "   AND next_attempt_at <= now() AND (claimed_until IS NULL OR claimed_until < now())"
        "   ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)"
        f" RETURNING {_COLUMNS}",
        limit,
        claim_seconds,
    )
    return [_delivery(r) for r in rows]


async def update_sent(conn: asyncpg.Connection, delivery_id: uuid.UUID) -> datetime:
    sent_at: datetime = await conn.fetchval(
        "UPDATE deliveries SET status = 'sent', sent_at = now(), claimed_until = NULL,"
        " last_error = NULL WHERE id = $1 RETURNING sent_at",
        delivery_id,
    )
    return sent_at


async def update_failed(
    conn: asyncpg.Connection | asyncpg.Pool, delivery_id: uuid.UUID, error: str
) -> None:
    await conn.execute(
        "UPDATE deliveries SET status = 'failed', last_error = $2, claimed_until = NULL"
        " WHERE id = $1",
        delivery_id,
        error,
    )


async def update_retry(
    conn: asyncpg.Connection | asyncpg.Pool, delivery_id: uuid.UUID, error: str, delay: float
) -> None:
    await conn.execute(
        "UPDATE deliveries SET last_error = $2, claimed_until = NULL,"
        " next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1",
        delivery_id,
        error,
        delay,
    )


async def update_deliveries_erased(conn: asyncpg.Connection, registration_id: uuid.UUID) -> None:
    # Pending ones are not sent any more: there is nobody to send them to.
    await conn.execute(
        "UPDATE deliveries SET recipient = 'erased-' || registration_id || '@invalid',"
        " payload = '{}'::jsonb,"
        " status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END,"
        " last_error = CASE WHEN status = 'pending' THEN 'recipient erased' ELSE last_error END"
        " WHERE registration_id = $1",
        registration_id,
    )


async def select_deliveries(
    conn: asyncpg.Connection | asyncpg.Pool, registration_id: uuid.UUID
) -> list[Delivery]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM deliveries WHERE registration_id = $1 ORDER BY created_at",
        registration_id,
    )
    return [_delivery(r) for r in rows]
