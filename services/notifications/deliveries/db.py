"""SQL of the deliveries: queueing them, the sender's claims and outcomes, the delivery
log; one function per statement, rows leave as ``Delivery``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import asyncpg
import msgspec


class Delivery(msgspec.Struct, frozen=True):
    id: uuid.UUID
    template: str
    registration_id: uuid.UUID | None  # None: a staff member's email (a sign-in link)
    recipient: str
    lang: str
    payload: msgspec.Raw
    status: str
    attempts: int
    last_error: str | None
    message_id: str
    created_at: datetime
    sent_at: datetime | None
    subject: str | None = None  # as sent (NULL before)


# Wakes the sender (of every instance) once the transaction commits.
_WAKE_SENDER = "pg_notify('deliveries_' || current_schema(), '')"
_COLUMNS = (
    "id, template, registration_id, recipient, lang, payload::text AS payload, status,"
    " attempts, last_error, message_id, created_at, sent_at, subject"
)


def _delivery(row: asyncpg.Record) -> Delivery:
    values = dict(row)
    values["payload"] = msgspec.Raw(values["payload"].encode())
    return Delivery(**values)


async def insert_delivery(
    conn: asyncpg.Connection,
    *,
    delivery_id: uuid.UUID,
    dedupe_key: str,
    template: str,
    registration_id: uuid.UUID | None,
    recipient: str,
    lang: str,
    payload: bytes,
    message_id: str,
) -> None:
    # A new row wakes the sender in the same statement: a round trip less per email.
    await conn.execute(
        "WITH queued AS ("
        "  INSERT INTO deliveries (id, dedupe_key, template, registration_id, recipient, lang,"
        "   payload, status, message_id) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8)"
        "  ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"
        f") SELECT count({_WAKE_SENDER}) FROM queued",
        delivery_id,
        dedupe_key,
        template,
        registration_id,
        recipient,
        lang,
        payload.decode(),
        message_id,
    )


async def insert_event_changed_deliveries(
    conn: asyncpg.Connection, *, event_id: uuid.UUID, sequence: int, payload: bytes
) -> int:
    """Queue the event_changed email for everyone still coming or waiting; the payload of
    each is ``payload`` plus that attendee's part. Returns how many were queued."""
    queued: int = await conn.fetchval(
        "WITH recipients AS ("
        "  SELECT gen_random_uuid() AS id, registration_id, name, email, lang, status,"
        "   manage_token_sealed FROM attendees"
        "  WHERE event_id = $1 AND status IN ('confirmed', 'waitlisted', 'offered')"
        "), queued AS ("
        "  INSERT INTO deliveries (id, dedupe_key, template, registration_id, recipient, lang,"
        "   payload, status, message_id)"
        "  SELECT id, format('event-changed:%s:%s:%s', $1::uuid, $2::bigint, registration_id),"
        "   'event_changed', registration_id, email, lang,"
        "   $3::jsonb || jsonb_build_object('registration_id', registration_id,"
        "    'holder', jsonb_build_object('name', name, 'email', email, 'lang', lang),"
        "    'status', status, 'manage_token_sealed', manage_token_sealed),"
        "   'pending', '<' || id || '@cnk-events>'"
        "  FROM recipients ON CONFLICT (dedupe_key) DO NOTHING RETURNING 1"
        ") SELECT count(*) FROM queued",
        event_id,
        sequence,
        payload.decode(),
    )
    return queued


