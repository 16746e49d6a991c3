"""Issuing a door token from the back office: signed with checkin's own key for one event
and one gate, named after the device, and remembered so the device is listed (and can be
revoked) before it first syncs."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Annotated

import msgspec
from aiohttp import web

from services.checkin.attendees.db import EventRow
from services.checkin.offline import door
from services.checkin.staff import db
from services.checkin.staff.texts import DEVICE_ALREADY_ISSUED
from shared import audit
from shared.auth import StaffClaims
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.refusals import VALIDATION_FAILED, FieldError
from shared.slugs import PRINTABLE
from shared.staff_keys import STAFF_SIGNER

DEFAULT_DAYS = 7
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=PRINTABLE)]


class IssueRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: Label
    gate: Label
    days: Annotated[int, msgspec.Meta(ge=1)] = DEFAULT_DAYS


class IssuedToken(msgspec.Struct, frozen=True):
    token: str
    claims: StaffClaims
    pairing_url: str  # what the pairing QR holds: the door page, signed in by the token


def pairing_url(app: web.Application, token: str) -> str:
    # The door page takes the token from the fragment (never sent to a server) and forgets
    # it from the address at once (offline/static/session.js).
    return f"{app[SETTINGS].checkin_url}{door.PAGE}#token={token}"


async def issue_door_token(
    app: web.Application,
    claims: StaffClaims,
    event: EventRow,
    body: IssueRequest,
    token_id: uuid.UUID | None = None,
) -> IssuedToken:
    """A door token for ``event`` at ``body.gate``, living ``body.days`` days at most as
    long as the server accepts (STAFF_TOKEN_MAX_DAYS). ``token_id``: the id the page's form
    was given, so the same form sent twice (a reload) issues one token, not two."""
    max_days = app[SETTINGS].staff_token_max_days
    if body.days > max_days:
        raise VALIDATION_FAILED(
            errors=[FieldError("days", f"A token lives at most {max_days} days.")]
        )
    now = int(time.time())
    device = StaffClaims(
        jti=str(token_id or uuid.uuid4()),
        sub=body.name,
        role="door",
        events=[event.slug],
        gate=body.gate,
        iat=now,
        exp=now + body.days * 86400,
    )
    token = app[STAFF_SIGNER].sign(device)
    expires_at = datetime.fromtimestamp(device.exp, UTC)
    async with app[DB_POOL].acquire() as conn, conn.transaction():
        if not await db.insert_issued_device(
            conn,
            device.jti,
            event.id,
            body.name,
            body.gate,
            claims.sub,
            claims.name or claims.sub,
            expires_at,
        ):
            raise DEVICE_ALREADY_ISSUED()
        await audit.record(
            conn,
            "checkin",
            claims,
            "door_token.issued",
            event_slug=event.slug,
            after={
                "token_id": device.jti,
                "name": body.name,
                "gate": body.gate,
                "expires_at": expires_at,
            },  # fmt: skip
        )
    return IssuedToken(token, device, pairing_url(app, token))
