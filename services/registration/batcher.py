"""Registrations arriving together are stored together.

When registration opens for a popular event, hundreds of people register in the same
second. Stored one by one, each registration is its own commit, and each one that goes
on the waitlist counts the line to learn its position: a count that grows with the line.
The batcher takes every registration waiting (without sessions: those need their own
locks) and stores each event's share in one transaction: the line is counted once, the
statements (one per registration, as without the batcher) go to the database together in
one round trip, and the commit is shared. Nothing waits for a batch to fill: the next
batch is whatever arrived while the previous one ran, so a lone registration goes at once.

The batch is all or nothing in the database. When any registration in it breaks a
constraint (an email already registered, a ticket type sold out), the transaction rolls
back and each registration of that batch is stored on its own, as without the batcher,
and gets its own answer.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import structlog

from services.registration import db, storing
from services.registration.db import Outcome
from services.registration.schemas import CONSENT_VERSION, Event, Registration

log = structlog.get_logger()
MAX_BATCH = 64
# One worker per process: a batch's waitlist positions follow on from each other.
WORKERS = 1


@dataclass
class Pending:
    """One registration (a person or a whole group) waiting for its batch."""

    event: Event
    registrations: list[Registration]
    ticket_type: str | None
    answers: dict[str, Any] | None
    done: asyncio.Future[Outcome] = field(repr=False)


class RegistrationBatcher:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.queue: list[Pending] = []
        self.wake = asyncio.Event()

    async def insert(
        self,
        event: Event,
        registrations: list[Registration],
        ticket_type: str | None,
        answers: dict[str, Any] | None,
    ) -> Outcome:
        """Store ``registrations`` with seats or on the waitlist, all alike, as
        storing.store does (and raising the same problems)."""
        done: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self.queue.append(Pending(event, registrations, ticket_type, answers, done))
        self.wake.set()
        return await done

    async def run(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            while self.queue:
                batch, self.queue = self.queue[:MAX_BATCH], self.queue[MAX_BATCH:]
                try:
                    await self._store(batch)
                except asyncio.CancelledError:
                    self.fail_waiting(RuntimeError("registration is shutting down"), batch)
                    raise
                except Exception as e:
                    log.exception("registration_batch_failed", size=len(batch))
                    self.fail_waiting(e, batch)

    def fail_waiting(self, error: Exception, batch: list[Pending] | None = None) -> None:
        """Answer ``batch`` (by default every registration still queued) with ``error``."""
        if batch is None:
            batch, self.queue = self.queue, []
        for pending in batch:
            if not pending.done.done():
                pending.done.set_exception(error)

    async def _store(self, batch: list[Pending]) -> None:
        by_event: dict[uuid.UUID, list[Pending]] = {}
        for pending in batch:
            by_event.setdefault(pending.event.id, []).append(pending)
        async with self.pool.acquire() as conn:
            for group in by_event.values():
                try:
                    outcomes = await self._together(conn, group)
                except asyncpg.PostgresError as e:
                    # Someone in the batch broke a constraint (or a deadlock): each alone.
                    log.info("registration_batch_split", size=len(group), error=type(e).__name__)
                    for pending in group:
                        await self._alone(conn, pending)
                    continue
                for pending, outcome in zip(group, outcomes, strict=True):
                    _settle(pending, outcome)

    async def _together(
        self, conn: asyncpg.Connection, group: list[Pending]
    ) -> list[Outcome | Exception]:
        batch = [
            storing.new_registrations(p.event, p.registrations, p.ticket_type, p.answers)
            for p in group
        ]
        async with conn.transaction():
            stored = await db.insert_batch_with_seats(
                conn, group[0].event.id, batch, CONSENT_VERSION
            )
        return [
            await storing.no_seats(conn, p.event, p.registrations) if outcome is None else outcome
            for p, outcome in zip(group, stored, strict=True)
        ]

    async def _alone(self, conn: asyncpg.Connection, pending: Pending) -> None:
        try:
            outcome: Outcome | Exception = await storing.store(
                conn, pending.event, pending.registrations, pending.ticket_type, pending.answers
            )
        except Exception as e:
            outcome = e
        _settle(pending, outcome)


def _settle(pending: Pending, outcome: Outcome | Exception) -> None:
    if pending.done.done():  # its request may have gone away
        return
    if isinstance(outcome, Exception):
        pending.done.set_exception(outcome)
    else:
        pending.done.set_result(outcome)
