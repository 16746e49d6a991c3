"""Registrations arriving together are stored together.

When registration opens for a popular event, hundreds of people register in the same
second. Stored one by one, each registration is its own commit, and each one that goes
on the waitlist counts the line to learn its position: a count that grows with the line.
The batcher takes every registration waiting (without sessions: those need their own
locks) and stores each event's share in one transaction: the line is counted once, the
seat statements (one per registration, as without the batcher) go to the database together
in one round trip, the events their outcomes call for in one more, and the commit is
shared. shared.tasks.Batcher gathers the batches: nothing waits for one to fill, so a lone
registration goes at once.

The batch is all or nothing in the database. When any registration in it breaks a
constraint (an email already registered, a ticket type sold out), the transaction rolls
back and each registration of that batch is stored on its own, as without the batcher,
and gets its own answer.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import msgspec
import structlog
from aiohttp import web

from services.registration.records import Event, Registration
from services.registration.registrations import storing
from services.registration.registrations.seats_db import Outcome, insert_batch_with_seats
from services.registration.schemas import CONSENT_VERSION
from shared import outbox
from shared.config import SETTINGS
from shared.db import batch_pool
from shared.tasks import Batcher

log = structlog.get_logger()
MAX_BATCH = 64
# One worker per process: a batch's waitlist positions follow on from each other.
WORKERS = 1


class Pending(msgspec.Struct, frozen=True):
    """One registration (a person or a whole group) waiting for its batch."""

    event: Event
    registrations: list[Registration]
    ticket_type: str | None
    answers: dict[str, Any] | None


RegistrationBatcher = Batcher[Pending, Outcome]
REGISTRATION_BATCHER = web.AppKey("registration_batcher", RegistrationBatcher)


def registration_batcher(pool: asyncpg.Pool) -> RegistrationBatcher:
    """Each batch's registrations, stored as storing.store would (and answered with the same
    refusals)."""

    async def process(batch: list[Pending]) -> list[Outcome | Exception]:
        by_event: dict[uuid.UUID, list[int]] = {}
        for i, pending in enumerate(batch):
            by_event.setdefault(pending.event.id, []).append(i)
        results: list[Outcome | Exception | None] = [None] * len(batch)
        try:
            async with pool.acquire() as conn:
                for indexes in by_event.values():
                    group = [batch[i] for i in indexes]
                    try:
                        outcomes = await _together(conn, group)
                    except asyncpg.PostgresError as e:
                        # Someone in the batch broke a constraint (or a deadlock): each alone.
                        log.info(
                            "registration_batch_split", size=len(group), error=type(e).__name__
                        )
                        outcomes = [await _alone(conn, pending) for pending in group]
                    for i, outcome in zip(indexes, outcomes, strict=True):
                        results[i] = outcome
        except Exception as e:
            # The events stored before keep their answers; the others get the error.
            log.exception("registration_batch_failed", size=len(batch))
            return [e if result is None else result for result in results]
        return [RuntimeError("not stored") if result is None else result for result in results]

    return Batcher("registration-batcher", process, MAX_BATCH)


async def _together(conn: asyncpg.Connection, group: list[Pending]) -> list[Outcome | Exception]:
    batch = [storing.new_registrations(p.event, p.registrations, p.answers) for p in group]
    async with conn.transaction():
        stored = await insert_batch_with_seats(conn, group[0].event.id, batch, CONSENT_VERSION)
        # The events of the whole batch, written from its outcomes in one statement.
        await outbox.enqueue_many(
            conn,
            [
                row
                for p, outcome in zip(group, stored, strict=True)
                if outcome is not None
                for row in storing.outcome_events(p.event, p.registrations, p.ticket_type, outcome)
            ],
        )
    return [
        await storing.no_seats(conn, p.event, p.registrations) if outcome is None else outcome
        for p, outcome in zip(group, stored, strict=True)
    ]


async def _alone(conn: asyncpg.Connection, pending: Pending) -> Outcome | Exception:
    try:
        return await storing.store(
            conn, pending.event, pending.registrations, pending.ticket_type, pending.answers
        )
    except Exception as e:
        return e


async def batcher_context(app: web.Application) -> AsyncIterator[None]:
    """The registration batcher, run for the app's life."""
    async with batch_pool(app[SETTINGS], "batcher", WORKERS) as pool:
        batcher = registration_batcher(pool)
        app[REGISTRATION_BATCHER] = batcher
        async with batcher.running(WORKERS):
            yield
