"""HTTP of organizer tools: list and search an event's registrations, export them as CSV,
import attendees from CSV."""

from __future__ import annotations

import msgspec
from aiohttp import web

from services.registration.audited import ByStaff
from services.registration.events.setup import find_event
from services.registration.registrations.bodies import registration_body
from services.registration.roster.importing import MAX_BYTES, decode, import_rows
from services.registration.roster.listing import ListQuery, matching, registrations_csv
from shared.db import DB_POOL
from shared.http import json_response, read_body
from shared.refusals import UNSUPPORTED_MEDIA_TYPE, VALIDATION_FAILED, FieldError
from shared.routes import staff_claims
from shared.sealing import SEALER


def _query(request: web.Request) -> ListQuery:
    try:
        return msgspec.convert(dict(request.query), ListQuery, strict=False)
    except msgspec.ValidationError as e:
        message = str(e)
        field = message.rsplit("$.", 1)[-1].rstrip("`") if "$." in message else "query"
        if "unknown field" in message:
            field = message.split("`")[1]
        raise VALIDATION_FAILED(
            errors=[FieldError(field=field, message=message.split(" - at ")[0])]
        ) from None


async def list_registrations(request: web.Request) -> web.Response:
    query = _query(request)
    pool = request.app[DB_POOL]
    event = await find_event(pool, request.match_info["slug"], include_drafts=True)
    listed = await matching(pool, event, query, paged=True)
    return json_response(
        {
            "total": listed.total,
            "registrations": [
                registration_body(r)
                | {
                    "sessions": [
                        {"slug": p.session.slug, "status": p.status} for p in listed.places[r.id]
                    ]
                }
                for r in listed.registrations
            ],
        }
    )


async def export_registrations_csv(request: web.Request) -> web.Response:
    query = _query(request)
    pool = request.app[DB_POOL]
    event = await find_event(pool, request.match_info["slug"], include_drafts=True)
    return web.Response(
        body=await registrations_csv(pool, event, query),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}-registrations.csv"'},
    )


async def import_registrations(request: web.Request) -> web.Response:
    if request.content_type not in ("text/csv", "text/plain"):
        raise UNSUPPORTED_MEDIA_TYPE(expected="text/csv")
    text = decode(await read_body(request, MAX_BYTES))
    pool = request.app[DB_POOL]
    event = await find_event(pool, request.match_info["slug"], include_drafts=True)
    by = ByStaff(staff_claims(request), event.slug)
    imported = await import_rows(pool, request.app[SEALER], event, text, by)
    return json_response(imported, status=201)
