"""SQL of the keys that open sealed manage tokens; rows leave as ``SealingKeyRow``."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec


class SealingKeyRow(msgspec.Struct, frozen=True):
    id: int
    private_key: bytes
    public_key: bytes
    created_at: datetime


async def select_sealing_keys(conn: asyncpg.Connection | asyncpg.Pool) -> list[SealingKeyRow]:
    rows = await conn.fetch(
        "SELECT id, private_key, public_key, created_at FROM sealing_keys ORDER BY id"
    )
    return [msgspec.convert(dict(r), SealingKeyRow) for r in rows]


async def insert_sealing_key(
    conn: asyncpg.Connection, private_key: bytes, public_key: bytes
) -> SealingKeyRow:
    row = await conn.fetchrow(
        "INSERT INTO sealing_keys (private_key, public_key) VALUES ($1, $2)"
        " RETURNING id, private_key, public_key, created_at",
        private_key,
        public_key,
    )
    return msgspec.convert(dict(row), SealingKeyRow)
