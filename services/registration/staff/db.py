"""SQL of the staff accounts: people, roles, sign-in links, sessions, recovery codes; one
function per statement, rows leave as typed structs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TypeAlias

import asyncpg
import msgspec

Conn: TypeAlias = asyncpg.Connection | asyncpg.Pool


class Person(msgspec.Struct, frozen=True):
    id: uuid.UUID
    email: str
    name: str
    language: str
    totp_secret: str | None
    totp_enabled_at: datetime | None
    totp_last_step: int | None
    created_at: datetime
    removed_at: datetime | None


class RoleRow(msgspec.Struct, frozen=True):
    id: uuid.UUID
    staff_id: uuid.UUID
    role: str
    event_slug: str | None


class Redeemed(msgspec.Struct, frozen=True):
    """A sign-in link just used (or a challenge just met): whose, and where to go next."""

    link_id: uuid.UUID
    staff_id: uuid.UUID
    next_path: str


class SessionRow(msgspec.Struct, frozen=True):
    id: uuid.UUID
    created_at: datetime
    expires_at: datetime
    user_agent: str


_PERSON = (
    "id, email, name, language, totp_secret, totp_enabled_at, totp_last_step, created_at,"
    " removed_at"
)


def _person(row: asyncpg.Record | None) -> Person | None:
    return None if row is None else Person(**dict(row))


async def select_person(conn: Conn, staff_id: uuid.UUID) -> Person | None:
    return _person(await conn.fetchrow(f"SELECT {_PERSON} FROM staff WHERE id = $1", staff_id))


async def select_person_by_email(conn: Conn, email: str) -> Person | None:
    row = await conn.fetchrow(f"SELECT {_PERSON} FROM staff WHERE lower(email) = lower($1)", email)
    return _person(row)


async def select_people(conn: Conn) -> list[Person]:
    rows = await conn.fetch(
        f"SELECT {_PERSON} FROM staff WHERE removed_at IS NULL ORDER BY lower(name), email"
    )
    return [Person(**dict(r)) for r in rows]


async def insert_person(
    conn: Conn, staff_id: uuid.UUID, email: str, name: str, language: str
) -> Person:
    row = await conn.fetchrow(
        "INSERT INTO staff (id, email, name, language) VALUES ($1, $2, $3, $4)"
        f" RETURNING {_PERSON}",
        staff_id,
        email,
        name,
        language,
    )
    return Person(**dict(row))


async def update_person(conn: Conn, staff_id: uuid.UUID, name: str, language: str) -> Person | None:
    """Name and language; a removed person comes back (``removed_at`` cleared)."""
    row = await conn.fetchrow(
        f"UPDATE staff SET name = $2, language = $3, removed_at = NULL WHERE id = $1"
        f" RETURNING {_PERSON}",
        staff_id,
        name,
        language,
    )
    return _person(row)


async def update_language(conn: Conn, staff_id: uuid.UUID, language: str) -> None:
    await conn.execute("UPDATE staff SET language = $2 WHERE id = $1", staff_id, language)


async def update_removed(conn: Conn, staff_id: uuid.UUID) -> None:
    await conn.execute(
        "UPDATE staff SET removed_at = now(), totp_secret = NULL, totp_enabled_at = NULL"
        " WHERE id = $1",
        staff_id,
    )


async def select_roles(conn: Conn, staff_id: uuid.UUID) -> list[RoleRow]:
    rows = await conn.fetch(
        "SELECT id, staff_id, role, event_slug FROM staff_roles WHERE staff_id = $1"
        " ORDER BY event_slug NULLS FIRST",
        staff_id,
    )
    return [RoleRow(**dict(r)) for r in rows]


async def select_all_roles(conn: Conn) -> list[RoleRow]:
    rows = await conn.fetch(
        "SELECT id, staff_id, role, event_slug FROM staff_roles ORDER BY event_slug NULLS FIRST"
    )
    return [RoleRow(**dict(r)) for r in rows]


async def upsert_role(
    conn: Conn, staff_id: uuid.UUID, role: str, event_slug: str | None
) -> RoleRow:
    """The person's role at the event (all events: None), replacing the one they had."""
    row = await conn.fetchrow(
        "INSERT INTO staff_roles (id, staff_id, role, event_slug) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (staff_id, coalesce(event_slug, '*')) DO UPDATE SET role = EXCLUDED.role"
        " RETURNING id, staff_id, role, event_slug",
        uuid.uuid4(),
        staff_id,
        role,
        event_slug,
    )
    return RoleRow(**dict(row))


