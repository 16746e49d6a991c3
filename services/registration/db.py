"""SQL of the registration service, one function per statement."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, TypeAlias

import asyncpg
import msgspec

from services.registration.schemas import (
    Event,
    EventStats,
    LocalizedDescription,
    LocalizedName,
    Question,
    Registration,
    Session,
    SessionPlace,
    TicketType,
)
from shared.outbox import Prepared

Conn: TypeAlias = asyncpg.Connection | asyncpg.Pool

_EVENT_COLUMNS = (
    "id, slug, name_pl, name_en, kind, starts_at, ends_at, venue, capacity, taken, status,"
    " version, waitlist, retention_days, description_pl, description_en, room,"
    " registration_opens_at, registration_closes_at, group_limit"
)
_REGISTRATION_COLUMNS = (
    "id, event_id, name, email, lang, status, manage_token_hash, version, created_at,"
    " offer_expires_at, cancelled_at, cancel_reason, erased_at, organization, country, role,"
    " ticket_type_id, group_id, manage_token_sealed"
)
_TYPE_COLUMNS = "id, event_id, slug, name_pl, name_en, quota, taken, access_code_hash"


def _ticket_type(row: asyncpg.Record) -> TicketType:
    return TicketType(
        id=row["id"],
        event_id=row["event_id"],
        slug=row["slug"],
        name=LocalizedName(pl=row["name_pl"], en=row["name_en"]),
        quota=row["quota"],
        taken=row["taken"],
        access_code_hash=row["access_code_hash"],
    )


async def insert_ticket_type(conn: Conn, ticket_type: TicketType) -> None:
    await conn.execute(
        "INSERT INTO ticket_types (id, event_id, slug, name_pl, name_en, quota,"
        " access_code_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        ticket_type.id,
        ticket_type.event_id,
        ticket_type.slug,
        ticket_type.name.pl,
        ticket_type.name.en,
        ticket_type.quota,
        ticket_type.access_code_hash,
    )


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
        f" (SELECT coalesce(json_agg(json_build_object({_SESSION_JSON})"
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


async def select_ticket_types(conn: Conn, event_id: uuid.UUID) -> list[TicketType]:
    rows = await conn.fetch(
        f"SELECT {_TYPE_COLUMNS} FROM ticket_types WHERE event_id = $1 ORDER BY created_at, slug",
        event_id,
    )
    return [_ticket_type(r) for r in rows]


async def update_ticket_type_seats(
    conn: asyncpg.Connection, ticket_type_id: uuid.UUID, delta: int
) -> None:
    await conn.execute(
        "UPDATE ticket_types SET taken = taken + $2 WHERE id = $1", ticket_type_id, delta
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
    )


def _registration(row: asyncpg.Record) -> Registration:
    return msgspec.convert(dict(row), Registration)


async def insert_event(conn: asyncpg.Connection, event: Event) -> None:
    await conn.execute(
        "INSERT INTO events (id, slug, name_pl, name_en, kind, starts_at, ends_at, venue,"
        " capacity, taken, status, version, waitlist, retention_days, description_pl,"
        " description_en, room, registration_opens_at, registration_closes_at, group_limit)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
        " $18, $19, $20)",
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


async def update_event_capacity(
    conn: asyncpg.Connection, event_id: uuid.UUID, capacity: int
) -> Event:
    row = await conn.fetchrow(
        "UPDATE events SET capacity = $2, version = version + 1 WHERE id = $1"
        f" RETURNING {_EVENT_COLUMNS}",
        event_id,
        capacity,
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


# Sessions -------------------------------------------------------------------------------

_SESSION_COLUMNS = "id, event_id, slug, name_pl, name_en, starts_at, ends_at, capacity, taken, room"
_SESSION_JSON = (
    "'id', s.id, 'event_id', s.event_id, 'slug', s.slug,"
    " 'name', json_build_object('pl', s.name_pl, 'en', s.name_en),"
    " 'starts_at', s.starts_at, 'ends_at', s.ends_at, 'capacity', s.capacity,"
    " 'taken', s.taken, 'room', s.room"
)


def _session(row: asyncpg.Record) -> Session:
    return Session(
        id=row["id"],
        event_id=row["event_id"],
        slug=row["slug"],
        name=LocalizedName(pl=row["name_pl"], en=row["name_en"]),
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        capacity=row["capacity"],
        taken=row["taken"],
        room=row["room"],
    )


async def insert_session(conn: Conn, session: Session) -> None:
    await conn.execute(
        "INSERT INTO sessions (id, event_id, slug, name_pl, name_en, starts_at, ends_at,"
        " capacity, room) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        session.id,
        session.event_id,
        session.slug,
        session.name.pl,
        session.name.en,
        session.starts_at,
        session.ends_at,
        session.capacity,
        session.room,
    )


async def select_sessions(conn: Conn, event_id: uuid.UUID) -> list[Session]:
    rows = await conn.fetch(
        f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE event_id = $1 ORDER BY starts_at, slug",
        event_id,
    )
    return [_session(r) for r in rows]


async def select_session_for_update(conn: asyncpg.Connection, session_id: uuid.UUID) -> Session:
    row = await conn.fetchrow(
        f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = $1 FOR UPDATE", session_id
    )
    return _session(row)


async def update_session_seats(conn: asyncpg.Connection, session_id: uuid.UUID, delta: int) -> bool:
    """Take (or give back, with a negative delta) seats; False when there are not enough."""
    done = await conn.fetchval(
        "UPDATE sessions SET taken = taken + $2 WHERE id = $1 AND taken + $2 <= capacity"
        " RETURNING true",
        session_id,
        delta,
    )
    return bool(done)


async def update_session_fields(
    conn: asyncpg.Connection, session_id: uuid.UUID, fields: dict[str, Any]
) -> Session:
    """Set the given columns (names from the code, never from a request)."""
    sets = ", ".join(f"{column} = ${i}" for i, column in enumerate(fields, start=2))
    row = await conn.fetchrow(
        f"UPDATE sessions SET {sets} WHERE id = $1 RETURNING {_SESSION_COLUMNS}",
        session_id,
        *fields.values(),
    )
    return _session(row)


_PLACE_COLUMNS = (
    "p.registration_id, p.status, p.queued_at, p.offer_expires_at,"
    # The place in the session's line, for waiting ones.
    " CASE WHEN p.status = 'waitlisted' THEN (SELECT count(*) + 1 FROM registration_sessions w"
    "  WHERE w.session_id = p.session_id AND w.status = 'waitlisted'"
    "  AND (w.queued_at, w.registration_id) < (p.queued_at, p.registration_id)) END AS position,"
    f" {', '.join('s.' + c.strip() for c in _SESSION_COLUMNS.split(','))}"
)


def _place(row: asyncpg.Record) -> SessionPlace:
    return SessionPlace(
        registration_id=row["registration_id"],
        session=_session(row),
        status=row["status"],
        queued_at=row["queued_at"],
        offer_expires_at=row["offer_expires_at"],
        position=row["position"],
    )


async def select_places(
    conn: Conn, registration_ids: list[uuid.UUID], include_cancelled: bool = False
) -> list[SessionPlace]:
    """The registrations' places in sessions; the ones given up only when asked."""
    rows = await conn.fetch(
        f"SELECT {_PLACE_COLUMNS} FROM registration_sessions p"
        " JOIN sessions s ON s.id = p.session_id"
        " WHERE p.registration_id = ANY($1::uuid[]) AND ($2 OR p.status <> 'cancelled')"
        " ORDER BY s.starts_at, s.slug",
        registration_ids,
        include_cancelled,
    )
    return [_place(r) for r in rows]


