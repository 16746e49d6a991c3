"""Personal data: an attendee downloads what we keep about them, or has it erased; events
with a retention period have their registrations anonymised automatically."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
from aiohttp import web

from services.registration import db, seats
from services.registration.handlers import registration_for
from services.registration.keys import ACTOR
from services.registration.schemas import Registration
from shared import events, outbox
from shared.http import json_response
from shared.keys import DB_POOL, SETTINGS


async def erase(
    conn: asyncpg.Connection, registration: Registration, reason: str, offer_hours: float
) -> Registration:
    """Cancel (freeing any seat) and anonymise; every other service follows the event."""
    current = await seats.cancel(conn, registration, "erased", offer_hours)
    if current.erased_at is not None:
        return current
    erased = await db.update_registration_erased(conn, current.id)
    assert erased.erased_at is not None
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


async def download_data(request: web.Request) -> web.Response:
    registration = await registration_for(request)
    pool = request.app[DB_POOL]
    event = await db.select_event_by_id(pool, registration.event_id)
    consent_version, consent_at, answers = await db.select_consent_and_answers(
        pool, registration.id
    )
    return json_response(
        {
            "exported_at": datetime.now(UTC),
            "controller": "Politechnika Białostocka, Centrum Nowoczesnego Kształcenia",
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
                    {"slug": p.session.slug, "name": p.session.name, "status": p.status}
                    for p in await db.select_places(pool, [registration.id], include_cancelled=True)
                ],
            },
            "event": {"slug": event.slug, "name": event.name, "starts_at": event.starts_at},
        },
        headers={
            "Content-Disposition": f'attachment; filename="registration-{registration.id}.json"'
        },
    )


async def erase_registration(request: web.Request) -> web.Response:
    registration = await registration_for(request)
    actor = request[ACTOR]
    pool = request.app[DB_POOL]
    async with pool.acquire() as conn, conn.transaction():
        erased = await erase(conn, registration, actor, request.app[SETTINGS].offer_hours)
    return json_response({"id": erased.id, "status": erased.status, "erased_at": erased.erased_at})


async def apply_retention(pool: asyncpg.Pool, offer_hours: float, batch: int = 200) -> int:
    done = 0
    for registration in await db.select_registrations_past_retention(pool, batch):
        async with pool.acquire() as conn, conn.transaction():
            await erase(conn, registration, "retention", offer_hours)
            done += 1
    return done
