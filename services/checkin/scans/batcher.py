"""Scans arriving together are read together and recorded together.

Under a door rush nearly every scan is plain (a known ticket on an existing list, no
enforced limit): one read of its context, one write of the verdict. Done scan by scan,
round trips and commits cost more than the work; the batcher (shared.tasks.Batcher) takes
every scan waiting, reads their contexts in one query, decides each from its context
(verdicts.plan_plain), and writes all the plain ones in one statement.

A scan that is not plain, or loses a race in the write (its scan_id or its entry taken
meanwhile, by another request or by another scan of the same batch), comes back
undecided, and scanning.py decides it again under its ticket's row lock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import asyncpg
import structlog
from aiohttp import web
from prometheus_client import Counter

from services.checkin.scans import db
from services.checkin.scans.requests import Outcome, PendingScan
from services.checkin.scans.verdicts import plan_plain
from shared.config import SETTINGS
from shared.db import batch_pool
from shared.tasks import Batcher

log = structlog.get_logger()
MAX_BATCH = 128
WORKERS = 2  # batches in flight at once: one is read while another is written


class ScanBatcher(Batcher[PendingScan, Outcome]):
    def __init__(self, pool: asyncpg.Pool, recorded: Callable[[str], None]) -> None:
        super().__init__("scan-batcher", self.decide, MAX_BATCH)
        self.pool = pool
        self.recorded = recorded  # told each verdict written (metrics)

    async def decide(self, batch: list[PendingScan]) -> list[Outcome]:
        async with self.pool.acquire() as conn:
            contexts = await db.select_scan_contexts(conn, [p.key for p in batch])
            outcomes: list[Outcome] = []
            planned: list[tuple[int, db.Planned]] = []
            for i, (pending, context) in enumerate(zip(batch, contexts, strict=True)):
                if context.replay is not None:
                    outcomes.append(Outcome(context.replay.encode(), context.list_slug))
                    continue
                outcomes.append(Outcome(None, context.list_slug))
                try:
                    decided = plan_plain(pending, context)
                except Exception:
                    # That scan alone is decided again under the lock (and fails there).
                    log.exception("scan_plan_failed", scan_id=str(pending.key.scan_id))
                    decided = None
                if decided is not None:
                    planned.append((i, decided))
            if planned:
                # The same order in every batch, so that two batches waiting on each other's
                # rows in the unique indexes cannot deadlock.
                planned.sort(key=lambda p: (str(p[1].scan.ticket_id), str(p[1].scan.scan_id)))
                try:
                    written = await db.insert_scans_at(conn, [p for _, p in planned])
                except asyncpg.DeadlockDetectedError:
                    log.warning("scan_batch_deadlock", size=len(planned))
                    written = set()  # all of them decided again under their locks
                for i, row in planned:
                    if row.seq in written:
                        outcomes[i] = Outcome(row.scan.response, outcomes[i].list_slug)
                        self.recorded(row.scan.result)
        return outcomes


SCAN_BATCHER = web.AppKey("scan_batcher", ScanBatcher)
SCANS_TOTAL = web.AppKey("scans_total", Counter)


async def batcher_context(app: web.Application) -> AsyncIterator[None]:
    """The scan batcher, run for the app's life."""
    scans = app[SCANS_TOTAL]
    async with batch_pool(app[SETTINGS], "scans", WORKERS, db.warm_batch_statements) as pool:
        batcher = ScanBatcher(pool, lambda result: scans.labels(result).inc())
        app[SCAN_BATCHER] = batcher
        async with batcher.running(WORKERS):
            yield
