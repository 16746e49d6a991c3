"""The delivery log for organizers: a registration's emails, and sending one again."""

from __future__ import annotations

import uuid

import asyncpg
import msgspec

from services.notifications.deliveries import attendees_db, db
from services.notifications.texts import (
    DELIVERY_NOT_FOUND,
    DELIVERY_PENDING,
    DELIVERY_WITHDRAWN,
    RECIPIENT_ERASED,
)
from shared import audit
from shared.auth import Role, StaffAuth, StaffClaims
from shared.events import EventInfo
from shared.refusals import EVENT_NOT_COVERED


class Log(msgspec.Struct, frozen=True):
    """A registration's emails; its event and attendee as known here (None: not known)."""

    event_slug: str | None
    deliveries: list[db.Delivery]
    event: EventInfo | None = None
    attendee: attendees_db.Attendee | None = None


async def _event_of(
    pool: asyncpg.Pool, claims: StaffClaims, registration_id: uuid.UUID, role: Role
) -> str | None:
    """The registration's event, if the claims give ``role`` there (an event unknown here:
    only for all events)."""
    slug = await attendees_db.select_event_slug(pool, registration_id)
    if slug is None:
        if not claims.may(role, None):
            raise EVENT_NOT_COVERED(slug="(unknown)")
        return None
    StaffAuth.check(claims, (role,), slug)
    return slug


async def deliveries_of(
    pool: asyncpg.Pool, claims: StaffClaims, registration_id: uuid.UUID, role: Role = "organizer"
) -> Log:
    slug = await _event_of(pool, claims, registration_id, role)
    return Log(slug, await db.select_deliveries(pool, registration_id))


async def log_page(pool: asyncpg.Pool, claims: StaffClaims, registration_id: uuid.UUID) -> Log:
    """What the delivery log page shows: for anyone who may see the event's reports."""
    found = await deliveries_of(pool, claims, registration_id, "viewer")
    return msgspec.structs.replace(
        found,
        event=await attendees_db.select_event_info(pool, registration_id),
        attendee=await attendees_db.select_attendee(pool, registration_id),
    )


async def resend(
    pool: asyncpg.Pool,
    claims: StaffClaims,
    original_id: uuid.UUID,
    registration_id: uuid.UUID | None = None,
) -> db.Delivery:
    """Send a delivery (of ``registration_id``, when given) again (a lost email, a fixed
    mailbox): a new delivery, so the log keeps both and the recipient's server sees a new
    Message-ID."""
    original = await db.select_delivery(pool, original_id)
    if original is None or registration_id not in (None, original.registration_id):
        raise DELIVERY_NOT_FOUND()
    slug = await _event_of(pool, claims, original.registration_id, "organizer")
    async with pool.acquire() as conn, conn.transaction():
        copy = await db.insert_resend(conn, original_id, uuid.uuid4())
        if copy is None:
            original = await db.select_delivery(conn, original_id)
            if original is None:
                raise DELIVERY_NOT_FOUND()
            if original.status == "pending":
                raise DELIVERY_PENDING()
            if original.status == "withdrawn":
                raise DELIVERY_WITHDRAWN()
            raise RECIPIENT_ERASED()
        await db.notify_sender(conn)
        await audit.record(
            conn,
            "notifications",
            claims,
            "delivery.resent",
            event_slug=slug,
            registration_id=copy.registration_id,
            after={
                "delivery_id": str(copy.id),
                "resent": str(original_id),
                "template": copy.template,
            },
        )
    return copy
