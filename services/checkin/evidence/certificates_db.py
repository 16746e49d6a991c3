"""SQL of certificates of attendance: keys, who attended, the certificates issued."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import asyncpg
import msgspec

from shared.events import EventInfo, SessionInfo


class KeyRow(msgspec.Struct, frozen=True):
    id: int
    private_key: bytes
    public_key: bytes
    created_at: datetime
    retired_at: datetime | None


class Subject(msgspec.Struct, frozen=True):
    """A registration as certificates need it, with its event."""

    registration_id: uuid.UUID
    holder_name: str | None
    lang: str | None
    manage_token_hash: str | None
    erased: bool
    event: EventInfo
    sessions: list[SessionInfo]


class Attendee(msgspec.Struct, frozen=True):
    registration_id: uuid.UUID
    holder_name: str
    lang: str
    days: list[date]


class CertificateRow(msgspec.Struct, frozen=True):
    id: uuid.UUID
    registration_id: uuid.UUID
    event_id: uuid.UUID
    scope: str
    holder_name: str | None
    lang: str
    issued_at: datetime
    claims: bytes | None
    signature: bytes | None
    key_id: int
    announced_at: datetime | None
    withdrawn_at: datetime | None


_KEY_COLUMNS = "id, private_key, public_key, created_at, retired_at"
_CERTIFICATE_COLUMNS = (
    "id, registration_id, event_id, scope, holder_name, lang, issued_at, claims, signature,"
    " key_id, announced_at, withdrawn_at"
)
# The event as EventInfo JSON: as last told, or built from the columns of older rows.
_EVENT_INFO = (
    "coalesce(e.info, jsonb_build_object('id', e.id, 'slug', e.slug, 'name', e.name,"
    " 'kind', e.kind, 'starts_at', e.starts_at, 'ends_at', e.ends_at, 'venue', e.venue))::text"
)


async def select_current_key(conn: asyncpg.Connection) -> KeyRow | None:
    row = await conn.fetchrow(
        f"SELECT {_KEY_COLUMNS} FROM certificate_keys WHERE retired_at IS NULL"
        " ORDER BY id DESC LIMIT 1"
    )
    return msgspec.convert(dict(row), KeyRow) if row else None


async def select_keys(conn: asyncpg.Connection | asyncpg.Pool) -> list[KeyRow]:
    rows = await conn.fetch(f"SELECT {_KEY_COLUMNS} FROM certificate_keys ORDER BY id")
    return [msgspec.convert(dict(r), KeyRow) for r in rows]


async def insert_key(conn: asyncpg.Connection, private_key: bytes, public_key: bytes) -> KeyRow:
    row = await conn.fetchrow(
        "INSERT INTO certificate_keys (id, private_key, public_key)"
        " SELECT coalesce(max(id), 0) + 1, $1, $2 FROM certificate_keys"
        f" RETURNING {_KEY_COLUMNS}",
        private_key,
        public_key,
    )
    return msgspec.convert(dict(row), KeyRow)


async def update_event_sessions(
    conn: asyncpg.Connection, event_id: uuid.UUID, sessions: list[SessionInfo]
) -> None:
    await conn.execute(
        "UPDATE events SET sessions = $2 WHERE id = $1",
        event_id,
        msgspec.json.encode(sessions).decode(),
    )


def _event_parts(row: asyncpg.Record) -> tuple[EventInfo, list[SessionInfo]]:
    info = msgspec.json.decode(row["event_info"], type=EventInfo)
    sessions = msgspec.json.decode(row["sessions"] or "[]", type=list[SessionInfo])
    return info, sessions


async def select_subject(
    conn: asyncpg.Connection | asyncpg.Pool, registration_id: uuid.UUID
) -> Subject | None:
    row = await conn.fetchrow(
        "SELECT r.id, coalesce(r.holder_name, (SELECT t.holder_name FROM tickets t"
        "  WHERE t.registration_id = r.id AND NOT r.erased LIMIT 1)) AS holder_name,"
        " r.lang, r.manage_token_hash, r.erased,"
        f" {_EVENT_INFO} AS event_info, e.sessions::text AS sessions"
        " FROM registrations r JOIN events e ON e.id = r.event_id WHERE r.id = $1",
        registration_id,
    )
    if row is None:
        return None
    event, sessions = _event_parts(row)
    return Subject(
        registration_id=row["id"],
        holder_name=row["holder_name"],
        lang=row["lang"],
        manage_token_hash=row["manage_token_hash"],
        erased=row["erased"],
        event=event,
        sessions=sessions,
    )


async def select_event_details(
    conn: asyncpg.Connection | asyncpg.Pool, event_id: uuid.UUID
) -> tuple[EventInfo, list[SessionInfo]] | None:
    row = await conn.fetchrow(
        f"SELECT {_EVENT_INFO} AS event_info, e.sessions::text AS sessions"
        " FROM events e WHERE e.id = $1",
        event_id,
    )
    return _event_parts(row) if row else None


async def select_attendees(
    conn: asyncpg.Connection | asyncpg.Pool,
    event_id: uuid.UUID,
    scope: str,
    registration_id: uuid.UUID | None = None,
) -> list[Attendee]:
    """Who has an accepted entry on one of the event's lists (scope 'event') or on the
    session's list (scope 'session:<slug>'), with the Warsaw days of their entries; erased
    registrations left out. ``registration_id`` narrows it to one registration."""
    rows = await conn.fetch(
        "WITH entries AS ("
        "  SELECT t.registration_id,"
        "   (s.scanned_at AT TIME ZONE 'Europe/Warsaw')::date AS day"
        "  FROM lists l JOIN scans s ON s.list_id = l.id AND s.result = 'accepted'"
        "  JOIN tickets t ON t.id = s.ticket_id"
        "  WHERE l.event_id = $1 AND t.registration_id IS NOT NULL"
        "   AND ($3::uuid IS NULL OR t.registration_id = $3)"
        "   AND ($2 = 'event' OR (l.origin = 'session' AND 'session:' || l.slug = $2))"
        ")"
        " SELECT r.id AS registration_id,"
        "  coalesce(r.holder_name, (SELECT t.holder_name FROM tickets t"
        "   WHERE t.registration_id = r.id LIMIT 1)) AS holder_name,"
        "  coalesce(r.lang, 'pl') AS lang,"
        "  array_agg(DISTINCT x.day ORDER BY x.day) AS days"
        " FROM entries x JOIN registrations r ON r.id = x.registration_id AND NOT r.erased"
        " GROUP BY r.id ORDER BY r.id",
        event_id,
        scope,
        registration_id,
    )
    return [
        Attendee(
            registration_id=r["registration_id"],
            holder_name=r["holder_name"],
            lang=r["lang"],
            days=list(r["days"]),
        )
        for r in rows
        if r["holder_name"]
    ]


class NewCertificate(msgspec.Struct, frozen=True):
    id: uuid.UUID
    registration_id: uuid.UUID
    event_id: uuid.UUID
    scope: str
    holder_name: str
    lang: str
    issued_at: datetime
    claims: bytes
    signature: bytes
    key_id: int


async def insert_certificates(
    conn: asyncpg.Connection, certificates: list[NewCertificate]
) -> set[uuid.UUID]:
    """Insert those whose registration and scope have none yet; the ids inserted."""
    rows = await conn.fetch(
        "INSERT INTO certificates (id, registration_id, event_id, scope, holder_name, lang,"
        " issued_at, claims, signature, key_id)"
        " SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[],"
        "  $6::text[], $7::timestamptz[], $8::bytea[], $9::bytea[], $10::integer[])"
        " ON CONFLICT (registration_id, scope) DO NOTHING RETURNING id",
        [c.id for c in certificates],
        [c.registration_id for c in certificates],
        [c.event_id for c in certificates],
        [c.scope for c in certificates],
        [c.holder_name for c in certificates],
        [c.lang for c in certificates],
        [c.issued_at for c in certificates],
        [c.claims for c in certificates],
        [c.signature for c in certificates],
        [c.key_id for c in certificates],
    )
    return {r["id"] for r in rows}


async def select_certificate(
    conn: asyncpg.Connection | asyncpg.Pool, certificate_id: uuid.UUID
) -> CertificateRow | None:
    row = await conn.fetchrow(
        f"SELECT {_CERTIFICATE_COLUMNS} FROM certificates WHERE id = $1", certificate_id
    )
    return msgspec.convert(dict(row), CertificateRow) if row else None


async def select_certificate_of(
    conn: asyncpg.Connection | asyncpg.Pool, registration_id: uuid.UUID, scope: str
) -> CertificateRow | None:
    row = await conn.fetchrow(
        f"SELECT {_CERTIFICATE_COLUMNS} FROM certificates"
        " WHERE registration_id = $1 AND scope = $2",
        registration_id,
        scope,
    )
    return msgspec.convert(dict(row), CertificateRow) if row else None


async def select_announced_count(conn: asyncpg.Connection, event_id: uuid.UUID, scope: str) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM certificates WHERE event_id = $1 AND scope = $2"
        " AND announced_at IS NOT NULL AND withdrawn_at IS NULL",
        event_id,
        scope,
    )
    return count


async def update_certificates_announced(
    conn: asyncpg.Connection, event_id: uuid.UUID, scope: str
) -> list[CertificateRow]:
    """Mark every certificate of the event and scope not yet announced; those marked.
    A concurrent run waits for this one's commit and then finds nothing left to mark."""
    rows = await conn.fetch(
        "UPDATE certificates SET announced_at = now()"
        " WHERE event_id = $1 AND scope = $2 AND announced_at IS NULL AND withdrawn_at IS NULL"
        f" RETURNING {_CERTIFICATE_COLUMNS}",
        event_id,
        scope,
    )
    return [msgspec.convert(dict(r), CertificateRow) for r in rows]


async def update_certificates_withdrawn(
    conn: asyncpg.Connection, registration_id: uuid.UUID
) -> None:
    await conn.execute(
        "UPDATE certificates SET withdrawn_at = coalesce(withdrawn_at, now()),"
        " holder_name = NULL, claims = NULL, signature = NULL WHERE registration_id = $1",
        registration_id,
    )


class SentCertificate(msgspec.Struct, frozen=True):
    """A certificate as the back office lists it: whose, for what, when issued and sent."""

    holder_name: str | None
    scope: str
    issued_at: datetime
    announced_at: datetime | None
    withdrawn_at: datetime | None


async def select_event_certificates(
    conn: asyncpg.Connection | asyncpg.Pool, event_id: uuid.UUID
) -> list[SentCertificate]:
    rows = await conn.fetch(
        "SELECT holder_name, scope, issued_at, announced_at, withdrawn_at FROM certificates"
        " WHERE event_id = $1 ORDER BY scope, holder_name, issued_at",
        event_id,
    )
    return [msgspec.convert(dict(r), SentCertificate) for r in rows]
