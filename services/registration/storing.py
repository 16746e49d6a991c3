"""Storing new registrations: seats or the waitlist, their events, and the refusals."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg

from services.registration import db, messages
from services.registration.schemas import CONSENT_VERSION, Event, Registration
from shared import events, outbox
from shared.http import ProblemError
from shared.refusals import FieldError


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
) -> ProblemError | GroupRefused | None:
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
        return ProblemError(
            409, "ticket_type_sold_out", "There are not enough tickets of this type left."
        )
    return None


def _email_keys(registrations: list[Registration]) -> list[str]:
    return [r.email.casefold() for r in registrations]


def _already_registered(
    registrations: list[Registration], registered: dict[str, uuid.UUID]
) -> ProblemError | GroupRefused:
    """A person is told their address is registered already; a group is refused without
    naming anyone."""
    if len(registrations) > 1:
        return GroupRefused(list(registered.values()))
    return ProblemError(
        409,
        "already_registered",
        "This email address is already registered for this event.",
        errors=[FieldError(field="email", message=address) for address in sorted(registered)],
    )


async def no_seats(
    conn: asyncpg.Connection | asyncpg.Pool, event: Event, registrations: list[Registration]
) -> ProblemError | GroupRefused:
    """The answer when no seats were left: a full event is checked before the email, so
    someone registering again once the event is full is told they already are."""
    registered = await db.select_registration_ids_by_email(
        conn, event.id, _email_keys(registrations)
    )
    if registered:
        return _already_registered(registrations, registered)
    if await db.select_event_status(conn, event.id) != "published":  # cancelled meanwhile
        return ProblemError(409, "registration_closed", "This event does not take registrations.")
    return ProblemError(
        409,
        "event_full",
        "There are no seats left for this event."
        if len(registrations) == 1
        else f"There are not {len(registrations)} seats left for this group.",
    )


async def refuse_group(pool: asyncpg.Pool, event: Event, refused: GroupRefused) -> ProblemError:
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
    return ProblemError(
        409,
        "group_not_registered",
        "Some of the group's email addresses could not be registered for this event, and we"
        " let each of their owners know by email. Nobody in the group was registered.",
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
    (unless the caller writes them itself); raises the refusal as a ProblemError, or
    GroupRefused."""
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
