"""Storing new registrations: seats or the waitlist, their events, and the refusals."""

from __future__ import annotations

from typing import Any

import asyncpg

from services.registration import db, messages
from services.registration.schemas import CONSENT_VERSION, Event, Registration
from shared import outbox
from shared.http import FieldError, ProblemError


def new_registrations(
    event: Event,
    registrations: list[Registration],
    ticket_type: str | None,
    answers: dict[str, Any] | None,
    with_events: bool = True,
) -> db.NewRegistrations:
    """What to store, with the events of ``registrations`` if they are confirmed and if
    they are waitlisted (the statement writes the real position over the 0); without
    events when the caller writes them itself."""
    return db.NewRegistrations(
        registrations=registrations,
        waitlist=event.waitlist,
        if_confirmed=[
            outbox.prepare(messages.confirmed_event(event, r, ticket_type), r.id, 1)
            for r in registrations
        ]
        if with_events
        else [],
        if_waitlisted=[
            outbox.prepare(messages.waitlisted_event(event, r, 0), r.id, 1) for r in registrations
        ]
        if with_events
        else [],
        answers=answers,
    )


async def refusal(
    conn: asyncpg.Connection | asyncpg.Pool,
    event: Event,
    registrations: list[Registration],
    error: asyncpg.PostgresError,
) -> ProblemError | None:
    """What to answer when storing ``registrations`` broke a constraint, or None when the
    error is not the attendees' doing. ``conn`` must be usable (not an aborted transaction)."""
    if isinstance(error, asyncpg.UniqueViolationError):
        if error.constraint_name != "registrations_one_per_email":
            return None
        taken = await db.select_taken_emails(conn, event.id, _email_keys(registrations))
        return _already_registered(registrations, taken)
    if isinstance(error, asyncpg.CheckViolationError):
        if error.constraint_name != "ticket_types_within_quota":
            return None
        return ProblemError(
            409, "ticket_type_sold_out", "There are not enough tickets of this type left."
        )
    return None


def _email_keys(registrations: list[Registration]) -> list[str]:
    return [r.email.casefold() for r in registrations]


def _already_registered(registrations: list[Registration], taken: set[str]) -> ProblemError:
    return ProblemError(
        409,
        "already_registered",
        "This email address is already registered for this event."
        if len(registrations) == 1
        else f"Already registered for this event: {', '.join(sorted(taken))}.",
        errors=[FieldError(field="email", message=address) for address in sorted(taken)],
    )


async def no_seats(
    conn: asyncpg.Connection | asyncpg.Pool, event: Event, registrations: list[Registration]
) -> ProblemError:
    """The answer when no seats were left: a full event is checked before the email, so
    someone registering again once the event is full is told they already are."""
    taken = await db.select_taken_emails(conn, event.id, _email_keys(registrations))
    if taken:
        return _already_registered(registrations, taken)
    if await db.select_event_status(conn, event.id) != "published":  # cancelled meanwhile
        return ProblemError(409, "registration_closed", "This event does not take registrations.")
    return ProblemError(
        409,
        "event_full",
        "There are no seats left for this event."
        if len(registrations) == 1
        else f"There are not {len(registrations)} seats left for this group.",
    )


async def store(
    conn: asyncpg.Connection,
    event: Event,
    registrations: list[Registration],
    ticket_type: str | None,
    answers: dict[str, Any] | None,
    with_events: bool = True,
) -> db.Outcome:
    """Store ``registrations`` with seats or on the waitlist, all alike, with their events
    (unless the caller writes them itself); raises the refusal as a ProblemError."""
    new = new_registrations(event, registrations, ticket_type, answers, with_events)
    try:
        # A savepoint within the caller's transaction: a refusal leaves it usable.
        async with conn.transaction():
            await db.lock_line(conn, event.id)
            stored = await db.insert_registrations_with_seats(conn, new, CONSENT_VERSION)
    except (asyncpg.UniqueViolationError, asyncpg.CheckViolationError) as e:
        problem = await refusal(conn, event, registrations, e)
        if problem is None:
            raise
        raise problem from None
    if stored is None:
        raise await no_seats(conn, event, registrations)
    return stored
