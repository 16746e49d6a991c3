"""SQL of checkin's read model of events, registrations and tickets (what the consumers
write), and the attendees: who registered, with what profile."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
import msgspec

from shared.events import EventInfo, Holder, LocalizedText, Profile


async def upsert_attendee(
    conn: asyncpg.Connection,
    registration_id: uuid.UUID,
    event_id: uuid.UUID,
    status: str,
    holder: Holder,
    manage_token_hash: str,
) -> None:
    """The registration's status and holder, as every registration event carries them."""
    await conn.execute(
        "INSERT INTO registrations (id, event_id, status, holder_name, lang, manage_token_hash)"
        " VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status,"
        " holder_name = CASE WHEN registrations.erased THEN NULL ELSE EXCLUDED.holder_name END,"
        " lang = EXCLUDED.lang, manage_token_hash ="
        " CASE WHEN registrations.erased THEN NULL ELSE EXCLUDED.manage_token_hash END",
        registration_id,
        event_id,
        status,
        holder.name,
        holder.lang,
        manage_token_hash,
    )


async def update_attendee_confirmed(
    conn: asyncpg.Connection,
    registration_id: uuid.UUID,
    profile: Profile | None,
    confirmed_at: datetime,
) -> None:
    profile = profile or Profile()
    await conn.execute(
        "UPDATE registrations SET confirmed_at = $2,"
        " organization = CASE WHEN erased THEN NULL ELSE $3 END, country = $4, role = $5"
        " WHERE id = $1",
        registration_id,
        confirmed_at,
        profile.organization,
        profile.country,
        profile.role,
    )


async def update_attendee_erased(conn: asyncpg.Connection, registration_id: uuid.UUID) -> None:
    await conn.execute(
        "UPDATE registrations SET erased = true, holder_name = NULL, organization = NULL,"
        " manage_token_hash = NULL WHERE id = $1",
        registration_id,
    )


async def update_event_seats(
    conn: asyncpg.Connection, event_id: uuid.UUID, capacity: int, status: str
) -> None:
    await conn.execute(
        "UPDATE events SET capacity = $2, status = $3 WHERE id = $1", event_id, capacity, status
    )


class EventRow(msgspec.Struct, frozen=True):
    id: uuid.UUID
    slug: str
    name: LocalizedText


async def upsert_event(
    conn: asyncpg.Connection, event: EventInfo, main_list: str, main_list_name: str
) -> None:
    """The event as ``event`` describes it; a new one gets its main entrance list."""
    # Every registration and ticket event carries its event, and two consumers apply them
    # at once: an upsert (ON CONFLICT DO UPDATE) locks the row even when nothing changes,
    # so each consumer's batch waited for the other's. An UPDATE whose condition is false
    # takes no lock, and the insert happens once. Any conflict, not only on the id: the other
    # consumer's insert of the same event, still in flight, meets ours on the slug first
    # (a unique violation that had failed the batch, to be retried seconds later).
    await conn.execute(
        "WITH changed AS (UPDATE events SET slug = $2, name = $3, kind = $4, starts_at = $5,"
        "  ends_at = $6, venue = $7, info = $8"
        "  WHERE id = $1 AND (slug, name, kind, starts_at, ends_at, venue, info)"
        "   IS DISTINCT FROM ($2, $3, $4, $5, $6, $7, $8)"
        "), added AS (INSERT INTO events (id, slug, name, kind, starts_at, ends_at, venue, info)"
        "  SELECT $1, $2, $3, $4, $5, $6, $7, $8"
        "  WHERE NOT EXISTS (SELECT 1 FROM events WHERE id = $1)"
        "  ON CONFLICT DO NOTHING RETURNING id"
        ") INSERT INTO lists (event_id, slug, name, policy, origin)"
        " SELECT id, $9, $10, 'single', 'main' FROM added ON CONFLICT (event_id, slug) DO NOTHING",
        event.id,
        event.slug,
        msgspec.json.encode(event.name).decode(),
        event.kind,
        event.starts_at,
        event.ends_at,
        event.venue,
        msgspec.json.encode(event).decode(),  # the whole EventInfo, room included
        main_list,
        main_list_name,
    )


async def select_event_by_slug(
    conn: asyncpg.Connection | asyncpg.Pool, slug: str
) -> EventRow | None:
    row = await conn.fetchrow("SELECT id, slug, name FROM events WHERE slug = $1", slug)
    return _event(row) if row else None


