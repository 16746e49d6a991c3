"""SQL of events: their settings, status and seats, one function per statement."""

from __future__ import annotations

import uuid
from typing import Any, TypeAlias

import asyncpg
import msgspec

from services.registration.records import Event, EventStats, Question, Session, TicketType
from services.registration.schemas import LocalizedDescription, LocalizedName, ProfileFields
from services.registration.sessions.db import SESSION_JSON

Conn: TypeAlias = asyncpg.Connection | asyncpg.Pool

_EVENT_COLUMNS = (
    "id, slug, name_pl, name_en, kind, starts_at, ends_at, venue, capacity, taken, status,"
    " version, waitlist, retention_days, description_pl, description_en, room,"
    " registration_opens_at, registration_closes_at, group_limit, ask_organization, ask_country,"
    " ask_role"
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
        waitlist=row["waitlist"],
        retention_days=row["retention_days"],
        description=LocalizedDescription(pl=row["description_pl"], en=row["description_en"]),
        room=row["room"],
        registration_opens_at=row["registration_opens_at"],
        registration_closes_at=row["registration_closes_at"],
        group_limit=row["group_limit"],
        profile_fields=ProfileFields(
            organization=row["ask_organization"],
            country=row["ask_country"],
            role=row["ask_role"],
        ),
    )


async def insert_event(conn: asyncpg.Connection, event: Event) -> None:
    await conn.execute(
        "INSERT INTO events (id, slug, name_pl, name_en, kind, starts_at, ends_at, venue,"
        " capacity, taken, status, version, waitlist, retention_days, description_pl,"
        " description_en, room, registration_opens_at, registration_closes_at, group_limit,"
        " ask_organization, ask_country, ask_role)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
        " $18, $19, $20, $21, $22, $23)",
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
        event.waitlist,
        event.retention_days,
        event.description.pl,
        event.description.en,
        event.room,
        event.registration_opens_at,
        event.registration_closes_at,
        event.group_limit,
        event.profile_fields.organization,
        event.profile_fields.country,
        event.profile_fields.role,
    )


async def select_event(conn: Conn, slug: str) -> Event | None:
    row = await conn.fetchrow(f"SELECT {_EVENT_COLUMNS} FROM events WHERE slug = $1", slug)
    return _event(row) if row else None


async def select_event_by_id(conn: Conn, event_id: uuid.UUID) -> Event:
    row = await conn.fetchrow(f"SELECT {_EVENT_COLUMNS} FROM events WHERE id = $1", event_id)
    return _event(row)


async def select_event_for_update(conn: asyncpg.Connection, event_id: uuid.UUID) -> Event:
    row = await conn.fetchrow(
        f"SELECT {_EVENT_COLUMNS} FROM events WHERE id = $1 FOR UPDATE", event_id
    )
    return _event(row)


async def select_events(conn: Conn, include_drafts: bool) -> list[Event]:
    rows = await conn.fetch(
        f"SELECT {_EVENT_COLUMNS} FROM events"
        " WHERE status = 'published' OR ($1 AND status = 'draft')"
        " ORDER BY starts_at, slug",
        include_drafts,
    )
    return [_event(r) for r in rows]


async def select_event_status(conn: Conn, event_id: uuid.UUID) -> str | None:
    status: str | None = await conn.fetchval("SELECT status FROM events WHERE id = $1", event_id)
    return status


async def update_event_seats(conn: asyncpg.Connection, event_id: uuid.UUID, delta: int) -> None:
    await conn.execute("UPDATE events SET taken = taken + $2 WHERE id = $1", event_id, delta)


async def update_event_status(conn: asyncpg.Connection, event_id: uuid.UUID, status: str) -> Event:
    row = await conn.fetchrow(
        "UPDATE events SET status = $2, version = version + 1 WHERE id = $1"
        f" RETURNING {_EVENT_COLUMNS}",
        event_id,
        status,
    )
    return _event(row)


