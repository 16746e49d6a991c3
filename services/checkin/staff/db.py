"""SQL of revoked staff tokens and door devices, one function per statement."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
import msgspec


class RevokedToken(msgspec.Struct, frozen=True):
    token_id: str
    revoked_at: datetime
    revoked_by: str
    reason: str | None


class Device(msgspec.Struct, frozen=True):
    token_id: str
    device_id: str
    first_seen_at: datetime
    last_pack_at: datetime | None
    last_upload_at: datetime | None
    token_revoked: bool


async def insert_revoked_token(
    conn: asyncpg.Connection | asyncpg.Pool, jti: str, revoked_by: str, reason: str | None
) -> None:
    """Revoke a jti (again: nothing changes)."""
    await conn.execute(
        "INSERT INTO revoked_tokens (jti, revoked_by, reason) VALUES ($1, $2, $3)"
        " ON CONFLICT (jti) DO NOTHING",
        jti,
        revoked_by,
        reason,
    )


async def select_revoked_tokens(
    conn: asyncpg.Connection | asyncpg.Pool, slugs: list[str] | None = None
) -> list[RevokedToken]:
    """Every revoked token, or (``slugs``) those a device of one of these events used."""
    rows = await conn.fetch(
        "SELECT jti AS token_id, revoked_at, revoked_by, reason FROM revoked_tokens r"
        " WHERE $1::text[] IS NULL OR EXISTS (SELECT 1 FROM devices d"
        "  JOIN events e ON e.id = d.event_id WHERE d.token_id = r.jti AND e.slug = ANY($1))"
        " ORDER BY revoked_at DESC, jti",
        slugs,
    )
    return [msgspec.convert(dict(r), RevokedToken) for r in rows]


async def select_token_event_slugs(
    conn: asyncpg.Connection | asyncpg.Pool, token_id: str
) -> list[str]:
    """The events in which a device used this token."""
    rows = await conn.fetch(
        "SELECT DISTINCT e.slug FROM devices d JOIN events e ON e.id = d.event_id"
        " WHERE d.token_id = $1 ORDER BY e.slug",
        token_id,
    )
    return [r[0] for r in rows]


async def upsert_devices_pack(
    conn: asyncpg.Connection | asyncpg.Pool, event_id: uuid.UUID, token_id: str, device_id: str
) -> None:
    await conn.execute(
        "INSERT INTO devices (event_id, token_id, device_id, last_pack_at)"
        " VALUES ($1, $2, $3, now()) ON CONFLICT (event_id, token_id, device_id)"
        " DO UPDATE SET last_pack_at = now()",
        event_id,
        token_id,
        device_id,
    )


async def upsert_devices_upload(
    conn: asyncpg.Connection | asyncpg.Pool,
    token_id: str,
    devices: list[tuple[uuid.UUID, str]],
) -> None:
    """Note an upload by each (event id, device id) of one token."""
    await conn.execute(
        "INSERT INTO devices (event_id, token_id, device_id, last_upload_at)"
        " SELECT d.event_id, $1, d.device_id, now()"
        " FROM unnest($2::uuid[], $3::text[]) AS d (event_id, device_id)"
        " ON CONFLICT (event_id, token_id, device_id) DO UPDATE SET last_upload_at = now()",
        token_id,
        [event_id for event_id, _ in devices],
        [device_id for _, device_id in devices],
    )


async def select_devices(
    conn: asyncpg.Connection | asyncpg.Pool, event_id: uuid.UUID
) -> list[Device]:
    rows = await conn.fetch(
        "SELECT d.token_id, d.device_id, d.first_seen_at, d.last_pack_at, d.last_upload_at,"
        " r.jti IS NOT NULL AS token_revoked"
        " FROM devices d LEFT JOIN revoked_tokens r ON r.jti = d.token_id"
        " WHERE d.event_id = $1 ORDER BY d.first_seen_at, d.token_id, d.device_id",
        event_id,
    )
    return [msgspec.convert(dict(r), Device) for r in rows]
