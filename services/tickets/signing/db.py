"""SQL of the ticket signing keys, one function per statement; rows leave as
``SigningKeyRow``."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec


class SigningKeyRow(msgspec.Struct, frozen=True):
    id: int
    private_key: bytes
    public_key: bytes
    created_at: datetime
    retired_at: datetime | None


_KEY_COLUMNS = "id, private_key, public_key, created_at, retired_at"


async def select_current_key(conn: asyncpg.Connection) -> SigningKeyRow | None:
    row = await conn.fetchrow(
        f"SELECT {_KEY_COLUMNS} FROM signing_keys WHERE retired_at IS NULL ORDER BY id DESC LIMIT 1"
    )
    return msgspec.convert(dict(row), SigningKeyRow) if row else None


async def select_keys(conn: asyncpg.Connection | asyncpg.Pool) -> list[SigningKeyRow]:
    rows = await conn.fetch(f"SELECT {_KEY_COLUMNS} FROM signing_keys ORDER BY id")
    return [msgspec.convert(dict(r), SigningKeyRow) for r in rows]


async def insert_signing_key(
    conn: asyncpg.Connection, private_key: bytes, public_key: bytes
) -> SigningKeyRow:
    row = await conn.fetchrow(
        "INSERT INTO signing_keys (id, private_key, public_key)"
        " SELECT coalesce(max(id), 0) + 1, $1, $2 FROM signing_keys"
        f" RETURNING {_KEY_COLUMNS}",
        private_key,
        public_key,
    )
    return msgspec.convert(dict(row), SigningKeyRow)


async def update_key_retired(conn: asyncpg.Connection, key_id: int) -> SigningKeyRow:
    row = await conn.fetchrow(
        f"UPDATE signing_keys SET retired_at = now() WHERE id = $1 RETURNING {_KEY_COLUMNS}",
        key_id,
    )
    return msgspec.convert(dict(row), SigningKeyRow)


async def update_key_unretired(conn: asyncpg.Connection, key_id: int) -> None:
    await conn.execute("UPDATE signing_keys SET retired_at = NULL WHERE id = $1", key_id)


async def delete_key(conn: asyncpg.Connection, key_id: int) -> None:
    await conn.execute("DELETE FROM signing_keys WHERE id = $1", key_id)