async def upsert_places(
    conn: asyncpg.Connection,
    registration_ids: list[uuid.UUID],
    session_id: uuid.UUID,
    status: str,
) -> None:
    # The line orders by the moment of placing, taken under the event's row lock, so it
    # is the order in which places were really given.
    await conn.execute(
        "INSERT INTO registration_sessions (registration_id, session_id, status, queued_at)"
        " SELECT r, $2, $3, clock_timestamp() FROM unnest($1::uuid[]) AS r"
        " ON CONFLICT (registration_id, session_id) DO UPDATE"
        " SET status = EXCLUDED.status, queued_at = EXCLUDED.queued_at, offer_expires_at = NULL",
        registration_ids,
        session_id,
        status,
    )


async def update_place(
    conn: asyncpg.Connection,
    registration_id: uuid.UUID,
    session_id: uuid.UUID,
    status: str,
    offer_expires_at: datetime | None = None,
) -> None:
    await conn.execute(
        "UPDATE registration_sessions SET status = $3, offer_expires_at = $4"
        " WHERE registration_id = $1 AND session_id = $2",
        registration_id,
        session_id,
        status,
        offer_expires_at,
    )


async def select_session_line_for_update(
    conn: asyncpg.Connection, session_id: uuid.UUID, limit: int
) -> list[uuid.UUID]:
    """The first ``limit`` registrations waiting in a session's line."""
    rows = await conn.fetch(
        "SELECT registration_id FROM registration_sessions"
        " WHERE session_id = $1 AND status = 'waitlisted'"
        " ORDER BY queued_at, registration_id LIMIT $2 FOR UPDATE",
        session_id,
        limit,
    )
    return [r["registration_id"] for r in rows]


