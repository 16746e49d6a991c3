"""SQL of the attendees read model (who to write to, in which language, with which sealed
manage token) and of the certificates waiting for their attendee, one function per
statement."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
import msgspec

from shared.events import CertificateIssued, EventInfo, Holder, SessionChoice

_UPSERT_ATTENDEE = (
    "INSERT INTO attendees (registration_id, event_id, name, email, lang, status,"
    " manage_token_sealed, version, sessions, confirmed_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    " ON CONFLICT (registration_id) DO UPDATE SET event_id = EXCLUDED.event_id,"
    " name = EXCLUDED.name, email = EXCLUDED.email, lang = EXCLUDED.lang,"
    " status = EXCLUDED.status,"
    " manage_token_sealed = coalesce(EXCLUDED.manage_token_sealed,"
    "  attendees.manage_token_sealed),"
    " sessions = coalesce(EXCLUDED.sessions, attendees.sessions),"
    " confirmed_at = coalesce(EXCLUDED.confirmed_at, attendees.confirmed_at),"
    " version = EXCLUDED.version, updated_at = now()"
    " WHERE attendees.status <> 'erased' AND attendees.version <= EXCLUDED.version"
)


async def upsert_attendee(
    conn: asyncpg.Connection,
    *,
    registration_id: uuid.UUID,
    event: EventInfo,
    holder: Holder,
    status: str,
    manage_token_sealed: str | None,
    version: int,
    sessions: list[SessionChoice] | None = None,
    confirmed_at: datetime | None = None,
) -> list[CertificateIssued]:
    """The attendee as of ``version``. An erased attendee stays erased; a sealed token,
    sessions or confirmation time missing from an event keep the ones already known.

    A confirmation (``confirmed_at`` given) also, in the same statement (a round trip per
    registration counts in a burst): makes the event known to the reminders if it is not
    yet (an event created before that read model: people register only for published
    ones; its own event.updated replaces the row), and takes the certificates that waited
    for this attendee, returned.
    """
    args = (
        registration_id,
        event.id,
        holder.name,
        holder.email,
        holder.lang,
        status,
        manage_token_sealed,
        version,
        None if sessions is None else msgspec.json.encode(sessions).decode(),
        confirmed_at,
    )
    if confirmed_at is None:
        await conn.execute(_UPSERT_ATTENDEE, *args)
        return []
    rows = await conn.fetch(
        f"WITH attendee AS ({_UPSERT_ATTENDEE}), known AS ("
        "  INSERT INTO events (id, info, status, starts_at, version)"
        "  VALUES ($2, $11, 'published', $12, 0) ON CONFLICT (id) DO NOTHING"
        ") DELETE FROM certificates_waiting WHERE registration_id = $1"
        " RETURNING certificate::text",
        *args,
        msgspec.json.encode(event).decode(),
        event.starts_at,
    )
    return [msgspec.json.decode(r["certificate"], type=CertificateIssued) for r in rows]


class Attendee(msgspec.Struct, frozen=True):
    holder: Holder
    status: str
    manage_token_sealed: str | None
    sessions: list[SessionChoice] | None


async def select_attendee(
    conn: asyncpg.Connection | asyncpg.Pool, registration_id: uuid.UUID
) -> Attendee | None:
    row = await conn.fetchrow(
        "SELECT name, email, lang, status, manage_token_sealed, sessions::text AS sessions"
        " FROM attendees WHERE registration_id = $1",
        registration_id,
    )
    if row is None:
        return None
    return Attendee(
        holder=Holder(name=row["name"], email=row["email"], lang=row["lang"]),
        status=row["status"],
        manage_token_sealed=row["manage_token_sealed"],
        sessions=None
        if row["sessions"] is None
        else msgspec.json.decode(row["sessions"], type=list[SessionChoice]),
    )


async def update_attendee_erased(conn: asyncpg.Connection, registration_id: uuid.UUID) -> None:
    await conn.execute(
        "UPDATE attendees SET name = '', email = 'erased-' || registration_id || '@invalid',"
        " manage_token_sealed = NULL, status = 'erased', updated_at = now()"
        " WHERE registration_id = $1",
        registration_id,
    )


async def insert_certificate_waiting(
    conn: asyncpg.Connection, certificate: CertificateIssued
) -> None:
    await conn.execute(
        "INSERT INTO certificates_waiting (certificate_id, registration_id, certificate)"
        " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        certificate.certificate_id,
        certificate.registration_id,
        msgspec.json.encode(certificate).decode(),
    )


async def delete_certificates_waiting(
    conn: asyncpg.Connection, registration_id: uuid.UUID
) -> list[CertificateIssued]:
    """The certificates that waited for ``registration_id``'s attendee, no longer waiting."""
    rows = await conn.fetch(
        "DELETE FROM certificates_waiting WHERE registration_id = $1 RETURNING certificate::text",
        registration_id,
    )
    return [msgspec.json.decode(r["certificate"], type=CertificateIssued) for r in rows]


async def select_event_slug(
    conn: asyncpg.Connection | asyncpg.Pool, registration_id: uuid.UUID
) -> str | None:
    """The slug of the registration's event, as the registration's events told it."""
    slug: str | None = await conn.fetchval(
        "SELECT e.info->>'slug' FROM attendees a JOIN events e ON e.id = a.event_id"
        " WHERE a.registration_id = $1",
        registration_id,
    )
    return slug


async def select_event_info(
    conn: asyncpg.Connection | asyncpg.Pool, registration_id: uuid.UUID
) -> EventInfo | None:
    """The registration's event, as the event's own (or the registration's) events told it."""
    info: str | None = await conn.fetchval(
        "SELECT e.info::text FROM attendees a JOIN events e ON e.id = a.event_id"
        " WHERE a.registration_id = $1",
        registration_id,
    )
    return None if info is None else msgspec.json.decode(info, type=EventInfo)