async def insert_certificate_delivery(
    conn: asyncpg.Connection,
    *,
    delivery_id: uuid.UUID,
    certificate_id: uuid.UUID,
    registration_id: uuid.UUID,
    lang: str,
    certificate: bytes,
) -> str:
    """Queue the certificate_ready email to the attendee's address, once per certificate.
    Returns 'queued', 'queued before', 'erased' (nobody to write to) or 'unknown' (the
    attendee's registration event has not arrived yet)."""
    outcome: str = await conn.fetchval(
        "WITH attendee AS (SELECT registration_id, name, email, manage_token_sealed, status"
        "  FROM attendees WHERE registration_id = $3),"
        " queued AS (INSERT INTO deliveries (id, dedupe_key, template, registration_id,"
        "  recipient, lang, payload, status, message_id)"
        "  SELECT $1, 'certificate:' || $2::uuid, 'certificate_ready', registration_id, email, $4,"
        "   jsonb_build_object('certificate', $5::jsonb,"
        "    'holder', jsonb_build_object('name', $5::jsonb ->> 'holder_name', 'email', email,"
        "     'lang', $4::text), 'manage_token_sealed', manage_token_sealed),"
        "   'pending', '<' || $1::uuid || '@cnk-events>'"
        "  FROM attendee WHERE status <> 'erased'"
        "  ON CONFLICT (dedupe_key) DO NOTHING RETURNING 1)"
        " SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM attendee) THEN 'unknown'"
        "  WHEN EXISTS (SELECT 1 FROM attendee WHERE status = 'erased') THEN 'erased'"
        "  WHEN EXISTS (SELECT 1 FROM queued) THEN 'queued' ELSE 'queued before' END",
        delivery_id,
        certificate_id,
        registration_id,
        lang,
        certificate.decode(),
    )
    return outcome


async def notify_sender(conn: asyncpg.Connection) -> None:
    await conn.execute(f"SELECT {_WAKE_SENDER}")


async def update_claim_due(
    conn: asyncpg.Connection | asyncpg.Pool, limit: int, claim_seconds: float
) -> list[Delivery]:
    rows = await conn.fetch(
        "UPDATE deliveries SET claimed_until = now() + make_interval(secs => $2),"
        " attempts = attempts + 1"
        " WHERE id IN (SELECT id FROM deliveries WHERE status = 'pending'"
        "   AND next_attempt_at <= now() AND (claimed_until IS NULL OR claimed_until < now())"
        "   ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)"
        f" RETURNING {_COLUMNS}",
        limit,
        claim_seconds,
    )
    return [_delivery(r) for r in rows]


async def update_sent_many(
    conn: asyncpg.Connection, delivery_ids: list[uuid.UUID], subjects: dict[uuid.UUID, str]
) -> dict[uuid.UUID, datetime]:
    rows = await conn.fetch(
        "UPDATE deliveries d SET status = 'sent', sent_at = now(), claimed_until = NULL,"
        " last_error = NULL, subject = u.subject"
        " FROM unnest($1::uuid[], $2::text[]) AS u(id, subject)"
        " WHERE d.id = u.id RETURNING d.id, d.sent_at",
        delivery_ids,
        [subjects.get(i, "") for i in delivery_ids],
    )
    return {r["id"]: r["sent_at"] for r in rows}


async def update_failed(
    conn: asyncpg.Connection | asyncpg.Pool, delivery_id: uuid.UUID, error: str
) -> None:
    # A withdrawn one stays so (below): it was not going to be sent anyway.
    await conn.execute(
        "UPDATE deliveries SET status = 'failed', last_error = $2, claimed_until = NULL"
        " WHERE id = $1 AND status <> 'withdrawn'",
        delivery_id,
        error,
    )


async def update_retry(
    conn: asyncpg.Connection | asyncpg.Pool, delivery_id: uuid.UUID, error: str, delay: float
) -> None:
    # Only a pending one: one withdrawn while it was being sent keeps its reason. A reminder
    # whose registration or event was cancelled while it was being sent (the cancellation
    # deletes pending reminders, but not one the sender holds) goes instead of waiting.
    await conn.execute(
        "WITH gone AS ("
        "  DELETE FROM deliveries d WHERE d.id = $1 AND d.status = 'pending'"
        "   AND d.template = 'reminder' AND NOT EXISTS (SELECT 1 FROM attendees a"
        "    JOIN events e ON e.id = a.event_id WHERE a.registration_id = d.registration_id"
        "    AND a.status = 'confirmed' AND e.status = 'published')"
        "  RETURNING 1)"
        " UPDATE deliveries SET last_error = $2, claimed_until = NULL,"
        " next_attempt_at = now() + make_interval(secs => $3)"
        " WHERE id = $1 AND status = 'pending' AND NOT EXISTS (SELECT 1 FROM gone)",
        delivery_id,
        error,
        delay,
    )


