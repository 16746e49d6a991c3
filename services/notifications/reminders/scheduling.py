"""Reminders before events: a loop queues one per confirmed attendee once their event is
within ``REMINDER_HOURS`` of starting, keyed by the start so a moved event is reminded of
again."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import asyncpg
import msgspec
import structlog
from aiohttp import web

from services.notifications.deliveries import db as deliveries_db
from services.notifications.emails.payloads import Reminder
from services.notifications.reminders import db
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.events import Holder, SessionChoice, SessionInfo
from shared.tasks import periodic

log = structlog.get_logger()
# Someone confirmed this close to the start has just had the ticket email with the same
# time and place; a reminder on top of it would only be noise.
LATE_CONFIRMATION = timedelta(hours=2)


def reminder_key(registration_id: uuid.UUID, starts_at: datetime) -> str:
    return f"reminder:{registration_id}:{starts_at.isoformat()}"


def _current(choice: SessionChoice, sessions: dict[str, SessionInfo]) -> SessionChoice:
    """The attendee's session with its time and room as the event has them now."""
    info = sessions.get(choice.slug)
    if info is None:
        return choice
    return msgspec.structs.replace(
        choice, name=info.name, starts_at=info.starts_at, ends_at=info.ends_at, room=info.room
    )


async def queue_reminders(pool: asyncpg.Pool, within: timedelta) -> int:
    """Queue the reminders due now, one transaction per event; returns how many."""
    queued = 0
    for due in await db.select_due_events(pool, within):
        async with pool.acquire() as conn, conn.transaction():
            event = await db.select_event_for_reminders(conn, due.id, due.starts_at)
            if event is None:
                continue  # moved, cancelled or being changed since the query above
            recipients = await db.select_reminder_recipients(
                conn,
                event_id=due.id,
                key_suffix=due.starts_at.isoformat(),
                confirmed_by=due.starts_at - LATE_CONFIRMATION,
            )
            if not recipients:
                continue
            sessions = {s.slug: s for s in event.sessions}
            rows = []
            for r in recipients:
                delivery_id = uuid.uuid4()
                payload = Reminder(
                    registration_id=r.registration_id,
                    event=event.info,
                    holder=Holder(name=r.name, email=r.email, lang=r.lang),
                    sessions=[_current(c, sessions) for c in r.sessions],
                    manage_token_sealed=r.manage_token_sealed,
                )
                rows.append(
                    db.ReminderRow(
                        id=delivery_id,
                        dedupe_key=reminder_key(r.registration_id, due.starts_at),
                        registration_id=r.registration_id,
                        recipient=r.email,
                        lang=r.lang,
                        payload=msgspec.json.encode(payload),
                    )
                )
            count = await db.insert_reminders(conn, rows)
            if count:
                await deliveries_db.notify_sender(conn)
        queued += count
    return queued


async def reminder_scheduler(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    if settings.reminder_hours == 0:  # REMINDER_HOURS=0: reminders are off
        yield
        return
    within = timedelta(hours=settings.reminder_hours)

    async def schedule() -> None:
        queued = await queue_reminders(app[DB_POOL], within)
        if queued:
            log.info("reminders_queued", count=queued)

    async with periodic("reminder-scheduler", schedule, settings.reminder_sweep_seconds):
        yield