async def select_expired_session_offers(conn: Conn, limit: int) -> list[SessionPlace]:
    rows = await conn.fetch(
        f"SELECT {_PLACE_COLUMNS} FROM registration_sessions p"
        " JOIN sessions s ON s.id = p.session_id"
        " WHERE p.status = 'offered' AND p.offer_expires_at <= now()"
        " ORDER BY p.offer_expires_at LIMIT $1",
        limit,
    )
    return [_place(r) for r in rows]


async def select_session_stats(conn: Conn, event_id: uuid.UUID) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT s.slug, s.capacity, s.taken,"
        " count(p.*) FILTER (WHERE p.status = 'confirmed') AS confirmed,"
        " count(p.*) FILTER (WHERE p.status = 'waitlisted') AS waitlisted,"
        " count(p.*) FILTER (WHERE p.status = 'offered') AS offered,"
        " count(p.*) FILTER (WHERE p.status = 'pending') AS pending,"
        " count(p.*) FILTER (WHERE p.status = 'cancelled') AS cancelled"
        " FROM sessions s LEFT JOIN registration_sessions p ON p.session_id = s.id"
        " WHERE s.event_id = $1 GROUP BY s.id ORDER BY s.starts_at, s.slug",
        event_id,
    )
    return rows


async def update_registration_version(
    conn: asyncpg.Connection, registration_id: uuid.UUID
) -> Registration:
    row = await conn.fetchrow(
        "UPDATE registrations SET version = version + 1"
        f" WHERE id = $1 RETURNING {_REGISTRATION_COLUMNS}",
        registration_id,
    )
    return _registration(row)


