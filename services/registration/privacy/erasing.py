"""Personal data: what we keep about an attendee, and erasing it (on request, or past the
event's retention period)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg

from services.registration.audit import db as audit_db
from services.registration.audited import ByStaff
from services.registration.events import db as events_db
from services.registration.records import Registration
from services.registration.registrations import db
from services.registration.registrations.seats import cancel
from services.registration.sessions import db as sessions_db
from shared import events, outbox

CONTROLLER = "Politechnika Białostocka, Centrum Nowoczesnego Kształcenia"


async def personal_data(pool: asyncpg.Pool, registration: Registration) -> dict[str, Any]:
    """Everything we keep about the registration's attendee, for them to download."""
    event = await events_db.select_event_by_id(pool, registration.event_id)
    consent_version, consent_at, answers = await db.select_consent_and_answers(
        pool, registration.id
    )
    places = await sessions_db.select_places(pool, [registration.id], include_cancelled=True)
    return {
        "exported_at": datetime.now(UTC),
        "controller": CONTROLLER,
        "registration": {
            "id": registration.id,
            "name": registration.name,
            "email": registration.email,
            "lang": registration.lang,
            "organization": registration.organization,
            "country": registration.country,
            "role": registration.role,
            "status": registration.status,
            "created_at": registration.created_at,
            "cancelled_at": registration.cancelled_at,
            "erased_at": registration.erased_at,
            "consent": {"version": consent_version, "given_at": consent_at},
            "answers": answers,
            "sessions": [
                {"slug": p.session.slug, "name": p.session.name, "status": p.status} for p in places
            ],
        },
        "event": {"slug": event.slug, "name": event.name, "starts_at": event.starts_at},
    }


async def erase(
    conn: asyncpg.Connection, registration: Registration, reason: str, offer_hours: float
) -> Registration:
    """Cancel (freeing any seat) and anonymise; every other service follows the event."""
    current = await cancel(conn, registration, "erased", offer_hours)
    if current.erased_at is not None:
        return current
    erased = await db.update_registration_erased(conn, current.id)
    assert erased.erased_at is not None
    await audit_db.update_entries_erased(conn, erased.id)
    await outbox.enqueue(
        conn,
        events.RegistrationErased(
            registration_id=erased.id,
            event_id=erased.event_id,
            reason=reason,
            erased_at=erased.erased_at,
        ),
        erased.id,
        erased.version,
    )
    return erased


async def erase_now(
    pool: asyncpg.Pool,
    registration: Registration,
    reason: str,
    offer_hours: float,
    by: ByStaff | None = None,
) -> Registration:
    """Erase in a transaction of its own. ``by``: the person in the back office (the log
    keeps no personal data, only that it was erased)."""
    async with pool.acquire() as conn, conn.transaction():
        erased = await erase(conn, registration, reason, offer_hours)
        if by is not None and registration.erased_at is None:
            await by.record(
                conn,
                "registration.erased",
                registration_id=erased.id,
                before={"status": registration.status},
                after={"status": erased.status, "erased": True},
            )
        return erased


async def apply_retention(pool: asyncpg.Pool, offer_hours: float, batch: int = 200) -> int:
    done = 0
    for registration in await db.select_registrations_past_retention(pool, batch):
        async with pool.acquire() as conn, conn.transaction():
            await erase(conn, registration, "retention", offer_hours)
            done += 1
    return done
