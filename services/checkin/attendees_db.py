"""SQL of the checkin service's attendee read model: who registered, with what profile."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from shared.events import Holder, Profile


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