async def delete_role(conn: Conn, staff_id: uuid.UUID, role_id: uuid.UUID) -> RoleRow | None:
    row = await conn.fetchrow(
        "DELETE FROM staff_roles WHERE staff_id = $1 AND id = $2"
        " RETURNING id, staff_id, role, event_slug",
        staff_id,
        role_id,
    )
    return None if row is None else RoleRow(**dict(row))


async def delete_roles(conn: Conn, staff_id: uuid.UUID) -> None:
    await conn.execute("DELETE FROM staff_roles WHERE staff_id = $1", staff_id)


async def count_admins(conn: Conn) -> int:
    """People who are admins of all events and not removed (locked against a race)."""
    count: int = await conn.fetchval(
        "SELECT count(*) FROM (SELECT r.id FROM staff_roles r JOIN staff s ON s.id = r.staff_id"
        " WHERE r.role = 'admin' AND r.event_slug IS NULL AND s.removed_at IS NULL"
        " FOR UPDATE OF r) AS admins"
    )
    return count


class EventChoice(msgspec.Struct, frozen=True):
    slug: str
    name_pl: str
    name_en: str


async def select_event_choices(conn: Conn) -> list[EventChoice]:
    rows = await conn.fetch(
        "SELECT slug, name_pl, name_en FROM events ORDER BY starts_at DESC, slug"
    )
    return [EventChoice(r["slug"], r["name_pl"], r["name_en"]) for r in rows]


async def insert_link(
    conn: Conn, link_id: uuid.UUID, staff_id: uuid.UUID, secret_hash: str, next_path: str
) -> datetime:
    """A new sign-in link; returns when it expires (15 minutes from now)."""
    expires: datetime = await conn.fetchval(
        "INSERT INTO sign_in_links (id, staff_id, secret_hash, next_path) VALUES ($1, $2, $3, $4)"
        " RETURNING expires_at",
        link_id,
        staff_id,
        secret_hash,
        next_path,
    )
    return expires


async def select_link_usable(conn: Conn, secret_hash: str) -> bool:
    found = await conn.fetchval(
        "SELECT 1 FROM sign_in_links l JOIN staff s ON s.id = l.staff_id"
        " WHERE l.secret_hash = $1 AND l.used_at IS NULL AND l.expires_at > now()"
        " AND s.removed_at IS NULL",
        secret_hash,
    )
    return found is not None


async def update_link_used(conn: Conn, secret_hash: str) -> Redeemed | None:
    """Use the link, once, before it expires."""
    row = await conn.fetchrow(
        "UPDATE sign_in_links l SET used_at = now() FROM staff s"
        " WHERE l.secret_hash = $1 AND l.used_at IS NULL AND l.expires_at > now()"
        " AND s.id = l.staff_id AND s.removed_at IS NULL"
        " RETURNING l.id AS link_id, l.staff_id, l.next_path",
        secret_hash,
    )
    return None if row is None else Redeemed(**dict(row))


async def update_link_challenge(conn: Conn, link_id: uuid.UUID, challenge_hash: str) -> None:
    await conn.execute(
        "UPDATE sign_in_links SET challenge_hash = $2,"
        " challenge_expires_at = now() + interval '5 minutes' WHERE id = $1",
        link_id,
        challenge_hash,
    )


async def select_challenge(conn: Conn, challenge_hash: str, max_attempts: int) -> Redeemed | None:
    row = await conn.fetchrow(
        "SELECT id AS link_id, staff_id, next_path FROM sign_in_links"
        " WHERE challenge_hash = $1 AND challenge_used_at IS NULL"
        " AND challenge_expires_at > now() AND challenge_attempts < $2",
        challenge_hash,
        max_attempts,
    )
    return None if row is None else Redeemed(**dict(row))


async def update_challenge_attempt(conn: Conn, link_id: uuid.UUID) -> None:
    await conn.execute(
        "UPDATE sign_in_links SET challenge_attempts = challenge_attempts + 1 WHERE id = $1",
        link_id,
    )


async def update_challenge_used(conn: Conn, link_id: uuid.UUID) -> bool:
    done = await conn.execute(
        "UPDATE sign_in_links SET challenge_used_at = now()"
        " WHERE id = $1 AND challenge_used_at IS NULL",
        link_id,
    )
    return str(done).endswith(" 1")


