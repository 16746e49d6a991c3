"""SQL of the reminders: the events read model and the reminder deliveries, one function
per statement, rows typed."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import asyncpg
import msgspec

from shared.events import EventInfo, Lang, SessionChoice, SessionInfo


class DueEvent(msgspec.Struct, frozen=True):
    id: uuid.UUID
    starts_at: datetime


class ReminderEvent(msgspec.Struct, frozen=True):
    info: EventInfo
    sessions: list[SessionInfo]


class Recipient(msgspec.Struct, frozen=True):
    registration_id: uuid.UUID
    name: str
    email: str
    lang: Lang
    manage_token_sealed: str | None
    sessions: list[SessionChoice]


class ReminderRow(msgspec.Struct, frozen=True):
    id: uuid.UUID
    dedupe_key: str
    registration_id: uuid.UUID
    recipient: str
    lang: str
    payload: bytes


async def upsert_event(
    conn: asyncpg.Connection,
    *,
    info: EventInfo,
    status: str,
    sessions: list[SessionInfo],
    version: int,
) -> None:
    await conn.execute(
        "INSERT INTO events (id, info, status, starts_at, sessions, version)"
        " VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT (id) DO UPDATE SET info = EXCLUDED.info, status = EXCLUDED.status,"
        " starts_at = EXCLUDED.starts_at, sessions = EXCLUDED.sessions,"
        " version = EXCLUDED.version, updated_at = now()"
        " WHERE events.version <= EXCLUDED.version",
        info.id,
        msgspec.json.encode(info).decode(),
        status,
        info.starts_at,
        msgspec.json.encode(sessions).decode(),
        version,
    )


async def select_due_events(
    conn: asyncpg.Connection | asyncpg.Pool, within: timedelta
) -> list[DueEvent]:
    rows = await conn.fetch(
        "SELECT id, starts_at FROM events WHERE status = 'published'"
        " AND starts_at > now() AND starts_at <= now() + $1::interval ORDER BY starts_at",
        within,
    )
    return [DueEvent(id=r["id"], starts_at=r["starts_at"]) for r in rows]


async def select_event_for_reminders(
    conn: asyncpg.Connection, event_id: uuid.UUID, starts_at: datetime
) -> ReminderEvent | None:
    """The event if it is still published and starts at ``starts_at``, share-locked until
    the transaction ends: a change to it waits, then withdraws what this one queued.
    None also when a change holds it now (the next pass will see the outcome)."""
    row = await conn.fetchrow(
        "SELECT info::text AS info, sessions::text AS sessions FROM events"
        " WHERE id = $1 AND starts_at = $2 AND status = 'published' FOR SHARE SKIP LOCKED",
        event_id,
        starts_at,
    )
    if row is None:
        return None
    return ReminderEvent(
        info=msgspec.json.decode(row["info"], type=EventInfo),
        sessions=msgspec.json.decode(row["sessions"], type=list[SessionInfo]),
    )


async def select_reminder_recipients(
    conn: asyncpg.Connection,
    *,
    event_id: uuid.UUID,
    key_suffix: str,
    confirmed_by: datetime,
) -> list[Recipient]:
    """Confirmed attendees (by ``confirmed_by`` where known) without a reminder keyed
    ``reminder:{registration}:{key_suffix}``, share-locked like the event; an attendee a
    change holds now is left to the next pass."""
    rows = await conn.fetch(
        "SELECT a.registration_id, a.name, a.email, a.lang, a.manage_token_sealed,"
        " coalesce(a.sessions, '[]'::jsonb)::text AS sessions FROM attendees a"
        " WHERE a.event_id = $1 AND a.status = 'confirmed'"
        " AND (a.confirmed_at IS NULL OR a.confirmed_at <= $3)"
        " AND NOT EXISTS (SELECT 1 FROM deliveries d"
        "  WHERE d.dedupe_key = 'reminder:' || a.registration_id || ':' || $2)"
        " ORDER BY a.registration_id FOR SHARE OF a SKIP LOCKED",
        event_id,
        key_suffix,
        confirmed_by,
    )
    return [
        Recipient(
            registration_id=r["registration_id"],
            name=r["name"],
            email=r["email"],
            lang=r["lang"],
            manage_token_sealed=r["manage_token_sealed"],
            sessions=msgspec.json.decode(r["sessions"], type=list[SessionChoice]),
        )
        for r in rows
    ]


async def insert_reminders(conn: asyncpg.Connection, reminders: list[ReminderRow]) -> int:
    """Queue them (in the given order: instances inserting the same keys wait for each
    other instead of deadlocking); a key already queued is skipped. Returns how many
    were queued."""
    queued: int = await conn.fetchval(
        "WITH queued AS ("
        "  INSERT INTO deliveries (id, dedupe_key, template, registration_id, recipient, lang,"
        "   payload, status, message_id)"
        "  SELECT id, dedupe_key, 'reminder', registration_id, recipient, lang, payload,"
        "   'pending', '<' || id || '@cnk-events>'"
        "  FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::jsonb[])"
        "   WITH ORDINALITY AS r(id, dedupe_key, registration_id, recipient, lang, payload, n)"
        "  ORDER BY n ON CONFLICT (dedupe_key) DO NOTHING RETURNING 1"
        ") SELECT count(*) FROM queued",
        [r.id for r in reminders],
        [r.dedupe_key for r in reminders],
        [r.registration_id for r in reminders],
        [r.recipient for r in reminders],
        [r.lang for r in reminders],
        [r.payload.decode() for r in reminders],
    )
    return queued


async def delete_pending_reminders_of_registration(
    conn: asyncpg.Connection, registration_id: uuid.UUID
) -> None:
    # One the sender holds right now is on its way and stays.
    await conn.execute(
        "DELETE FROM deliveries WHERE registration_id = $1 AND template = 'reminder'"
        " AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < now())",
        registration_id,
    )


async def delete_pending_reminders_of_event(conn: asyncpg.Connection, event_id: uuid.UUID) -> int:
    # As above; the scheduler queues them again from the event's new state if still due.
    deleted = await conn.execute(
        "DELETE FROM deliveries d USING attendees a"
        " WHERE a.event_id = $1 AND d.registration_id = a.registration_id"
        " AND d.template = 'reminder' AND d.status = 'pending'"
        " AND (d.claimed_until IS NULL OR d.claimed_until < now())",
        event_id,
    )
    return int(deleted.split()[-1])
