"""HTTP handlers of the notifications service: the delivery log."""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from services.notifications import db
from shared.auth import ALL_EVENTS
from shared.http import ProblemError, json_response
from shared.keys import DB_POOL
from shared.refusals import FieldError
from shared.routes import staff_claims


async def _require_event_of(request: web.Request, registration_id: uuid.UUID) -> None:
    """The organizer's token covers the registration's event (an unknown one: all events)."""
    claims = staff_claims(request)
    if ALL_EVENTS in claims.events:
        return
    slug = await db.select_event_slug(request.app[DB_POOL], registration_id)
    if slug is None or not claims.covers(slug):
        raise ProblemError(
            403, "event_not_covered", "The token does not cover this registration's event."
        )


async def list_deliveries(request: web.Request) -> web.Response:
    raw = request.query.get("registration_id")
    try:
        registration_id = uuid.UUID(raw or "")
    except ValueError:
        raise ProblemError(
            400,
            "validation_failed",
            "Give the registration_id query parameter as a UUID.",
            errors=[FieldError(field="registration_id", message="must be a UUID")],
        ) from None
    await _require_event_of(request, registration_id)
    found = await db.select_deliveries(request.app[DB_POOL], registration_id)
    return json_response({"deliveries": [_delivery_body(d) for d in found]})


def _delivery_body(d: db.Delivery) -> dict[str, Any]:
    return {
        "id": d.id,
        "template": d.template,
        "recipient": d.recipient,
        "lang": d.lang,
        "status": d.status,
        "attempts": d.attempts,
        "last_error": d.last_error,
        "message_id": d.message_id,
        "created_at": d.created_at,
        "sent_at": d.sent_at,
    }


async def resend_delivery(request: web.Request) -> web.Response:
    """Send a delivery again (a lost email, a fixed mailbox): a new delivery, so the log
    keeps both and the recipient's server sees a new Message-ID."""
    try:
        original_id = uuid.UUID(request.match_info["delivery_id"])
    except ValueError:
        raise ProblemError(404, "delivery_not_found", "There is no such delivery.") from None
    pool = request.app[DB_POOL]
    original = await db.select_delivery(pool, original_id)
    if original is None:
        raise ProblemError(404, "delivery_not_found", "There is no such delivery.")
    await _require_event_of(request, original.registration_id)
    async with pool.acquire() as conn, conn.transaction():
        copy = await db.insert_resend(conn, original_id, uuid.uuid4())
        if copy is None:
            original = await db.select_delivery(conn, original_id)
            if original is None:
                raise ProblemError(404, "delivery_not_found", "There is no such delivery.")
            if original.status == "pending":
                raise ProblemError(
                    409, "delivery_pending", "This email is still on its way; wait for it."
                )
            if original.status == "withdrawn":
                raise ProblemError(
                    409,
                    "delivery_withdrawn",
                    "This email was withdrawn: what it said no longer held when it was due"
                    " to be sent (its last_error says why).",
                )
            raise ProblemError(
                409, "recipient_erased", "The recipient's data was erased; nothing to resend."
            )
        await db.notify_sender(conn)
    return json_response(_delivery_body(copy), status=201)
