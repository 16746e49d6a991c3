"""The back office's manual check-in: the form on a registration's page (registration's)
posts here; a check-in goes back there, a refusal or a bad form is shown on checkin's own
small page with the form again."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from aiohttp import web

from services.checkin import office_forms as forms
from services.checkin.attendees.db import RegistrationTicket
from services.checkin.lists import db as lists_db
from services.checkin.lists.db import MAIN_LIST
from services.checkin.scans import manual
from services.checkin.scans.manual import ManualRequest
from services.checkin.scans.texts import MESSAGES, TEXTS
from shared.db import DB_POOL
from shared.http import read_form
from shared.office import pages
from shared.refusals import Refused
from shared.routes import staff_claims


async def _page(
    request: web.Request,
    registration_id: uuid.UUID,
    found: RegistrationTicket,
    values: dict[str, str],
    *,
    errors: forms.Errors | None = None,
    verdict: dict[str, Any] | None = None,
    message: str = "",
    status: int = 200,
) -> web.Response:
    lang = forms.lang(request)
    lists = await lists_db.select_lists(request.app[DB_POOL], found.event_id)
    first = verdict.get("first_checkin") if verdict else None
    return pages.render(
        request,
        "checkin_manual.html",
        staff_claims(request),
        TEXTS,
        status=400 if errors else status,
        errors=errors,
        registration_id=registration_id,
        slug=found.event_slug,
        list_options=[(entry.slug, entry.name) for entry in lists] or [(MAIN_LIST, MAIN_LIST)],
        values=values,
        verdict=verdict,
        verdict_text=MESSAGES[verdict["result"]][lang] if verdict else message,
        first_at=datetime.fromisoformat(first["at"]) if first else None,
        first_gate=first["gate"] if first else "",
    )


async def check_in_registration(request: web.Request) -> web.Response:
    claims = staff_claims(request)
    try:
        registration_id = uuid.UUID(request.match_info["registration_id"])
    except ValueError:
        return pages.not_found(request, claims)
    form = await read_form(request)
    try:
        found = await manual.event_of_registration(request.app, claims, registration_id)
    except Refused as e:
        if e.code != "registration_not_found":
            raise  # forbidden: the frame's 403 page
        return pages.not_found(request, claims)
    t = forms.words(request, TEXTS)
    values = {"reason": forms.text(form, "reason"), "list": forms.text(form, "list") or MAIN_LIST}
    body, errors = forms.convert(values, ManualRequest, t)
    if body is None:
        return await _page(request, registration_id, found, values, errors=errors)
    try:
        verdict = await manual.check_in_by_hand(request.app, claims, registration_id, body)
    except Refused as e:
        if e.code == "list_not_found":
            return await _page(
                request, registration_id, found, values, errors={"list": t["err_list"]}
            )
        if e.code != "no_ticket":
            raise
        message = e.text(forms.lang(request))
        return await _page(request, registration_id, found, values, message=message, status=409)
    if verdict["result"] == "accepted":
        raise web.HTTPSeeOther(f"/office/registrations/{registration_id}?check_in=accepted")
    # Refused by the rules (already checked in, not on the list, ...): said here, as at the
    # door, with the form for another list or another try.
    return await _page(request, registration_id, found, values, verdict=verdict, status=409)