async def insert_session(
    conn: Conn,
    session_id: uuid.UUID,
    staff_id: uuid.UUID,
    expires_at: datetime,
    user_agent: str,
) -> None:
    await conn.execute(
        "INSERT INTO staff_sessions (id, staff_id, expires_at, user_agent) VALUES ($1, $2, $3, $4)",
        session_id,
        staff_id,
        expires_at,
        user_agent[:300],
    )


async def select_open_sessions(conn: Conn, staff_id: uuid.UUID) -> list[SessionRow]:
    rows = await conn.fetch(
        "SELECT id, created_at, expires_at, user_agent FROM staff_sessions"
        " WHERE staff_id = $1 AND signed_out_at IS NULL AND expires_at > now()"
        " ORDER BY created_at DESC",
        staff_id,
    )
    return [SessionRow(**dict(r)) for r in rows]


async def select_signed_out_sessions(conn: Conn) -> list[uuid.UUID]:
    """Sessions signed out (or taken away) that would still be valid: revoked for good."""
    rows = await conn.fetch(
        "SELECT id FROM staff_sessions WHERE signed_out_at IS NOT NULL AND expires_at > now()"
    )
    return [row["id"] for row in rows]


async def update_session_signed_out(conn: Conn, session_id: uuid.UUID) -> None:
    await conn.execute(
        "UPDATE staff_sessions SET signed_out_at = now() WHERE id = $1 AND signed_out_at IS NULL",
        session_id,
    )


async def update_sessions_signed_out(conn: Conn, staff_id: uuid.UUID) -> list[uuid.UUID]:
    """Sign out every open session of the person; returns their ids."""
    rows = await conn.fetch(
        "UPDATE staff_sessions SET signed_out_at = now()"
        " WHERE staff_id = $1 AND signed_out_at IS NULL AND expires_at > now() RETURNING id",
        staff_id,
    )
    return [r["id"] for r in rows]


async def update_totp_secret(conn: Conn, staff_id: uuid.UUID, secret: str | None) -> None:
    """A new secret to set up (the second factor stays off until a code confirms it)."""
    await conn.execute(
        "UPDATE staff SET totp_secret = $2, totp_enabled_at = NULL, totp_last_step = NULL"
        " WHERE id = $1",
        staff_id,
        secret,
    )


async def update_pending_totp_secret(conn: Conn, staff_id: uuid.UUID, secret: str) -> None:
    """A new secret to set up, only while the second factor is off."""
    await conn.execute(
        "UPDATE staff SET totp_secret = $2, totp_last_step = NULL"
        " WHERE id = $1 AND totp_enabled_at IS NULL",
        staff_id,
        secret,
    )


async def update_totp_enabled(conn: Conn, staff_id: uuid.UUID, step: int) -> None:
    await conn.execute(
        "UPDATE staff SET totp_enabled_at = now(), totp_last_step = $2 WHERE id = $1",
        staff_id,
        step,
    )


async def update_totp_step(conn: Conn, staff_id: uuid.UUID, step: int) -> bool:
    """Take the code's time step, unless a code of this step or a later one was taken."""
    done = await conn.execute(
        "UPDATE staff SET totp_last_step = $2"
        " WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
        staff_id,
        step,
    )
    return str(done).endswith(" 1")


async def replace_recovery_codes(conn: Conn, staff_id: uuid.UUID, hashes: list[str]) -> None:
    await conn.execute(
        "WITH gone AS (DELETE FROM staff_recovery_codes WHERE staff_id = $1)"
        " INSERT INTO staff_recovery_codes (staff_id, code_hash)"
        " SELECT $1, h FROM unnest($2::text[]) AS h",
        staff_id,
        hashes,
    )


async def delete_recovery_codes(conn: Conn, staff_id: uuid.UUID) -> None:
    await conn.execute("DELETE FROM staff_recovery_codes WHERE staff_id = $1", staff_id)


async def update_recovery_code_used(conn: Conn, staff_id: uuid.UUID, code_hash: str) -> bool:
    done = await conn.execute(
        "UPDATE staff_recovery_codes SET used_at = now()"
        " WHERE staff_id = $1 AND code_hash = $2 AND used_at IS NULL",
        staff_id,
        code_hash,
    )
    return str(done).endswith(" 1")


async def count_recovery_codes_left(conn: Conn, staff_id: uuid.UUID) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM staff_recovery_codes WHERE staff_id = $1 AND used_at IS NULL",
        staff_id,
    )
    return count
