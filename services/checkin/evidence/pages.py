"""The back office's certificates page: who got a certificate and when, and sending them
(certifying.send_certificates, as the API does: only to attendees, only once the event
has started); with links to the attendance files."""

from __future__ import annotations

from aiohttp import web

from services.checkin import office_forms as forms
from services.checkin.attendees.db import EventRow
from services.checkin.evidence import certificates_db, certifying
from services.checkin.evidence.certifying import SendRequest
from services.checkin.evidence.texts import OFFICE_TEXTS
from shared.certificates import EVENT_SCOPE
from shared.db import DB_POOL
from shared.http import read_form
from shared.office import pages
from shared.refusals import Refused
from shared.routes import staff_claims
from shared.timefmt import format_when


async def _page(
    request: web.Request, event: EventRow, *, refusal: str = "", status: int = 200
) -> web.Response:
    pool = request.app[DB_POOL]
    details = await certificates_db.select_event_details(pool, event.id)
    assert details is not None
    info, _ = details
    lang = forms.lang(request)
    issued = await certificates_db.select_event_certificates(pool, event.id)
    attendees = await certificates_db.select_attendees(pool, event.id, EVENT_SCOPE)
    claims = staff_claims(request)
    return pages.render(
        request,
        "checkin_certificates.html",
        claims,
        OFFICE_TEXTS,
        status=status,
        slug=event.slug,
        tab="tab_certificates",
        event_name=event.name.get(lang),
        started=certifying.started(info),
        starts_at=format_when(info.starts_at, info.ends_at, lang),
        certificates=issued,
        attended=len(attendees),
        sent=sum(1 for c in issued if c.scope == EVENT_SCOPE and c.announced_at is not None),
        may_send=claims.may("organizer", event.slug),
        refusal=refusal,
        count=request.query.get("sent", ""),
    )


async def certificates_page(request: web.Request) -> web.Response:
    event = await forms.event_of(request)
    if event is None:
        return pages.not_found(request, staff_claims(request))
    return await _page(request, event)


async def send_certificates(request: web.Request) -> web.Response:
    event = await forms.event_of(request)
    if event is None:
        return pages.not_found(request, staff_claims(request))
    await read_form(request)
    try:
        outcome = await certifying.send_certificates(
            request.app, staff_claims(request), event.id, SendRequest()
        )
    except Refused as e:
        if e.code != "event_not_started":
            raise
        return await _page(request, event, refusal=e.text(forms.lang(request)), status=409)
    raise web.HTTPSeeOther(f"/office/events/{event.slug}/certificates?sent={outcome['announced']}")
