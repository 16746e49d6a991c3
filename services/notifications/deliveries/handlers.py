"""HTTP handlers of the delivery log."""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from services.notifications.deliveries import db, log
from services.notifications.texts import DELIVERY_NOT_FOUND
from shared.db import DB_POOL
from shared.http import json_response
from shared.refusals import VALIDATION_FAILED, FieldError
from shared.routes import staff_claims


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


async def list_deliveries(request: web.Request) -> web.Response:
    try:
        registration_id = uuid.UUID(request.query.get("registration_id") or "")
    except ValueError:
        raise VALIDATION_FAILED(
            errors=[FieldError(field="registration_id", message="must be a UUID")]
        ) from None
    found = await log.deliveries_of(request.app[DB_POOL], staff_claims(request), registration_id)
    return json_response({"deliveries": [_delivery_body(d) for d in found.deliveries]})


async def resend_delivery(request: web.Request) -> web.Response:
    try:
        original_id = uuid.UUID(request.match_info["delivery_id"])
    except ValueError:
        raise DELIVERY_NOT_FOUND() from None
    copy = await log.resend(request.app[DB_POOL], staff_claims(request), original_id)
    return json_response(_delivery_body(copy), status=201)
