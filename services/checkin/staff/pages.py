"""The back office's door devices page: issue a door token for the event and a gate as a
pairing QR (issuing.py), see each device's last sync and scan, revoke a token
(revoking.py, as DELETE /api/v1/door-tokens/{id} does)."""

from __future__ import annotations

import base64
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from services.checkin import office_forms as forms
from services.checkin.attendees.db import EventRow
from services.checkin.lists import db as lists_db
from services.checkin.staff import db, issuing, revoking
from services.checkin.staff.issuing import DEFAULT_DAYS, IssuedToken, IssueRequest
from services.checkin.staff.revoking import RevokeRequest
from services.checkin.staff.texts import TEXTS
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.http import read_form
from shared.office import pages
from shared.qr import text_qr_png
from shared.refusals import Refused
from shared.revocations import token_id
from shared.routes import staff_claims


async def _page(
    request: web.Request,
    event: EventRow,
    *,
    values: dict[str, Any] | None = None,
    errors: forms.Errors | None = None,
    issued: IssuedToken | None = None,
    refused: Refused | None = None,
) -> web.Response:
    """The devices page; with a refusal of a device's button above the tables."""
    pool = request.app[DB_POOL]
    issued_devices = await db.select_issued_devices(pool, event.id)
    mine = {d.token_id for d in issued_devices}
    gates = sorted(
        {g for listed in await lists_db.select_lists(pool, event.id) for g in listed.gates}
    )
    qr = None
    if issued is not None:
        qr = "data:image/png;base64," + base64.b64encode(text_qr_png(issued.pairing_url)).decode()
    return pages.render(
        request,
        "checkin_devices.html",
        staff_claims(request),
        TEXTS,
        status=refused.status if refused else 400 if errors else 200,
        errors=errors,
        problem=refused.text(forms.lang(request)) if refused else None,
        slug=event.slug,
        tab="tab_devices",
        event_name=event.name.get(forms.lang(request)),
        devices=issued_devices,
        others=[d for d in await db.select_devices(pool, event.id) if d.token_id not in mine],
        gates=gates,
        max_days=request.app[SETTINGS].staff_token_max_days,
        values=values or {"name": "", "gate": "", "days": str(DEFAULT_DAYS)},
        # A new form's token id: the same form sent again issues nothing more.
        issue_id=str(uuid.uuid4()) if issued or not values else values.get("issue_id", ""),
        issued=issued,
        qr=qr,
        expires=datetime.fromtimestamp(issued.claims.exp, UTC) if issued else None,
        may_change=staff_claims(request).may("organizer", event.slug),
        now=time.time(),
        notice=request.query.get("done", ""),
    )


async def devices_page(request: web.Request) -> web.Response:
    event = await forms.event_of(request)
    if event is None:
        return pages.not_found(request, staff_claims(request))
    return await _page(request, event)


async def issue_device(request: web.Request) -> web.Response:
    """Shows the pairing QR in the answer itself: the token is a secret shown once, kept
    nowhere a redirect could fetch it from."""
    event = await forms.event_of(request)
    if event is None:
        return pages.not_found(request, staff_claims(request))
    t = forms.words(request, TEXTS)
    form = await read_form(request)
    values = {name: forms.text(form, name) for name in ("name", "gate", "days", "issue_id")}
    fields: dict[str, Any] = {"name": values["name"], "gate": values["gate"]}
    errors: forms.Errors = {}
    try:
        fields["days"] = int(values["days"]) if values["days"] else DEFAULT_DAYS
    except ValueError:
        errors["days"] = t["err_days"]
    body, more = forms.convert(fields, IssueRequest, t)
    errors |= more
    issued = None
    if body is not None and not errors:
        try:
            issued = await issuing.issue_door_token(
                request.app, staff_claims(request), event, body, _issue_id(values["issue_id"])
            )
        except Refused as e:
            if e.code == "device_already_issued":
                return await _page(request, event, refused=e)
            if e.code != "validation_failed":
                raise
            errors = forms.refusal_errors(e, t, forms.lang(request), "name")
    if "days" in errors:
        errors["days"] = t["err_days"].format(max=request.app[SETTINGS].staff_token_max_days)
    # Once issued, the form is a new one: pressing it again is another device, on purpose.
    kept = None if issued else values
    return await _page(request, event, values=kept, errors=errors, issued=issued)


def _issue_id(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


async def revoke_device(request: web.Request) -> web.Response:
    event = await forms.event_of(request)
    if event is None:
        return pages.not_found(request, staff_claims(request))
    await read_form(request)
    try:
        jti = token_id(request.match_info["token_id"])
        await revoking.revoke_token(
            request.app, staff_claims(request), jti, RevokeRequest(), event_slug=event.slug
        )
    except Refused as e:  # a token unknown here, or another event's
        if e.code in ("forbidden", "event_not_covered"):
            raise
        return await _page(request, event, refused=e)
    raise web.HTTPSeeOther(f"/office/events/{event.slug}/devices?done=revoked")
