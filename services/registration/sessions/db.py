"""SQL of sessions and the registrations' places in them, one function per statement."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, TypeAlias

import asyncpg
import msgspec

from services.registration.records import Session, SessionPlace, SessionStats
from services.registration.schemas import LocalizedName

Conn: TypeAlias = asyncpg.Connection | asyncpg.Pool

_SESSION_COLUMNS = "id, event_id, slug, name_pl, name_en, starts_at, ends_at, capacity, taken, room"


SESSION_JSON = (
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


async def select_session_stats(conn: Conn, event_id: uuid.UUID) -> list[SessionStats]:
    rows = await conn.fetch(
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
    return [msgspec.convert(dict(r), SessionStats) for r in rows]
