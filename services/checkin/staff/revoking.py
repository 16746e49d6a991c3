"""Revoking door tokens (every service refuses a revoked one, shared/revocations.py), and
the devices that used them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated

import msgspec
from aiohttp import web

from services.checkin.staff import db
from services.checkin.staff.texts import DEVICE_NOT_FOUND
from shared import audit, revocations
from shared.auth import ALL_EVENTS, STAFF_AUTH, StaffClaims
from shared.bus import JETSTREAM
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.refusals import EVENT_NOT_COVERED
from shared.slugs import PRINTABLE


async def publish_revocations(app: web.Application) -> AsyncIterator[None]:
    """At start, every revocation in the database is (again) in the bucket: one whose write
    to the bucket failed after the database had it gets there now."""
    js, replicas = app[JETSTREAM], app[SETTINGS].stream_replicas
    for row in await db.select_revoked_tokens(app[DB_POOL]):
        revocation = revocations.Revocation(row.revoked_at, row.revoked_by)
        await revocations.publish(js, row.token_id, revocation, replicas)
    yield


class RevokeRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=500, pattern=PRINTABLE)] | None = None


async def revoke_token(
    app: web.Application,
    claims: StaffClaims,
    jti: str,
    body: RevokeRequest,
    event_slug: str | None = None,
) -> None:
    """An organizer of all events revokes any token; an organizer of some events, a token
    that a device used at one of their events (a lost door phone), or that was issued for
    one. ``event_slug``: the back office's device list of that event, which names only its
    own devices."""
    used_at = await db.select_token_event_slugs(app[DB_POOL], jti)
    if event_slug is not None and event_slug not in used_at:
        raise DEVICE_NOT_FOUND()
    if ALL_EVENTS not in claims.events and not any(claims.covers(slug) for slug in used_at):
        # Only an organizer of all events can revoke a token no device of theirs used.
        raise EVENT_NOT_COVERED(slug=used_at[0] if used_at else "")
    async with app[DB_POOL].acquire() as conn, conn.transaction():
        await db.insert_revoked_token(conn, jti, claims.sub, body.reason)
        await audit.record(
            conn,
            "checkin",
            claims,
            "door_token.revoked",
            event_slug=event_slug or (used_at[0] if used_at else None),
            after={"token_id": jti, "reason": body.reason},
        )
    revocation = revocations.Revocation(datetime.now(UTC), claims.sub)
    # This process at once; every instance of every service as the bucket tells it.
    app[STAFF_AUTH].revoked.add(jti)
    await revocations.publish(app[JETSTREAM], jti, revocation, app[SETTINGS].stream_replicas)
