"""Registering a person, or a group, for an event: the API, the form and the CSV import all
come here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import msgspec
from aiohttp import web
from prometheus_client import Counter

from services.registration import messages
from services.registration.questions.answers import check_answers
from services.registration.records import Event, Question, Registration, Session, TicketType
from services.registration.refusals import (
    GROUP_TOO_LARGE,
    REGISTRATION_CLOSED,
    REGISTRATION_NOT_OPEN,
)
from services.registration.registrations import limits, storing
from services.registration.registrations.batcher import (
    REGISTRATION_BATCHER,
    Pending,
    RegistrationBatcher,
)
from services.registration.registrations.profile import apply_profile
from services.registration.registrations.seats_db import Outcome
from services.registration.schemas import Attendee, RegisterRequest, normalize_email
from services.registration.sessions import db as sessions_db
from services.registration.sessions import seats as session_seats
from services.registration.ticket_types.choosing import resolve as resolve_ticket_type
from shared import events, outbox
from shared.auth import new_manage_token
from shared.config import SETTINGS, Settings
from shared.db import DB_POOL
from shared.refusals import FieldError
from shared.sealing import SEALER, Sealer

REGISTRATIONS_TOTAL = web.AppKey("registrations_total", Counter)


@dataclass(frozen=True)
class Registrar:
    """What registering needs of the app."""

    pool: asyncpg.Pool
    settings: Settings
    sealer: Sealer
    batcher: RegistrationBatcher
    total: Counter

    @classmethod
    def of(cls, app: web.Application) -> Registrar:
        return cls(
            pool=app[DB_POOL],
            settings=app[SETTINGS],
            sealer=app[SEALER],
            batcher=app[REGISTRATION_BATCHER],
            total=app[REGISTRATIONS_TOTAL],
        )


class Registered(msgspec.Struct, frozen=True):
    registration: Registration
    position: int | None
    manage_token: str


def new_registration(
    event: Event,
    body: RegisterRequest,
    sealer: Sealer,
    ticket_type_id: uuid.UUID | None = None,
    person: Attendee | None = None,
    group_id: uuid.UUID | None = None,
) -> tuple[Registration, str]:
    """A registration not yet stored, and its manage token (only the hash is kept, and the
    token sealed for the emails).

    ``person`` is a group member; the group shares the contact's profile and ticket type.
    """
    who = person or body
    token, token_hash = new_manage_token()
    registration = Registration(
        id=uuid.uuid4(),
        event_id=event.id,
        name=who.name,
        email=normalize_email(who.email),
        lang=who.lang,
        status="confirmed",
        manage_token_hash=token_hash,
        version=1,
        created_at=datetime.now(UTC),
        organization=body.organization,
        country=body.country,
        role=body.role,
        ticket_type_id=ticket_type_id,
        group_id=group_id,
        manage_token_sealed=sealer.seal(token),
    )
    return registration, token


async def insert_registrations(
    conn: asyncpg.Connection,
    event: Event,
    registrations: list[Registration],
    ticket_type: str | None = None,
    answers: dict[str, Any] | None = None,
    sessions: list[Session] | None = None,
) -> Outcome:
    """Store them with seats or on the waitlist, all alike, and their places in
    ``sessions`` (then ``conn`` must be in a transaction)."""
    # With sessions, the events wait until the sessions are placed: they tell where.
    outcome = await storing.store(
        conn, event, registrations, ticket_type, answers, with_events=not sessions
    )
    if sessions:
        await _place_sessions(conn, event, registrations, ticket_type, sessions, outcome)
    return outcome


async def _place_sessions(
    conn: asyncpg.Connection,
    event: Event,
    registrations: list[Registration],
    ticket_type: str | None,
    sessions: list[Session],
    outcome: Outcome,
) -> None:
    ids = [r.id for r in registrations]
    confirmed = outcome.status == "confirmed"
    await session_seats.place_new(conn, event, ids, sessions, confirmed)
    places = await sessions_db.select_places(conn, ids)
    for r in registrations:
        mine = [p for p in places if p.registration_id == r.id]
        data: events.EventData = (
            messages.confirmed_event(event, r, ticket_type, mine)
            if confirmed
            else messages.waitlisted_event(event, r, outcome.positions[r.id], mine)
        )
        await outbox.enqueue(conn, data, r.id, 1)


def check_window(event: Event, size: int) -> None:
    """Refuse a registration the event does not take now, or a group too large for it."""
    if event.status != "published":
        raise REGISTRATION_CLOSED()
    now = datetime.now(UTC)
    if event.registration_opens_at is not None and now < event.registration_opens_at:
        raise REGISTRATION_NOT_OPEN(opens_at=event.registration_opens_at.isoformat())
    if event.registration_closes_at is not None and now >= event.registration_closes_at:
        raise REGISTRATION_CLOSED()
    if size > event.group_limit:
        raise GROUP_TOO_LARGE(
            limit=event.group_limit,
            errors=[FieldError(field="attendees", message=f"at most {event.group_limit - 1}")],
        )


async def register(
    registrar: Registrar,
    client: str,
    event: Event,
    types: list[TicketType],
    questions: list[Question],
    sessions: list[Session],
    body: RegisterRequest,
) -> list[Registered]:
    """Register a person, or a group, for ``event``, from the address ``client``.

    Raises refusals; returns the registrations, the contact first.
    """
    await limits.check(registrar.pool, registrar.settings, client, event, body)
    check_window(event, 1 + len(body.attendees or []))
    body = apply_profile(event.profile_fields, body)
    answers = check_answers(questions, body.answers)
    chosen = resolve_ticket_type(types, body)
    chosen_sessions = session_seats.resolve(sessions, body.sessions)
    type_id = chosen.id if chosen else None
    group_id = uuid.uuid4() if body.attendees else None
    sealer = registrar.sealer
    made = [new_registration(event, body, sealer, type_id, group_id=group_id)]
    made += [
        new_registration(event, body, sealer, type_id, a, group_id) for a in body.attendees or []
    ]
    registrations = [r for r, _ in made]
    type_slug = chosen.slug if chosen else None
    pool = registrar.pool
    try:
        if chosen_sessions:
            async with pool.acquire() as conn, conn.transaction():
                outcome = await insert_registrations(
                    conn, event, registrations, type_slug, answers, chosen_sessions
                )
        else:
            # Without sessions, registrations arriving together are stored together.
            outcome = await registrar.batcher.submit(
                Pending(event, registrations, type_slug, answers)
            )
    except storing.GroupRefused as refused:
        raise await storing.refuse_group(pool, event, refused) from None
    registrar.total.labels(outcome.status).inc(len(made))
    return [
        Registered(
            msgspec.structs.replace(r, status=outcome.status), outcome.positions.get(r.id), token
        )
        for r, token in made
    ]
