"""The audit log as people read it: an event's entries page by page, and each entry's
change as a short list of the keys that changed, with the old and the new value."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import msgspec

from services.registration.audit import db

PAGE_SIZE = 50
VALUE_CHARS = 120  # a longer value is cut, with an ellipsis


class Changed(msgspec.Struct, frozen=True):
    key: str
    old: str | None  # None: the key was not there
    new: str | None


class Shown(msgspec.Struct, frozen=True):
    entry: db.Entry
    changes: list[Changed]


class Page(msgspec.Struct, frozen=True):
    entries: list[Shown]
    page: int
    more: bool


def _flat(state: dict[str, Any] | None, prefix: str = "") -> dict[str, Any]:
    """Nested objects as dotted keys (``name.pl``); lists and values as they are."""
    flat: dict[str, Any] = {}
    for key, value in (state or {}).items():
        if isinstance(value, dict) and value:
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else msgspec.json.encode(value).decode()
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def changes(entry: db.Entry) -> list[Changed]:
    """The keys whose value differs between before and after (all of them for an entry
    that only adds or only removes)."""
    before, after = _flat(entry.before), _flat(entry.after)
    found = []
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key, ...), after.get(key, ...)
        if old == new:
            continue
        found.append(
            Changed(key, None if old is ... else _text(old), None if new is ... else _text(new))
        )
    return found


def shown(entries: list[db.Entry]) -> list[Shown]:
    return [Shown(e, changes(e)) for e in entries]


async def event_page(pool: asyncpg.Pool, event_slug: str, page: int) -> Page | None:
    """One page (from 1) of the event's entries, newest first; None: no such event."""
    async with pool.acquire() as conn:
        if not await db.select_event_exists(conn, event_slug):
            return None
        rows = await db.select_for_event(conn, event_slug, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
    return Page(shown(rows[:PAGE_SIZE]), page, len(rows) > PAGE_SIZE)


async def registration_entries(pool: asyncpg.Pool, registration_id: uuid.UUID) -> list[Shown]:
    return shown(await db.select_for_registration(pool, registration_id, PAGE_SIZE))


def page_number(text: str | None) -> int:
    try:
        number = int(text or "1")
    except ValueError:
        return 1
    return min(max(number, 1), 10_000)
