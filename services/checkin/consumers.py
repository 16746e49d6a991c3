"""Event handlers of the checkin service: its read models of events, registrations, tickets."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
from aiohttp import web

from services.checkin.attendees import db as attendees_db
from services.checkin.evidence import certificates_db
from services.checkin.lists import db as lists_db
from services.checkin.lists.db import MAIN_LIST
from shared import events
from shared.bus import Handler

# A session's list opens this long before the session starts, for the queue at the door.
SESSION_DOORS_OPEN = timedelta(minutes=30)


async def _record_event_info(conn: asyncpg.Connection, event: events.EventInfo) -> None:
    await attendees_db.upsert_event(conn, event, MAIN_LIST, "Main entrance")


async def _record_sessions(
    conn: asyncpg.Connection, event: events.EventInfo, sessions: list[events.SessionInfo]
) -> None:
    await certificates_db.update_event_sessions(conn, event.id, sessions)
    for session in sessions:
        await lists_db.upsert_session_list(
            conn,
            event.id,
            session.slug,
            session.name.en,
            session.starts_at - SESSION_DOORS_OPEN,
            session.ends_at,
        )


async def _record_ticket_types(
    conn: asyncpg.Connection, event: events.EventInfo, ticket_types: list[str] | None
) -> None:
    # None: a publisher older than the field; what is known already stays.
    if ticket_types is not None:
        await lists_db.update_event_ticket_types(conn, event.id, ticket_types)


def _confirmed(sessions: list[events.SessionChoice]) -> list[str]:
    return sorted(s.slug for s in sessions if s.status == "confirmed")


async def record_event(
    app: web.Application, conn: asyncpg.Connection, env: events.Envelope, data: events.EventCreated
) -> None:
    await _record_event_info(conn, data.event)
    await attendees_db.update_event_seats(conn, data.event.id, data.capacity, data.status)
    await _record_sessions(conn, data.event, data.sessions)
    await _record_ticket_types(conn, data.event, data.ticket_types)


async def record_registration(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationConfirmed,
) -> None:
    await _record_event_info(conn, data.event)
    await lists_db.upsert_registration_entitlement(
        conn,
        data.registration_id,
        data.event.id,
        "confirmed",
        data.ticket_type,
        _confirmed(data.sessions),
    )
    await attendees_db.upsert_attendee(
        conn, data.registration_id, data.event.id, "confirmed", data.holder, data.manage_token_hash
    )
    await attendees_db.update_attendee_confirmed(
        conn, data.registration_id, data.profile, data.confirmed_at
    )


async def record_waitlisting(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationWaitlisted,
) -> None:
    await _record_event_info(conn, data.event)
    await attendees_db.upsert_attendee(
        conn, data.registration_id, data.event.id, "waitlisted", data.holder, data.manage_token_hash
    )


async def record_offer(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationOffered,
) -> None:
    await _record_event_info(conn, data.event)
    await attendees_db.upsert_attendee(
        conn, data.registration_id, data.event.id, "offered", data.holder, data.manage_token_hash
    )


async def record_sessions_change(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationSessionsChanged,
) -> None:
    await _record_event_info(conn, data.event)
    await lists_db.upsert_registration_sessions(
        conn, data.registration_id, data.event.id, data.status, _confirmed(data.sessions)
    )
    await attendees_db.upsert_attendee(
        conn, data.registration_id, data.event.id, data.status, data.holder, data.manage_token_hash
    )


async def record_cancellation(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationCancelled,
) -> None:
    await attendees_db.upsert_registration(conn, data.registration_id, data.event.id, "cancelled")
    await attendees_db.update_tickets_revoked_for(conn, data.registration_id)


async def erase_holder(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationErased,
) -> None:
    await attendees_db.update_scan_responses_erased(conn, data.registration_id)
    await attendees_db.update_tickets_erased(conn, data.registration_id)
    await attendees_db.update_attendee_erased(conn, data.registration_id)
    await certificates_db.update_certificates_withdrawn(conn, data.registration_id)


async def record_event_update(
    app: web.Application, conn: asyncpg.Connection, env: events.Envelope, data: events.EventUpdated
) -> None:
    await _record_event_info(conn, data.event)
    await attendees_db.update_event_seats(conn, data.event.id, data.capacity, data.status)
    await _record_sessions(conn, data.event, data.sessions)
    await _record_ticket_types(conn, data.event, data.ticket_types)


async def record_ticket(
    app: web.Application, conn: asyncpg.Connection, env: events.Envelope, data: events.TicketIssued
) -> None:
    await _record_event_info(conn, data.event)
    await attendees_db.upsert_ticket(
        conn, data.ticket_id, data.event.id, data.registration_id, data.holder.name
    )


async def record_revocation(
    app: web.Application, conn: asyncpg.Connection, env: events.Envelope, data: events.TicketRevoked
) -> None:
    await attendees_db.upsert_ticket_revoked(conn, data.ticket_id, data.event_id)


REGISTRATION_HANDLERS: dict[type[events.EventData], Handler] = {
    events.EventCreated: record_event,
    events.EventUpdated: record_event_update,
    events.RegistrationConfirmed: record_registration,
    events.RegistrationWaitlisted: record_waitlisting,
    events.RegistrationOffered: record_offer,
    events.RegistrationSessionsChanged: record_sessions_change,
    events.RegistrationCancelled: record_cancellation,
    events.RegistrationErased: erase_holder,
}
TICKET_HANDLERS: dict[type[events.EventData], Handler] = {
    events.TicketIssued: record_ticket,
    events.TicketRevoked: record_revocation,
}
