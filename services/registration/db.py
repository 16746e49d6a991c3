"""SQL of the registration service, one function per statement."""

from __future__ import annotations

import uuid

import asyncpg
import msgspec

from services.registration.schemas import Event, LocalizedName, Registration

_EVENT_COLUMNS = (
    "id, slug, name_pl, name_en, kind, starts_at, ends_at, venue, capacity, taken, status, version"
)
_REGISTRATION_COLUMNS = (
    "id, event_id, name, email, lang, status, manage_token_hash, version, created_at"
)


def _event(row: asyncpg.Record) -> Event:
    return Event(
        id=row["id"],
        slug=row["slug"],
        name=LocalizedName(pl=row["name_pl"], en=row["name_en"]),
        kind=row["kind"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        venue=row["venue"],
        capacity=row["capacity"],
        taken=row["taken"],
        status=row["status"],
        version=row["version"],
    )


async def insert_event(conn: asyncpg.Connection, event: Event) -> None:
    await conn.execute(
        "INSERT INTO events (id, slug, name_pl, name_en, kind, starts_at, ends_at, venue,"
        " capacity, taken, status, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
        " $11, $12)",
        event.id,
        event.slug,
        event.name.pl,
        event.name.en,
        event.kind,
        event.starts_at,
        event.ends_at,
        event.venue,
        event.capacity,
        event.taken,
        event.status,
        event.version,
    )


async def select_event(conn: asyncpg.Connection | asyncpg.Pool, slug: str) -> Event | None:
    row = await conn.fetchrow(f"SELECT {_EVENT_COLUMNS} FROM events WHERE slug = $1", slug)
    return _event(row) if row else None


async def select_events(
    conn: asyncpg.Connection | asyncpg.Pool, include_drafts: bool
) -> list[Event]:
    rows = await conn.fetch(
        f"SELECT {_EVENT_COLUMNS} FROM events"
        " WHERE status = 'published' OR ($1 AND status = 'draft')"
        " ORDER BY starts_at, slug",
        include_drafts,
    )
    return [_event(r) for r in rows]


async def update_event_take_seat(conn: asyncpg.Connection, event_id: uuid.UUID) -> bool:
    taken = await conn.fetchval(
        "UPDATE events SET taken = taken + 1 WHERE id = $1 AND taken < capacity RETURNING taken",
        event_id,
    )
    return taken is not None


async def insert_registration(
    conn: asyncpg.Connection, registration: Registration, email_key: str, consent_version: str
) -> None:
    await conn.execute(
        "INSERT INTO registrations (id, event_id, name, email, email_key, lang, status,"
        " manage_token_hash, consent_version, consent_at, version, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10)",
        registration.id,
        registration.event_id,
        registration.name,
        registration.email,
        email_key,
        registration.lang,
        registration.status,
        registration.manage_token_hash,
        consent_version,
        registration.created_at,
        registration.version,
    )


async def select_registration(
    conn: asyncpg.Connection | asyncpg.Pool, registration_id: uuid.UUID
) -> Registration | None:
    row = await conn.fetchrow(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations WHERE id = $1", registration_id
    )
    return msgspec.convert(dict(row), Registration) if row else None
