"""HTTP handlers of the notifications service: the delivery log."""

from __future__ import annotations

import uuid

from aiohttp import web

from services.notifications import db
from shared.http import FieldError, ProblemError, json_response
from shared.keys import DB_POOL, STAFF_AUTH


async def list_deliveries(request: web.Request) -> web.Response:
    request.app[STAFF_AUTH].require(request, ("organizer",))
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
    found = await db.select_deliveries(request.app[DB_POOL], registration_id)
    return json_response(
        {
            "deliveries": [
                {
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
                for d in found
            ]
        }
    )