_INSERT_WITH_SEATS = (
    "WITH seat AS ("
    "  UPDATE events SET taken = taken + $3"
    # Published: a cancel committed while this waited for the row is seen here (the row
    # is re-read after the wait), so no seat, and no ticket, for a cancelled event.
    "  WHERE id = $2 AND taken + $3 <= capacity AND status = 'published' RETURNING id"
    "), type_seat AS ("
    # Only with the event seats, so both are taken together; a type past its quota
    # breaks ticket_types_within_quota and the whole statement rolls back.
    "  UPDATE ticket_types SET taken = taken + $3"
    "  WHERE id = $4 AND EXISTS (SELECT 1 FROM seat) RETURNING id"
    "), registration AS ("
    "  INSERT INTO registrations (id, event_id, name, email, email_key, lang, status,"
    "   manage_token_hash, consent_version, consent_at, version, created_at,"
    "   organization, country, role, ticket_type_id, group_id, answers,"
    "   manage_token_sealed)"
    "  SELECT u.id, $2, u.name, u.email, u.email_key, u.lang,"
    "   CASE WHEN EXISTS (SELECT 1 FROM seat) THEN 'confirmed' ELSE 'waitlisted' END,"
    "   u.token_hash, $5, $6, 1, $6, $7, $8, $9, $4, $10, $23::jsonb, u.sealed"
    "  FROM unnest($1::uuid[], $11::text[], $12::text[], $13::text[], $14::text[],"
    "   $15::text[], $24::text[]) AS u(id, name, email, email_key, lang, token_hash, sealed)"
    "  WHERE EXISTS (SELECT 1 FROM seat) OR $16"
    "  RETURNING status"
    "), line AS ("
    # Given $25, the line counted when the batch began, plus the batch's own ($26)
    # waitlisted by the statements before this one (visible in its snapshot).
    "  SELECT CASE WHEN $25::bigint IS NOT NULL THEN $25::bigint + (SELECT count(*)"
    "   FROM registrations WHERE id = ANY($26::uuid[]) AND status = 'waitlisted')"
    "   ELSE (SELECT count(*) FROM registrations"
    "    WHERE event_id = $2 AND status = 'waitlisted') END AS ahead"
    "), event AS ("
    "  INSERT INTO outbox (id, subject, payload)"
    "  SELECT CASE WHEN EXISTS (SELECT 1 FROM seat) THEN o.cid ELSE o.wid END,"
    "   CASE WHEN EXISTS (SELECT 1 FROM seat) THEN o.csubject ELSE o.wsubject END,"
    "   CASE WHEN EXISTS (SELECT 1 FROM seat) THEN o.cpayload ELSE convert_to("
    # JSON string values escape their quotes, so the key is the first match.
    "    regexp_replace(convert_from(o.wpayload, 'UTF8'), '\"position\":0\\y',"
    "     '\"position\":' || ((SELECT ahead FROM line)"
    "      + row_number() OVER (ORDER BY o.rid))), 'UTF8') END"
    "  FROM unnest($17::uuid[], $18::text[], $19::bytea[], $20::uuid[], $21::text[],"
    "   $22::bytea[], $1::uuid[]) AS o(cid, csubject, cpayload, wid, wsubject, wpayload, rid)"
    # (unnest pads shorter arrays with nulls: no rows when no events were given)
    "  WHERE EXISTS (SELECT 1 FROM registration) AND o.cid IS NOT NULL"
    ") SELECT (SELECT status FROM registration LIMIT 1) AS status,"
    " (SELECT ahead FROM line) AS ahead"
)


class NewRegistrations(msgspec.Struct, frozen=True):
    """One person or a whole group to store alike, with their events either way."""

    registrations: list[Registration]
    waitlist: bool
    if_confirmed: list[Prepared]
    if_waitlisted: list[Prepared]
    answers: dict[str, Any] | None = None


Outcome = tuple[str, dict[uuid.UUID, int]]


def _seats_args(
    new: NewRegistrations, consent_version: str, ahead: int | None, batch: list[uuid.UUID]
) -> tuple[Any, ...]:
    registrations, first = new.registrations, new.registrations[0]
    answers, waitlist = new.answers, new.waitlist
    if_confirmed, if_waitlisted = new.if_confirmed, new.if_waitlisted
    return (
        [r.id for r in registrations],
        first.event_id,
        len(registrations),
        first.ticket_type_id,
        consent_version,
        first.created_at,
        first.organization,
        first.country,
        first.role,
        first.group_id,
        [r.name for r in registrations],
        [r.email for r in registrations],
        [r.email.casefold() for r in registrations],
        [r.lang for r in registrations],
        [r.manage_token_hash for r in registrations],
        waitlist,
        [p.id for p in if_confirmed],
        [p.subject for p in if_confirmed],
        [p.payload for p in if_confirmed],
        [p.id for p in if_waitlisted],
        [p.subject for p in if_waitlisted],
        [p.payload for p in if_waitlisted],
        msgspec.json.encode(answers or {}).decode(),
        [r.manage_token_sealed for r in registrations],
        ahead,
        batch,
    )


def _outcome(row: asyncpg.Record | None, new: NewRegistrations) -> Outcome | None:
    if row is None or row["status"] is None:
        return None
    positions: dict[uuid.UUID, int] = {}
    if row["status"] == "waitlisted":
        ordered = sorted(r.id for r in new.registrations)
        positions = {rid: row["ahead"] + i for i, rid in enumerate(ordered, start=1)}
    return row["status"], positions


async def insert_registrations_with_seats(
    conn: Conn, new: NewRegistrations, consent_version: str
) -> Outcome | None:
    """Take seats for all of ``new.registrations`` (one person or a whole group) if there
    are enough, else put them all on the waitlist (if the event has one), and write the
    matching outbox rows, in one statement: the event row stays locked only for it.

    Returns the status and, when waitlisted, each one's position in line (counted in the
    statement's snapshot; the line orders by creation time, then id); or None when the
    event is full and has no waitlist. Waitlisted outbox payloads carry ``"position":0``,
    which the statement replaces with the real position.
    """
    row = await conn.fetchrow(_INSERT_WITH_SEATS, *_seats_args(new, consent_version, None, []))
    return _outcome(row, new)


