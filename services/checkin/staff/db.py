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
    """The events in which a device used this token, or for which it was issued."""
    rows = await conn.fetch(
        "SELECT e.slug FROM events e WHERE e.id IN ("
        " SELECT event_id FROM devices WHERE token_id = $1"
        " UNION SELECT event_id FROM issued_devices WHERE jti = $1) ORDER BY e.slug",
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


class IssuedDevice(msgspec.Struct, frozen=True):
    """A door device the back office issued a token to, and what it did since."""

    token_id: str
    name: str
    gate: str
    issued_by_name: str
    issued_at: datetime
    expires_at: datetime
    last_sync_at: datetime | None
    last_scan_at: datetime | None
    revoked_at: datetime | None


async def insert_issued_device(
    conn: asyncpg.Connection,
    jti: str,
    event_id: uuid.UUID,
    name: str,
    gate: str,
    issued_by: str,
    issued_by_name: str,
    expires_at: datetime,
) -> bool:
    """False when a device of that token id was issued already."""
    inserted = await conn.fetchval(
        "INSERT INTO issued_devices (jti, event_id, name, gate, issued_by, issued_by_name,"
        " expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT (jti) DO NOTHING RETURNING true",
        jti,
        event_id,
        name,
        gate,
        issued_by,
        issued_by_name,
        expires_at,
    )
    return bool(inserted)


async def select_issued_devices(
    conn: asyncpg.Connection | asyncpg.Pool, event_id: uuid.UUID
) -> list[IssuedDevice]:
    rows = await conn.fetch(
        "SELECT i.jti AS token_id, i.name, i.gate, i.issued_by_name, i.issued_at, i.expires_at,"
        " (SELECT max(greatest(d.last_pack_at, d.last_upload_at)) FROM devices d"
        "   WHERE d.event_id = i.event_id AND d.token_id = i.jti) AS last_sync_at,"
        " (SELECT max(s.scanned_at) FROM scans s"
        "   WHERE s.event_id = i.event_id AND s.token_id = i.jti) AS last_scan_at,"
        " r.revoked_at"
        " FROM issued_devices i LEFT JOIN revoked_tokens r ON r.jti = i.jti"
        " WHERE i.event_id = $1 ORDER BY i.issued_at DESC, i.name",
        event_id,
    )
    return [msgspec.convert(dict(r), IssuedDevice) for r in rows]
