"""Scans arriving together are read together and recorded together.

Under a door rush nearly every scan is plain (a known ticket on an existing list, no
enforced limit): one read of its context, one write of the verdict. Done scan by scan,
round trips and commits cost more than the work; the batcher takes every scan waiting,
reads their contexts in one query, lets the handlers decide each from its context, and
writes all the plain ones in one statement. Nothing waits for a batch to fill: the next
batch is whatever arrived while the previous one ran, so a lone scan goes at once.

A scan that is not plain, or loses a race in the write (its scan_id or its entry taken
meanwhile, by another request or by another scan of the same batch), comes back
undecided, and the handler decides it again under its ticket's row lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
import structlog

from services.checkin import db
from shared.auth import StaffClaims
from shared.codes import TicketCode

log = structlog.get_logger()
MAX_BATCH = 128
WORKERS = 2  # batches in flight at once: one is read while another is written


@dataclass
class Pending:
    """One scan waiting for its batch: the request (the handlers' ScanRequest) and what
    its context is looked up by."""

    body: Any
    key: db.ScanKey
    claims: StaffClaims
    code: TicketCode
    scanned_at: datetime
    done: asyncio.Future[Outcome] = field(repr=False)


@dataclass(frozen=True)
class Outcome:
    """The verdict (JSON) when decided; else the resolved list to decide it on, locked."""

    payload: bytes | None
    list_slug: str


# Decides a plain scan from its context: the verdict and what to write, or None when the
# scan needs the lock (it is not plain).
Planner = Callable[[Pending, db.ScanContext], tuple[bytes, db.Planned, str] | None]


class ScanBatcher:
    def __init__(self, pool: asyncpg.Pool, plan: Planner, recorded: Callable[[str], None]) -> None:
        self.pool = pool
        self.plan = plan
        self.recorded = recorded  # told each verdict written (metrics)
        self.queue: list[Pending] = []
        self.wake = asyncio.Event()

    async def submit(
        self,
        body: Any,
        key: db.ScanKey,
        claims: StaffClaims,
        code: TicketCode,
        scanned_at: datetime,
    ) -> Outcome:
        done: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self.queue.append(Pending(body, key, claims, code, scanned_at, done))
        self.wake.set()
        return await done

    async def run(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            while self.queue:
                batch, self.queue = self.queue[:MAX_BATCH], self.queue[MAX_BATCH:]
                try:
                    outcomes = await self._decide(batch)
                except asyncio.CancelledError:
                    self.fail_waiting(RuntimeError("checkin is shutting down"), batch)
                    raise
                except Exception as e:
                    log.exception("scan_batch_failed", size=len(batch))
                    self.fail_waiting(e, batch)
                    continue
                for pending, outcome in zip(batch, outcomes, strict=True):
                    if not pending.done.done():  # its request may have gone away
                        pending.done.set_result(outcome)

    def fail_waiting(self, error: Exception, batch: list[Pending] | None = None) -> None:
        """Answer ``batch`` (by default every scan still queued) with ``error``."""
        if batch is None:
            batch, self.queue = self.queue, []
        for pending in batch:
            if not pending.done.done():
                pending.done.set_exception(error)

    async def _decide(self, batch: list[Pending]) -> list[Outcome]:
        async with self.pool.acquire() as conn:
            contexts = await db.select_scan_contexts(conn, [p.key for p in batch])
            outcomes: list[Outcome] = []
            planned: list[tuple[int, bytes, db.Planned, str]] = []
            for i, (pending, context) in enumerate(zip(batch, contexts, strict=True)):
                if context.replay is not None:
                    outcomes.append(Outcome(context.replay.encode(), context.list_slug))
                    continue
                outcomes.append(Outcome(None, context.list_slug))
                try:
                    decided = self.plan(pending, context)
                except Exception:
                    # That scan alone is decided again under the lock (and fails there).
                    log.exception("scan_plan_failed", scan_id=str(pending.key.scan_id))
                    decided = None
                if decided is not None:
                    planned.append((i, *decided))
            if planned:
                # The same order in every batch, so that two batches waiting on each other's
                # rows in the unique indexes cannot deadlock.
                planned.sort(key=lambda p: (str(p[2].scan.ticket_id), str(p[2].scan.scan_id)))
                try:
                    written = await db.insert_scans_at(conn, [p for _, _, p, _ in planned])
                except asyncpg.DeadlockDetectedError:
                    log.warning("scan_batch_deadlock", size=len(planned))
                    written = set()  # all of them decided again under their locks
                for i, payload, row, result in planned:
                    if row.seq in written:
                        outcomes[i] = Outcome(payload, outcomes[i].list_slug)
                        self.recorded(result)
        return outcomes