async def lock_line(conn: asyncpg.Connection, event_id: uuid.UUID) -> None:
    """Lock the event's row until the caller's transaction ends, before its line is
    counted: transactions that count the line and join it (batches, registrations with
    sessions, in any instance) then take turns, and no position is given twice. NO KEY
    UPDATE, the seat update's own lock, lets inserts referring to the event go on."""
    await conn.execute("SELECT 1 FROM events WHERE id = $1 FOR NO KEY UPDATE", event_id)


async def insert_batch_with_seats(
    conn: asyncpg.Connection, event_id: uuid.UUID, batch: list[NewRegistrations], consent: str
) -> list[Outcome | None]:
    """Each of ``batch`` (all for one event) as insert_registrations_with_seats stores it,
    in the caller's transaction, sent together in one round trip. The line is counted once
    for the batch (counting it costs as much as it is long); each statement adds the
    batch's registrations waitlisted before it."""
    await lock_line(conn, event_id)
    ahead: int = await conn.fetchval(
        "SELECT count(*) FROM registrations WHERE event_id = $1 AND status = 'waitlisted'",
        event_id,
    )
    ids = [r.id for new in batch for r in new.registrations]
    rows = await conn.fetchmany(
        _INSERT_WITH_SEATS, [_seats_args(new, consent, ahead, ids) for new in batch]
    )
    return [_outcome(row, new) for row, new in zip(rows, batch, strict=True)]


async def select_registration_ids_by_email(
    conn: Conn, event_id: uuid.UUID, email_keys: list[str]
) -> dict[str, uuid.UUID]:
    """The registrations (not cancelled) of ``email_keys`` for the event, by email key."""
    rows = await conn.fetch(
        "SELECT email_key, id FROM registrations WHERE event_id = $1 AND status <> 'cancelled'"
        " AND email_key = ANY($2::text[])",
        event_id,
        email_keys,
    )
    return {r["email_key"]: r["id"] for r in rows}


async def select_registration(conn: Conn, registration_id: uuid.UUID) -> Registration | None:
    row = await conn.fetchrow(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations WHERE id = $1", registration_id
    )
    return _registration(row) if row else None


async def select_registration_for_update(
    conn: asyncpg.Connection, registration_id: uuid.UUID
) -> Registration:
    row = await conn.fetchrow(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations WHERE id = $1 FOR UPDATE",
        registration_id,
    )
    return _registration(row)


async def select_waitlist_position(conn: Conn, registration: Registration) -> int:
    position: int = await conn.fetchval(
        "SELECT count(*) + 1 FROM registrations WHERE event_id = $1 AND status = 'waitlisted'"
        " AND (created_at, id) < ($2, $3)",
        registration.event_id,
        registration.created_at,
        registration.id,
    )
    return position


async def select_first_waitlisted_for_update(
    conn: asyncpg.Connection, event_id: uuid.UUID, limit: int | None
) -> list[Registration]:
    rows = await conn.fetch(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations"
        " WHERE event_id = $1 AND status = 'waitlisted'"
        " ORDER BY created_at, id LIMIT $2 FOR UPDATE",
        event_id,
        limit,
    )
    return [_registration(r) for r in rows]


async def update_registration_status(
    conn: asyncpg.Connection,
    registration_id: uuid.UUID,
    status: str,
    *,
    offer_expires_at: datetime | None = None,
    cancel_reason: str | None = None,
) -> Registration:
    row = await conn.fetchrow(
        "UPDATE registrations SET status = $2, offer_expires_at = $3, cancel_reason = $4,"
        " cancelled_at = CASE WHEN $2 = 'cancelled' THEN now() END, version = version + 1"
        f" WHERE id = $1 RETURNING {_REGISTRATION_COLUMNS}",
        registration_id,
        status,
        offer_expires_at,
        cancel_reason,
    )
    return _registration(row)


