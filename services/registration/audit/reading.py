"""The audit log as people read it: an event's entries page by page, newest first."""

from __future__ import annotations

import asyncpg
import msgspec

from services.registration.audit import db

PAGE_SIZE = 50


class Page(msgspec.Struct, frozen=True):
    entries: list[db.Entry]
    page: int
    more: bool


async def event_page(pool: asyncpg.Pool, event_slug: str, page: int) -> Page | None:
    """One page (from 1) of the event's entries, newest first; None: no such event."""
    async with pool.acquire() as conn:
        if not await db.select_event_exists(conn, event_slug):
            return None
        rows = await db.select_for_event(conn, event_slug, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
    return Page(rows[:PAGE_SIZE], page, len(rows) > PAGE_SIZE)


def page_number(text: str | None) -> int:
    try:
        number = int(text or "1")
    except ValueError:
        return 1
    return min(max(number, 1), 10_000)
