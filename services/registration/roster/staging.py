"""The back office's two-step import: an uploaded CSV file is checked and kept as a draft
(nothing registered) while the organizer reads each line's result; confirming imports the
draft as the API's import does, all rows or none."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
import msgspec

from services.registration.audited import ByStaff
from services.registration.records import Event
from services.registration.refusals import IMPORT_DRAFT_GONE
from services.registration.roster import db
from services.registration.roster.importing import Line, import_rows, preview_rows
from shared.sealing import Sealer


class Staged(msgspec.Struct, frozen=True):
    lines: list[Line]
    draft_id: uuid.UUID | None  # None: some line is wrong, nothing was kept

    @property
    def wrong(self) -> int:
        return sum(1 for line in self.lines if line.error is not None)


async def stage(pool: asyncpg.Pool, event: Event, staff_id: str, text: str) -> Staged:
    """Each line's result; a file without a wrong line is kept as a draft for
    ``db.DRAFT_MINUTES`` (drafts older than that are dropped here)."""
    lines = await preview_rows(pool, event, text)
    if any(line.error is not None for line in lines):
        return Staged(lines, None)
    draft = db.ImportDraft(uuid.uuid4(), event.id, staff_id, text, datetime.now(UTC))
    async with pool.acquire() as conn, conn.transaction():
        await db.delete_stale_import_drafts(conn)
        await db.insert_import_draft(conn, draft)
    return Staged(lines, draft.id)


async def import_draft(
    pool: asyncpg.Pool, sealer: Sealer, event: Event, draft_id: uuid.UUID, by: ByStaff
) -> dict[str, int]:
    """Import the kept draft (refused as a whole, like the API's import, when a line went
    wrong since the preview). The draft is taken first, so confirming twice imports once."""
    draft = await db.delete_import_draft(pool, draft_id, event.id)
    if draft is None:
        raise IMPORT_DRAFT_GONE()
    try:
        return await import_rows(pool, sealer, event, draft.content, by)
    except Exception:
        # Nothing was imported (all or nothing): the draft is there again for another try.
        await db.insert_import_draft(pool, draft)
        raise
