"""SQL that stores new registrations with their seats, or on the waitlist, and returns
each one's outcome; the caller writes the events from those outcomes."""

from __future__ import annotations

import uuid
from typing import Any, TypeAlias

import asyncpg
import msgspec

from services.registration.records import Registration

Conn: TypeAlias = asyncpg.Connection | asyncpg.Pool

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
    "   u.token_hash, $5, $6, 1, $6, $7, $8, $9, $4, $10, $17::jsonb, u.sealed"
    "  FROM unnest($1::uuid[], $11::text[], $12::text[], $13::text[], $14::text[],"
    "   $15::text[], $18::text[]) AS u(id, name, email, email_key, lang, token_hash, sealed)"
    "  WHERE EXISTS (SELECT 1 FROM seat) OR $16"
    "  RETURNING status"
    "), line AS ("
    # Given $19, the line counted when the batch began, plus the batch's own ($20)
    # waitlisted by the statements before this one (visible in its snapshot).
    "  SELECT CASE WHEN $19::bigint IS NOT NULL THEN $19::bigint + (SELECT count(*)"
    "   FROM registrations WHERE id = ANY($20::uuid[]) AND status = 'waitlisted')"
    "   ELSE (SELECT count(*) FROM registrations"
    "    WHERE event_id = $2 AND status = 'waitlisted') END AS ahead"
    ") SELECT (SELECT status FROM registration LIMIT 1) AS status,"
    " (SELECT ahead FROM line) AS ahead"
)


class NewRegistrations(msgspec.Struct, frozen=True):
    """One person or a whole group to store alike."""

    registrations: list[Registration]
    waitlist: bool
    answers: dict[str, Any] | None = None


class Outcome(msgspec.Struct, frozen=True):
    """How new registrations were stored: all ``confirmed`` or all ``waitlisted``, then
    with each one's position in line."""

    status: str
    positions: dict[uuid.UUID, int]


def _seats_args(
    new: NewRegistrations, consent_version: str, ahead: int | None, batch: list[uuid.UUID]
) -> tuple[Any, ...]:
    registrations, first = new.registrations, new.registrations[0]
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
        new.waitlist,
        msgspec.json.encode(new.answers or {}).decode(),
        [r.manage_token_sealed for r in registrations],
        ahead,
        batch,
    )


def _outcome(row: asyncpg.Record | None, new: NewRegistrations) -> Outcome | None:
    if row is None or row["status"] is None:
        return None
    positions: dict[uuid.UUID, int] = {}
    if row["status"] == "waitlisted":
        # The line orders by creation time, then id; a group shares its creation time.
        ordered = sorted(r.id for r in new.registrations)
        positions = {rid: row["ahead"] + i for i, rid in enumerate(ordered, start=1)}
    return Outcome(row["status"], positions)


async def lock_line(conn: asyncpg.Connection, event_id: uuid.UUID) -> None:
    """Lock the event's row until the caller's transaction ends, before its line is
    counted: transactions that count the line and join it (batches, registrations with
    sessions, in any instance) then take turns, and no position is given twice. NO KEY
    UPDATE, the seat update's own lock, lets inserts referring to the event go on."""
    await conn.execute("SELECT 1 FROM events WHERE id = $1 FOR NO KEY UPDATE", event_id)


async def insert_registrations_with_seats(
    conn: Conn, new: NewRegistrations, consent_version: str
) -> Outcome | None:
    """Take seats for all of ``new.registrations`` (one person or a whole group) if there
    are enough, else put them all on the waitlist (if the event has one), in one statement:
    the event row stays locked only for it.

    Returns the status and, when waitlisted, each one's position in line (counted in the
    statement's snapshot); or None when the event is full and has no waitlist.
    """
    row = await conn.fetchrow(_INSERT_WITH_SEATS, *_seats_args(new, consent_version, None, []))
    return _outcome(row, new)


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
