"""Who may act on the registration in the path: its attendee (manage token) or an
organizer covering its event."""

from __future__ import annotations

import uuid
from typing import Literal

from aiohttp import web

from services.registration.audited import ByStaff
from services.registration.events import db as events_db
from services.registration.records import Registration
from services.registration.registrations import db
from shared.auth import (
    STAFF_AUTH,
    exchange_link,
    looks_like_jwt,
    manage_token_matches,
    presented_token,
)
from shared.db import DB_POOL
from shared.refusals import (
    EVENT_NOT_COVERED,
    FORBIDDEN,
    REGISTRATION_NOT_FOUND,
    UNAUTHORIZED,
)

# Who acts on a registration in this request: "attendee" (manage token) or "organizer".
Actor = Literal["attendee", "organizer"]
ACTOR: web.RequestKey[Actor] = web.RequestKey("actor")
# The staff token's holder, for the audit log of what they change (None: the attendee).
BY: web.RequestKey[ByStaff | None] = web.RequestKey("by")


async def registration_for(request: web.Request) -> Registration:
    """The registration in the path, for its manage token or an organizer covering its event
    (who it is is then ``request[ACTOR]``)."""
    try:
        registration_id = uuid.UUID(request.match_info["registration_id"])
    except ValueError:
        raise REGISTRATION_NOT_FOUND() from None
    pool = request.app[DB_POOL]
    registration = await db.select_registration(pool, registration_id)
    token = presented_token(request, registration_id)
    if token is None:
        raise UNAUTHORIZED()
    request[BY] = None
    if looks_like_jwt(token):
        claims = request.app[STAFF_AUTH].require(request, ("organizer",))
        request[ACTOR] = "organizer"
        if registration is not None:
            event = await events_db.select_event_by_id(pool, registration.event_id)
            if not claims.covers(event.slug):
                raise EVENT_NOT_COVERED(slug=event.slug)
            request[BY] = ByStaff(claims, event.slug)
    elif registration is None or not manage_token_matches(token, registration.manage_token_hash):
        raise FORBIDDEN()
    else:
        request[ACTOR] = "attendee"
    if registration is None:
        raise REGISTRATION_NOT_FOUND()
    exchange_link(request, registration_id)
    return registration
