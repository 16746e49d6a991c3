"""The registration service's side of the wire contract: its rows as event data."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from services.registration.records import Event, Registration, Session, SessionPlace
from services.registration.registrations import db as registrations_db
from services.registration.sessions import db as sessions_db
from services.registration.ticket_types import db as ticket_types_db
from shared import events, outbox


def event_info(event: Event) -> events.EventInfo:
    return events.EventInfo(
        id=event.id,
        slug=event.slug,
        name=events.LocalizedText(pl=event.name.pl, en=event.name.en),
        kind=event.kind,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        venue=event.venue,
        room=event.room,
    )


def holder(registration: Registration) -> events.Holder:
    return events.Holder(name=registration.name, email=registration.email, lang=registration.lang)


def session_info(session: Session) -> events.SessionInfo:
    return events.SessionInfo(
        slug=session.slug,
        name=events.LocalizedText(pl=session.name.pl, en=session.name.en),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        capacity=session.capacity,
        room=session.room,
    )


def choices(places: list[SessionPlace]) -> list[events.SessionChoice]:
    """A registration's current sessions (select_places leaves out the ones given up)."""
    return [
        events.SessionChoice(
            slug=p.session.slug,
            status=p.status,
            offer_expires_at=p.offer_expires_at,
            name=events.LocalizedText(pl=p.session.name.pl, en=p.session.name.en),
            starts_at=p.session.starts_at,
            ends_at=p.session.ends_at,
            room=p.session.room,
        )
        for p in places
    ]


def confirmed_event(
    event: Event,
    registration: Registration,
    ticket_type: str | None = None,
    places: list[SessionPlace] | None = None,
) -> events.RegistrationConfirmed:
    return events.RegistrationConfirmed(
        registration_id=registration.id,
        event=event_info(event),
        holder=holder(registration),
        manage_token_hash=registration.manage_token_hash,
        confirmed_at=datetime.now(UTC),
        profile=events.Profile(
            organization=registration.organization,
            country=registration.country,
            role=registration.role,
        ),
        ticket_type=ticket_type,
        sessions=choices(places or []),
        manage_token_sealed=registration.manage_token_sealed,
    )


def waitlisted_event(
    event: Event,
    registration: Registration,
    position: int,
    places: list[SessionPlace] | None = None,
) -> events.RegistrationWaitlisted:
    return events.RegistrationWaitlisted(
        registration_id=registration.id,
        event=event_info(event),
        holder=holder(registration),
        manage_token_hash=registration.manage_token_hash,
        position=position,
        waitlisted_at=registration.created_at,
        sessions=choices(places or []),
        manage_token_sealed=registration.manage_token_sealed,
    )


async def enqueue_event_updated(conn: asyncpg.Connection, event: Event, changed: list[str]) -> None:
    sessions = await sessions_db.select_sessions(conn, event.id)
    types = await ticket_types_db.select_ticket_types(conn, event.id)
    await outbox.enqueue(
        conn,
        events.EventUpdated(
            event=event_info(event),
            capacity=event.capacity,
            status=event.status,
            sessions=[session_info(s) for s in sessions],
            changed=changed,
            ticket_types=[t.slug for t in types],
        ),
        event.id,
        event.version,
    )


async def enqueue_sessions_changed(
    conn: asyncpg.Connection, event: Event, registration: Registration, offered: list[str]
) -> Registration:
    """Bump the registration's version and tell everyone its current sessions."""
    bumped = await registrations_db.update_registration_version(conn, registration.id)
    places = await sessions_db.select_places(conn, [registration.id])
    await outbox.enqueue(
        conn,
        events.RegistrationSessionsChanged(
            registration_id=bumped.id,
            event=event_info(event),
            holder=holder(bumped),
            manage_token_hash=bumped.manage_token_hash,
            status=bumped.status,
            sessions=choices(places),
            offered=offered,
            manage_token_sealed=bumped.manage_token_sealed,
        ),
        bumped.id,
        bumped.version,
    )
    return bumped
