"""HTTP of personal data: an attendee downloads what we keep about them, or has it erased."""

from __future__ import annotations

from aiohttp import web

from services.registration.privacy.erasing import erase_now, personal_data
from services.registration.registrations.access import ACTOR, BY, registration_for
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.http import json_response


async def download_data(request: web.Request) -> web.Response:
    registration = await registration_for(request)
    return json_response(
        await personal_data(request.app[DB_POOL], registration),
        headers={
            "Content-Disposition": f'attachment; filename="registration-{registration.id}.json"'
        },
    )


async def erase_registration(request: web.Request) -> web.Response:
    registration = await registration_for(request)
    offer_hours = request.app[SETTINGS].offer_hours
    pool, actor = request.app[DB_POOL], request[ACTOR]
    erased = await erase_now(pool, registration, actor, offer_hours, request[BY])
    return json_response({"id": erased.id, "status": erased.status, "erased_at": erased.erased_at})