# What a cancellation makes untrue: a ticket no longer valid, a place no longer held or
# offered, news of an event the person no longer attends, "you are already registered".
# Not the cancellation's own email, nor a certificate of attendance (it was earned);
# pending reminders are deleted instead (reminders/db.py), as the scheduler queues them.
WITHDRAWN_ON_CANCELLATION = (
    "ticket",
    "ticket_reissued",
    "waitlisted",
    "offer",
    "session_offer",
    "event_changed",
    "attempt_refused",
    "message",
)
# What a confirmation makes untrue: waiting for a seat, or an offer of one. The ticket
# email says the rest.
WITHDRAWN_ON_CONFIRMATION = ("waitlisted", "offer")


async def update_withdrawn(
    conn: asyncpg.Connection, registration_id: uuid.UUID, templates: Sequence[str], because: str
) -> None:
    """The registration's queued ``templates`` emails are not sent: what they say no longer
    holds, ``because`` of what happened to the registration since they were queued. One the
    sender holds right now may still go out; then it is recorded as sent (and a temporary
    failure does not put it back in the queue: retrying keeps the status)."""
    await conn.execute(
        "UPDATE deliveries SET status = 'withdrawn', last_error = 'withdrawn: ' || $3"
        " WHERE registration_id = $1 AND status = 'pending' AND template = ANY($2::text[])",
        registration_id,
        list(templates),
        because,
    )


async def update_deliveries_erased(conn: asyncpg.Connection, registration_id: uuid.UUID) -> None:
    # Pending ones are not sent any more: there is nobody to send them to.
    await conn.execute(
        "UPDATE deliveries SET recipient = 'erased-' || registration_id || '@invalid',"
        " payload = '{}'::jsonb,"
        " status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END,"
        " last_error = CASE WHEN status = 'pending' THEN 'recipient erased' ELSE last_error END"
        " WHERE registration_id = $1",
        registration_id,
    )


async def select_deliveries(
    conn: asyncpg.Connection | asyncpg.Pool, registration_id: uuid.UUID
) -> list[Delivery]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM deliveries WHERE registration_id = $1 ORDER BY created_at, id",
        registration_id,
    )
    return [_delivery(r) for r in rows]


async def insert_resend(
    conn: asyncpg.Connection | asyncpg.Pool, original_id: uuid.UUID, delivery_id: uuid.UUID
) -> Delivery | None:
    """A new pending copy of a sent or failed delivery, with its own Message-ID; None when
    the original does not exist, is still pending, was withdrawn or its recipient was
    erased."""
    row = await conn.fetchrow(
        "INSERT INTO deliveries (id, dedupe_key, template, registration_id, recipient, lang,"
        " payload, status, message_id)"
        " SELECT $2::uuid, 'resend:' || id || ':' || $2::uuid, template, registration_id,"
        "  recipient, lang, payload, 'pending', '<' || $2::uuid || '@cnk-events>'"
        " FROM deliveries WHERE id = $1 AND status IN ('sent', 'failed')"
        " AND payload <> '{}'::jsonb"
        f" RETURNING {_COLUMNS}",
        original_id,
        delivery_id,
    )
    return _delivery(row) if row else None


async def select_latest_sent(
    conn: asyncpg.Connection, registration_id: uuid.UUID, templates: list[str]
) -> uuid.UUID | None:
    """The registration's latest delivery of one of ``templates`` that went out (or failed)."""
    found: uuid.UUID | None = await conn.fetchval(
        "SELECT id FROM deliveries WHERE registration_id = $1 AND template = ANY($2::text[])"
        " AND status IN ('sent', 'failed') ORDER BY created_at DESC LIMIT 1",
        registration_id,
        templates,
    )
    return found


async def select_delivery(
    conn: asyncpg.Connection | asyncpg.Pool, delivery_id: uuid.UUID
) -> Delivery | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM deliveries WHERE id = $1", delivery_id)
    return _delivery(row) if row else None
