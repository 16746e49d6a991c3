"""SQL of the audit log: storing entries (from audit.recorded) and reading them per event
and per registration, newest first; one function per statement."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, TypeAlias

import asyncpg
import msgspec

from services.registration.audit.diff import Changed, changes

Conn: TypeAlias = asyncpg.Connection | asyncpg.Pool


class Entry(msgspec.Struct, frozen=True):
    id: uuid.UUID
    at: datetime
    service: str
    actor_id: str
    actor_name: str
    action: str
    event_slug: str | None
    registration_id: uuid.UUID | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def changes(self) -> list[Changed]:
        """What changed, key by key (the template partial ``audit/_entries.html`` shows it)."""
        return changes(self.before, self.after)


_COLUMNS = (
    "id, at, service, actor_id, actor_name, action, event_slug, registration_id,"
    " before::text AS before, after::text AS after"
)


def _entry(row: asyncpg.Record) -> Entry:
    values = dict(row)
    for key in ("before", "after"):
        text = values[key]
        values[key] = msgspec.json.decode(text) if text is not None else None
    return msgspec.convert(values, Entry)


async def insert_entry(conn: Conn, entry_id: uuid.UUID, entry: Any) -> None:
    """``entry``: a shared.events.StaffActionRecorded; stored once per event id. Of an erased
    registration, only who did what when (and the erasure itself): its before and after may
    hold its personal data (a manual check-in's reason, say)."""
    await conn.execute(
        "INSERT INTO audit_log (id, at, service, actor_id, actor_name, action, event_slug,"
        " registration_id, before, after)"
        " SELECT $1, $2, $3, $4, $5, $6, $7, $8, b, a FROM (SELECT"
        "   CASE WHEN erased THEN NULL ELSE $9::jsonb END AS b,"
        "   CASE WHEN erased THEN NULL ELSE $10::jsonb END AS a"
        "   FROM (SELECT $6 <> 'registration.erased' AND EXISTS (SELECT 1 FROM registrations"
        "     WHERE id = $8 AND erased_at IS NOT NULL) AS erased) e) t"
        " ON CONFLICT (id) DO NOTHING",
        entry_id,
        entry.at,
        entry.service,
        entry.actor_id,
        entry.actor_name,
        entry.action,
        entry.event_slug,
        entry.registration_id,
        None if entry.before is None else msgspec.json.encode(entry.before).decode(),
        None if entry.after is None else msgspec.json.encode(entry.after).decode(),
    )


async def select_for_event(conn: Conn, event_slug: str, limit: int, offset: int) -> list[Entry]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM audit_log WHERE event_slug = $1"
        " ORDER BY at DESC, id LIMIT $2 OFFSET $3",
        event_slug,
        limit,
        offset,
    )
    return [_entry(r) for r in rows]


async def select_for_registration(
    pool: Conn, registration_id: uuid.UUID, limit: int = 50
) -> list[Entry]:
    """A registration's entries, newest first (the registration page shows them with the
    template partial ``audit/_entries.html``)."""
    rows = await pool.fetch(
        f"SELECT {_COLUMNS} FROM audit_log WHERE registration_id = $1"
        " ORDER BY at DESC, id LIMIT $2",
        registration_id,
        limit,
    )
    return [_entry(r) for r in rows]


async def select_event_exists(conn: Conn, event_slug: str) -> bool:
    found = await conn.fetchval("SELECT 1 FROM events WHERE slug = $1", event_slug)
    return found is not None


async def update_entries_erased(conn: Conn, registration_id: uuid.UUID) -> None:
    """An erased registration's entries keep who did what when, not the data before and
    after (its personal data, a manual check-in's reason), but the erasure's own."""
    await conn.execute(
        "UPDATE audit_log SET before = NULL, after = NULL"
        " WHERE registration_id = $1 AND action <> 'registration.erased'",
        registration_id,
    )