async def select_active_registrations_for_update(
    conn: asyncpg.Connection, event_id: uuid.UUID
) -> list[Registration]:
    rows = await conn.fetch(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations"
        " WHERE event_id = $1 AND status <> 'cancelled' ORDER BY created_at FOR UPDATE",
        event_id,
    )
    return [_registration(r) for r in rows]


async def select_event_status(conn: Conn, event_id: uuid.UUID) -> str | None:
    status: str | None = await conn.fetchval("SELECT status FROM events WHERE id = $1", event_id)
    return status


async def select_registrations_of_cancelled_events(conn: Conn, limit: int) -> list[Registration]:
    """Registrations still active although their event is cancelled: stored by a statement
    that began before the cancel committed and ended after it looked (see the sweeper)."""
    rows = await conn.fetch(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations"
        " WHERE status <> 'cancelled'"
        "  AND event_id IN (SELECT id FROM events WHERE status = 'cancelled')"
        " ORDER BY created_at, id LIMIT $1",
        limit,
    )
    return [_registration(r) for r in rows]


async def select_expired_offers(conn: Conn, limit: int) -> list[Registration]:
    rows = await conn.fetch(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations"
        " WHERE status = 'offered' AND offer_expires_at <= now()"
        " ORDER BY offer_expires_at LIMIT $1",
        limit,
    )
    return [_registration(r) for r in rows]


async def select_registrations(
    conn: Conn,
    event_id: uuid.UUID,
    *,
    status: str | None,
    query: str | None,
    limit: int | None,
    offset: int,
    session_id: uuid.UUID | None = None,
) -> tuple[list[Registration], int]:
    """A page of an event's registrations, oldest first, and how many match in all."""
    pattern = None
    if query:
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
    where = (
        "event_id = $1 AND ($2::text IS NULL OR status = $2)"
        " AND ($3::text IS NULL OR name ILIKE $3 OR email ILIKE $3)"
        " AND ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM registration_sessions p"
        "  WHERE p.registration_id = registrations.id AND p.session_id = $4"
        "  AND p.status <> 'cancelled'))"
    )
    total: int = await conn.fetchval(
        f"SELECT count(*) FROM registrations WHERE {where}", event_id, status, pattern, session_id
    )
    rows = await conn.fetch(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations WHERE {where}"
        " ORDER BY created_at, id LIMIT $5 OFFSET $6",
        event_id,
        status,
        pattern,
        session_id,
        limit,
        offset,
    )
    return [_registration(r) for r in rows], total


async def select_consent_and_answers(
    conn: Conn, registration_id: uuid.UUID
) -> tuple[str, datetime, dict[str, Any]]:
    row = await conn.fetchrow(
        "SELECT consent_version, consent_at, answers::text AS answers FROM registrations"
        " WHERE id = $1",
        registration_id,
    )
    return row["consent_version"], row["consent_at"], msgspec.json.decode(row["answers"])


async def update_registration_erased(
    conn: asyncpg.Connection, registration_id: uuid.UUID
) -> Registration:
    # The email key stays unique per registration, so the person may register again.
    row = await conn.fetchrow(
        "UPDATE registrations SET name = '[erased]', email = 'erased-' || id || '@invalid',"
        " email_key = 'erased-' || id, organization = NULL, answers = '{}', erased_at = now(),"
        " manage_token_sealed = NULL,"
        " version = version + 1"
        f" WHERE id = $1 RETURNING {_REGISTRATION_COLUMNS}",
        registration_id,
    )
    return _registration(row)


async def select_registrations_past_retention(conn: Conn, limit: int) -> list[Registration]:
    rows = await conn.fetch(
        f"SELECT {', '.join('r.' + c.strip() for c in _REGISTRATION_COLUMNS.split(','))}"
        " FROM registrations r JOIN events e ON e.id = r.event_id"
        " WHERE r.erased_at IS NULL AND e.retention_days IS NOT NULL"
        " AND e.ends_at + make_interval(days => e.retention_days) < now()"
        " LIMIT $1",
        limit,
    )
    return [_registration(r) for r in rows]


async def select_answers(conn: Conn, registration_ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
    rows = await conn.fetch(
        "SELECT id, answers::text AS answers FROM registrations WHERE id = ANY($1::uuid[])",
        registration_ids,
    )
    return {r["id"]: msgspec.json.decode(r["answers"]) for r in rows}


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