async def update_event_fields(
    conn: asyncpg.Connection, event_id: uuid.UUID, fields: dict[str, Any]
) -> Event:
    """Set the given columns (names from the code, never from a request) and bump the
    version; with no fields, only the version moves."""
    sets = "".join(f"{column} = ${i}, " for i, column in enumerate(fields, start=2))
    row = await conn.fetchrow(
        f"UPDATE events SET {sets}version = version + 1 WHERE id = $1 RETURNING {_EVENT_COLUMNS}",
        event_id,
        *fields.values(),
    )
    return _event(row)


async def select_event_for_registration(
    conn: Conn, slug: str
) -> tuple[Event, list[TicketType], list[Question], list[Session]] | None:
    """The event, its ticket types, questions and sessions in one round trip (the hot path)."""
    row = await conn.fetchrow(
        f"SELECT {_EVENT_COLUMNS}, (SELECT coalesce(json_agg(json_build_object("
        "   'id', t.id, 'event_id', t.event_id, 'slug', t.slug,"
        "   'name', json_build_object('pl', t.name_pl, 'en', t.name_en),"
        "   'quota', t.quota, 'taken', t.taken,"
        "   'access_code_hash', t.access_code_hash) ORDER BY t.created_at, t.slug), '[]')"
        "  FROM ticket_types t WHERE t.event_id = events.id)::text AS ticket_types,"
        " (SELECT coalesce(json_agg(json_build_object('key', q.key, 'kind', q.kind,"
        "   'label', json_build_object('pl', q.label_pl, 'en', q.label_en),"
        "   'required', q.required, 'options', q.options) ORDER BY q.position), '[]')"
        "  FROM questions q WHERE q.event_id = events.id)::text AS questions,"
        f" (SELECT coalesce(json_agg(json_build_object({SESSION_JSON})"
        "   ORDER BY s.starts_at, s.slug), '[]')"
        "  FROM sessions s WHERE s.event_id = events.id)::text AS sessions"
        " FROM events WHERE slug = $1",
        slug,
    )
    if row is None:
        return None
    types = msgspec.json.decode(row["ticket_types"], type=list[TicketType])
    questions = msgspec.json.decode(row["questions"], type=list[Question])
    sessions = msgspec.json.decode(row["sessions"], type=list[Session])
    return _event(row), types, questions, sessions


async def select_event_stats(conn: Conn, event_id: uuid.UUID) -> EventStats:
    row = await conn.fetchrow(
        "SELECT count(*) FILTER (WHERE status = 'confirmed') AS confirmed,"
        " count(*) FILTER (WHERE status = 'waitlisted') AS waitlisted,"
        " count(*) FILTER (WHERE status = 'offered') AS offered,"
        " count(*) FILTER (WHERE status = 'cancelled') AS cancelled"
        " FROM registrations WHERE event_id = $1",
        event_id,
    )
    return msgspec.convert(dict(row), EventStats)


async def select_all_events_with_stats(conn: Conn) -> list[tuple[Event, EventStats]]:
    """Every event, drafts and cancelled ones too, with its registrations by status."""
    rows = await conn.fetch(
        f"SELECT {_EVENT_COLUMNS}, c.confirmed, c.waitlisted, c.offered, c.cancelled"
        " FROM events LEFT JOIN LATERAL ("
        "  SELECT count(*) FILTER (WHERE r.status = 'confirmed') AS confirmed,"
        "  count(*) FILTER (WHERE r.status = 'waitlisted') AS waitlisted,"
        "  count(*) FILTER (WHERE r.status = 'offered') AS offered,"
        "  count(*) FILTER (WHERE r.status = 'cancelled') AS cancelled"
        "  FROM registrations r WHERE r.event_id = events.id) c ON true"
        " ORDER BY starts_at, slug"
    )
    return [
        (
            _event(r),
            EventStats(
                confirmed=r["confirmed"],
                waitlisted=r["waitlisted"],
                offered=r["offered"],
                cancelled=r["cancelled"],
            ),
        )
        for r in rows
    ]


async def select_active_languages(conn: Conn, event_id: uuid.UUID) -> dict[str, int]:
    """How many registrations not cancelled there are per language of their emails."""
    rows = await conn.fetch(
        "SELECT lang, count(*) AS n FROM registrations"
        " WHERE event_id = $1 AND status <> 'cancelled' GROUP BY lang",
        event_id,
    )
    return {r["lang"]: r["n"] for r in rows}
