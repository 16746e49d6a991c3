"""Storing new registrations: seats or the waitlist, the events their outcome calls for,
and the refusals."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg

from services.registration import messages
from services.registration.events import db as events_db
from services.registration.records import Event, Registration
from services.registration.refusals import (
    ALREADY_REGISTERED,
    EVENT_FULL,
    GROUP_NOT_REGISTERED,
    REGISTRATION_CLOSED,
    TICKET_TYPE_SOLD_OUT,
)
from services.registration.registrations import db
from services.registration.registrations.seats_db import (
    NewRegistrations,
    Outcome,
    insert_registrations_with_seats,
    lock_line,
)
from services.registration.schemas import CONSENT_VERSION
from shared import events, outbox
from shared.outbox import Prepared
from shared.refusals import FieldError, Refused


def new_registrations(
    event: Event, registrations: list[Registration], answers: dict[str, Any] | None
) -> NewRegistrations:
    return NewRegistrations(registrations=registrations, waitlist=event.waitlist, answers=answers)


def outcome_events(
    event: Event, registrations: list[Registration], ticket_type: str | None, outcome: Outcome
) -> list[Prepared]:
    """The outbox rows of ``registrations`` stored with ``outcome``."""
    if outcome.status == "confirmed":
        data: list[events.EventData] = [
            messages.confirmed_event(event, r, ticket_type) for r in registrations
        ]
    else:
        data = [messages.waitlisted_event(event, r, outcome.positions[r.id]) for r in registrations]
    return [outbox.prepare(d, r.id, 1) for d, r in zip(data, registrations, strict=True)]


class GroupRefused(Exception):
    """A group in which some addresses are already registered for the event: refused whole,
    with an answer that names none of them (it would tell anyone who is registered). The
    owners of ``registered`` (their registrations' ids) are told by email instead, once the
    group's transaction has rolled back (``refuse_group``)."""

    def __init__(self, registered: list[uuid.UUID]) -> None:
        super().__init__("a group with addresses already registered for the event")
        self.registered = registered


async def refusal(
    conn: asyncpg.Connection | asyncpg.Pool,
    event: Event,
    registrations: list[Registration],
    error: asyncpg.PostgresError,
) -> Refused | GroupRefused | None:
    """What to answer when storing ``registrations`` broke a constraint, or None when the
    error is not the attendees' doing. ``conn`` must be usable (not an aborted transaction)."""
    if isinstance(error, asyncpg.UniqueViolationError):
        if error.constraint_name != "registrations_one_per_email":
            return None
        registered = await db.select_registration_ids_by_email(
            conn, event.id, _email_keys(registrations)
        )
        return _already_registered(registrations, registered)
    if isinstance(error, asyncpg.CheckViolationError):
        if error.constraint_name != "ticket_types_within_quota":
            return None
        return TICKET_TYPE_SOLD_OUT()
    return None


def _email_keys(registrations: list[Registration]) -> list[str]:
    return [r.email.casefold() for r in registrations]


def _already_registered(
    registrations: list[Registration], registered: dict[str, uuid.UUID]
) -> Refused | GroupRefused:
    """A person is told their address is registered already; a group is refused without
    naming anyone."""
    if len(registrations) > 1:
        return GroupRefused(list(registered.values()))
    return ALREADY_REGISTERED(
        errors=[FieldError(field="email", message=address) for address in sorted(registered)]
    )


async def no_seats(
    conn: asyncpg.Connection | asyncpg.Pool, event: Event, registrations: list[Registration]
) -> Refused | GroupRefused:
    """The answer when no seats were left: a full event is checked before the email, so
    someone registering again once the event is full is told they already are."""
    registered = await db.select_registration_ids_by_email(
        conn, event.id, _email_keys(registrations)
    )
    if registered:
        return _already_registered(registrations, registered)
    if await events_db.select_event_status(conn, event.id) != "published":  # cancelled meanwhile
        return REGISTRATION_CLOSED()
    if len(registrations) == 1:
        return EVENT_FULL(none="no", whom="this event")
    return EVENT_FULL(none=f"not {len(registrations)}", whom="this group")


async def refuse_group(pool: asyncpg.Pool, event: Event, refused: GroupRefused) -> Refused:
    """Tell the owner of each address the group tried to register again, in a transaction of
    its own (the group's has rolled back), and what to answer the group: nothing that says
    which addresses, or how many, are registered."""
    if refused.registered:
        info, refused_at = messages.event_info(event), datetime.now(UTC)
        async with pool.acquire() as conn, conn.transaction():
            for registration_id in refused.registered:
                attempt = events.RegistrationAttemptRefused(
                    registration_id=registration_id, event=info, refused_at=refused_at
                )
                # Its own aggregate: the registration's sequence counts its own changes (an
                # event sharing it would be taken for stale, or make the next one look so).
                await outbox.enqueue(conn, attempt, uuid.uuid4(), 1)
    return GROUP_NOT_REGISTERED()


async def store(
    conn: asyncpg.Connection,
    event: Event,
    registrations: list[Registration],
    ticket_type: str | None,
    answers: dict[str, Any] | None,
    with_events: bool = True,
) -> Outcome:
    """Store ``registrations`` with seats or on the waitlist, all alike, with their events
    (unless the caller writes them itself); raises the refusal, or GroupRefused."""
    new = new_registrations(event, registrations, answers)
    try:
        # A savepoint within the caller's transaction: a refusal leaves it usable.
        async with conn.transaction():
            await lock_line(conn, event.id)
            stored = await insert_registrations_with_seats(conn, new, CONSENT_VERSION)
            if stored is not None and with_events:
                await outbox.enqueue_many(
                    conn, outcome_events(event, registrations, ticket_type, stored)
                )
    except (asyncpg.UniqueViolationError, asyncpg.CheckViolationError) as e:
        refused = await refusal(conn, event, registrations, e)
        if refused is None:
            raise
        raise refused from None
    if stored is None:
        raise await no_seats(conn, event, registrations)
    return stored