async def select_event(conn: asyncpg.Connection, event_id: uuid.UUID) -> EventRow | None:
    row = await conn.fetchrow("SELECT id, slug, name FROM events WHERE id = $1", event_id)
    return _event(row) if row else None


def _event(row: asyncpg.Record) -> EventRow:
    return EventRow(
        id=row["id"], slug=row["slug"], name=msgspec.json.decode(row["name"], type=LocalizedText)
    )


async def upsert_registration(
    conn: asyncpg.Connection, registration_id: uuid.UUID, event_id: uuid.UUID, status: str
) -> None:
    await conn.execute(
        "INSERT INTO registrations (id, event_id, status) VALUES ($1, $2, $3)"
        " ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status",
        registration_id,
        event_id,
        status,
    )


async def upsert_ticket(
    conn: asyncpg.Connection,
    ticket_id: uuid.UUID,
    event_id: uuid.UUID,
    registration_id: uuid.UUID,
    holder_name: str,
) -> None:
    # A revocation may have arrived first; issuing never un-revokes. Nor does it make a
    # ticket valid whose registration checkin already knows is cancelled (the revocation
    # is on its way through tickets).
    await conn.execute(
        "INSERT INTO tickets (id, event_id, registration_id, holder_name, status, known)"
        " SELECT $1, $2, $3, $4, CASE WHEN EXISTS (SELECT 1 FROM registrations"
        "  WHERE id = $3 AND status = 'cancelled') THEN 'revoked' ELSE 'valid' END, true"
        " ON CONFLICT (id) DO UPDATE SET registration_id = EXCLUDED.registration_id,"
        " holder_name = EXCLUDED.holder_name, known = true, updated_at = now(),"
        " status = CASE WHEN EXCLUDED.status = 'revoked' THEN 'revoked' ELSE tickets.status END",
        ticket_id,
        event_id,
        registration_id,
        holder_name,
    )


async def update_tickets_revoked_for(conn: asyncpg.Connection, registration_id: uuid.UUID) -> None:
    """The registration is cancelled: its tickets are refused at once, without waiting for
    tickets' ``ticket.revoked`` (which does not come while tickets is down)."""
    await conn.execute(
        "UPDATE tickets SET status = 'revoked', updated_at = now()"
        " WHERE registration_id = $1 AND status = 'valid'",
        registration_id,
    )


async def upsert_ticket_revoked(
    conn: asyncpg.Connection, ticket_id: uuid.UUID, event_id: uuid.UUID
) -> None:
    await conn.execute(
        "INSERT INTO tickets (id, event_id, status, known) VALUES ($1, $2, 'revoked', false)"
        " ON CONFLICT (id) DO UPDATE SET status = 'revoked', updated_at = now()",
        ticket_id,
        event_id,
    )


async def update_tickets_erased(conn: asyncpg.Connection, registration_id: uuid.UUID) -> None:
    await conn.execute(
        "UPDATE tickets SET holder_name = NULL, updated_at = now() WHERE registration_id = $1",
        registration_id,
    )


async def update_scan_responses_erased(
    conn: asyncpg.Connection, registration_id: uuid.UUID
) -> None:
    # The stored verdicts (replayed for retried scan_ids) carry the holder's name too.
    await conn.execute(
        "UPDATE scans SET response = jsonb_set(response, '{ticket,holder_name}', 'null')"
        " WHERE ticket_id IN (SELECT id FROM tickets WHERE registration_id = $1)"
        " AND jsonb_typeof(response -> 'ticket') = 'object'",
        registration_id,
    )


class RegistrationTicket(msgspec.Struct, frozen=True):
    """A registration's event, and its ticket (the valid one first) if it has one."""

    event_id: uuid.UUID
    event_slug: str
    ticket_id: uuid.UUID | None


async def select_registration_ticket(
    conn: asyncpg.Connection | asyncpg.Pool, registration_id: uuid.UUID
) -> RegistrationTicket | None:
    row = await conn.fetchrow(
        "SELECT r.event_id, e.slug AS event_slug, t.id AS ticket_id"
        " FROM registrations r JOIN events e ON e.id = r.event_id"
        " LEFT JOIN LATERAL (SELECT id FROM tickets WHERE registration_id = r.id AND known"
        "  ORDER BY status = 'valid' DESC, updated_at DESC LIMIT 1) t ON true"
        " WHERE r.id = $1",
        registration_id,
    )
    return msgspec.convert(dict(row), RegistrationTicket) if row else None
