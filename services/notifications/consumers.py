"""Event handlers of the notifications service: each calls its use case
(deliveries/queueing.py) in the consumer's transaction, with the event's sequence where
the read models keep versions."""

from __future__ import annotations

import asyncpg
from aiohttp import web

from services.notifications.deliveries import queueing
from shared import events
from shared.bus import Handler


async def queue_ticket_email(
    app: web.Application, conn: asyncpg.Connection, env: events.Envelope, data: events.TicketIssued
) -> None:
    await queueing.queue_ticket_email(conn, data)


async def queue_reissued_ticket_email(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.TicketReissued,
) -> None:
    await queueing.queue_reissued_ticket_email(conn, data)


async def record_event(
    app: web.Application, conn: asyncpg.Connection, env: events.Envelope, data: events.EventCreated
) -> None:
    await queueing.record_event(conn, env.sequence, data)


async def queue_event_changed_emails(
    app: web.Application, conn: asyncpg.Connection, env: events.Envelope, data: events.EventUpdated
) -> None:
    await queueing.queue_event_changed_emails(conn, env.sequence, data)


async def record_confirmation(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationConfirmed,
) -> None:
    await queueing.record_confirmation(conn, env.sequence, data)


async def queue_waitlisted_email(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationWaitlisted,
) -> None:
    await queueing.queue_waitlisted_email(conn, env.sequence, data)


async def queue_offer_email(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationOffered,
) -> None:
    await queueing.queue_offer_email(conn, env.sequence, data)


async def queue_session_offer_emails(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationSessionsChanged,
) -> None:
    await queueing.queue_session_offer_emails(conn, env.sequence, data)


async def queue_cancellation_email(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationCancelled,
) -> None:
    await queueing.queue_cancellation_email(conn, env.sequence, data)


async def erase_recipient(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationErased,
) -> None:
    await queueing.erase_recipient(conn, data)


async def queue_attempt_refused_email(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationAttemptRefused,
) -> None:
    await queueing.queue_attempt_refused_email(conn, data)


async def resend_latest_email(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationLinkRequested,
) -> None:
    await queueing.resend_latest(conn, data)


async def queue_message_email(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.MessageRequested,
) -> None:
    await queueing.queue_message_email(conn, data)


async def queue_certificate_email(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.CertificateIssued,
) -> None:
    await queueing.queue_certificate_email(conn, data)


async def queue_sign_in_email(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.StaffSignInRequested,
) -> None:
    await queueing.queue_sign_in_email(conn, data)


HANDLERS: dict[type[events.EventData], Handler] = {
    events.TicketIssued: queue_ticket_email,
    events.TicketReissued: queue_reissued_ticket_email,
}
REGISTRATION_HANDLERS: dict[type[events.EventData], Handler] = {
    events.EventCreated: record_event,
    events.EventUpdated: queue_event_changed_emails,
    events.RegistrationConfirmed: record_confirmation,
    events.RegistrationWaitlisted: queue_waitlisted_email,
    events.RegistrationOffered: queue_offer_email,
    events.RegistrationSessionsChanged: queue_session_offer_emails,
    events.RegistrationCancelled: queue_cancellation_email,
    events.RegistrationErased: erase_recipient,
    events.RegistrationAttemptRefused: queue_attempt_refused_email,
    events.MessageRequested: queue_message_email,
    events.RegistrationLinkRequested: resend_latest_email,
    events.StaffSignInRequested: queue_sign_in_email,
}
CHECKIN_HANDLERS: dict[type[events.EventData], Handler] = {
    events.CertificateIssued: queue_certificate_email,
}
