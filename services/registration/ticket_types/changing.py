"""An organizer changes a ticket type (names, quota, access code) or removes one nobody has.

Either is announced as adding one is: ``event.updated`` with ``ticket_types`` (checkin
checks its lists against the event's types, tickets carry the type's slug, which never
changes)."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from services.registration import messages
from services.registration.events import db as events_db
from services.registration.events.setup import SERVICE, lock_changeable_event
from services.registration.records import Event, TicketType
from services.registration.refusals import (
    QUOTA_BELOW_TAKEN,
    TICKET_TYPE_IN_USE,
    TICKET_TYPE_NOT_FOUND,
)
from services.registration.registrations.seats import promote
from services.registration.schemas import LocalizedName, UpdateTicketTypeRequest
from services.registration.ticket_types import db
from shared import audit
from shared.auth import StaffClaims, hash_manage_token
from shared.refusals import FieldError
from shared.slugs import is_slug


def logged(ticket_type: TicketType) -> dict[str, Any]:
    """The type as the audit log keeps it: whether it has an access code, never its hash."""
    return {
        "slug": ticket_type.slug,
        "name": msgspec.to_builtins(ticket_type.name),
        "quota": ticket_type.quota,
        "taken": ticket_type.taken,
        "restricted": ticket_type.restricted,
    }


async def _locked(conn: asyncpg.Connection, event: Event, slug: str) -> TicketType:
    await lock_changeable_event(conn, event.id)
    found = await db.select_ticket_type_for_update(conn, event.id, slug) if is_slug(slug) else None
    if found is None:
        raise TICKET_TYPE_NOT_FOUND(slug=slug)
    return found


def _changes(current: TicketType, body: UpdateTicketTypeRequest) -> dict[str, Any]:
    """The columns the update really changes."""
    columns: dict[str, Any] = {}
    if isinstance(body.name, LocalizedName) and body.name != current.name:
        columns |= {"name_pl": body.name.pl, "name_en": body.name.en}
    if body.quota is not msgspec.UNSET and body.quota != current.quota:
        if body.quota is not None and body.quota < current.taken:
            raise QUOTA_BELOW_TAKEN(
                taken=current.taken,
                errors=[FieldError(field="quota", message=f"at least {current.taken}")],
            )
        columns["quota"] = body.quota
    if body.access_code is not msgspec.UNSET:
        code_hash = hash_manage_token(body.access_code) if body.access_code else None
        if code_hash != current.access_code_hash:
            columns["access_code_hash"] = code_hash
    return columns


async def change_ticket_type(
    pool: asyncpg.Pool,
    event: Event,
    slug: str,
    body: UpdateTicketTypeRequest,
    offer_hours: float,
    claims: StaffClaims,
) -> TicketType:
    """Change a ticket type; a larger quota offers free seats to the waitlist at once."""
    async with pool.acquire() as conn, conn.transaction():
        current = await _locked(conn, event, slug)
        columns = _changes(current, body)
        if not columns:
            return current
        after = await db.update_ticket_type_fields(conn, current.id, columns)
        updated = await events_db.update_event_fields(conn, event.id, {})
        await messages.enqueue_event_updated(conn, updated, ["ticket_types"])
        if "quota" in columns:
            await promote(conn, updated, offer_hours)
            [after] = [t for t in await db.select_ticket_types(conn, event.id) if t.id == after.id]
        before_log, after_log = logged(current), logged(after)
        if "access_code_hash" in columns and current.restricted and after.restricted:
            after_log["access_code"] = "changed"
        await audit.record(
            conn,
            SERVICE,
            claims,
            "ticket_type.updated",
            event_slug=event.slug,
            before=before_log,
            after=after_log,
        )
        return after


async def remove_ticket_type(
    pool: asyncpg.Pool, event: Event, slug: str, claims: StaffClaims
) -> None:
    """Remove a ticket type no registration has (not even a cancelled or erased one)."""
    async with pool.acquire() as conn, conn.transaction():
        current = await _locked(conn, event, slug)
        used = await db.select_ticket_type_use(conn, current)
        if used:
            raise _in_use(used)
        try:
            async with conn.transaction():
                await db.delete_ticket_type(conn, current.id)
        except asyncpg.ForeignKeyViolationError:  # a registration committed meanwhile
            raise _in_use(1) from None
        updated = await events_db.update_event_fields(conn, event.id, {})
        await messages.enqueue_event_updated(conn, updated, ["ticket_types"])
        await audit.record(
            conn,
            SERVICE,
            claims,
            "ticket_type.removed",
            event_slug=event.slug,
            before=logged(current),
        )


def _in_use(count: int) -> Exception:
    return TICKET_TYPE_IN_USE(
        count=count,
        errors=[FieldError(field="ticket_type", message="registrations have this ticket type")],
    )
