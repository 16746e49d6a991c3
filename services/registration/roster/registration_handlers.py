"""HTTP of one registration's back-office page and its actions: cancel, offer a seat now,
change sessions, erase. Each action is the use case the API calls, by an organizer of the
registration's event, written to the audit log."""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from services.registration.audit import db as audit_db
from services.registration.audit.texts import TEXTS as AUDIT_TEXTS
from services.registration.audited import ByStaff
from services.registration.countries import country_name
from services.registration.pages.render import session_problem
from services.registration.privacy.erasing import erase_now
from services.registration.registrations.cancelling import cancel_registration
from services.registration.registrations.offering import offer_seat_now
from services.registration.roster.detail import Detail, registration_detail
from services.registration.roster.texts import TEXTS
from services.registration.sessions.choosing import choose_sessions
from services.registration.texts import TEXTS as PUBLIC_TEXTS
from shared.auth import StaffAuth, StaffClaims
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.http import read_form
from shared.office.pages import lang_of, not_found, render
from shared.refusals import Refused
from shared.routes import staff_claims

DONE = ("cancelled", "offered", "sessions", "erased")
# The page's words, with those of the audit entries' partial (audit/_entries.html).
PAGE_TEXTS = {lang: {**AUDIT_TEXTS[lang], **TEXTS[lang]} for lang in TEXTS}


async def _detail(request: web.Request) -> Detail | None:
    try:
        registration_id = uuid.UUID(request.match_info["registration_id"])
    except ValueError:
        return None
    return await registration_detail(request.app[DB_POOL], registration_id)


async def _page(
    request: web.Request,
    claims: StaffClaims,
    detail: Detail,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    **form: Any,
) -> web.Response:
    registration, event = detail.registration, detail.event
    lang = lang_of(request, claims)
    done = request.query.get("done", "")
    entries = await audit_db.select_for_registration(request.app[DB_POOL], registration.id)
    return render(
        request,
        "office/registrations/registration.html",
        claims,
        PAGE_TEXTS,
        status=status,
        errors=errors,
        d=detail,
        r=registration,
        event=event,
        slug=event.slug,
        event_name=getattr(event.name, lang),
        country=country_name(registration.country, lang),
        organizer=claims.may("organizer", event.slug),
        done=TEXTS[lang][f"done_{done}"] if done in DONE else None,
        entries=entries,
        offer_hours=f"{request.app[SETTINGS].offer_hours:g}",
        chosen=form.get("chosen", [p.session.slug for p in detail.places]),
        waitlist=form.get("waitlist", False),
    )


async def registration_page(request: web.Request) -> web.Response:
    claims = staff_claims(request)
    detail = await _detail(request)
    if detail is None:
        return not_found(request, claims)
    StaffAuth.check(claims, ("viewer",), detail.event.slug)
    return await _page(request, claims, detail)


async def _acting(request: web.Request) -> tuple[StaffClaims, Detail | None, ByStaff | None]:
    """The registration an organizer of its event acts on (a 403 page for anyone else);
    the form is read after the role is checked."""
    claims = staff_claims(request)
    detail = await _detail(request)
    if detail is None:
        return claims, None, None
    StaffAuth.check(claims, ("organizer",), detail.event.slug)
    return claims, detail, ByStaff(claims, detail.event.slug)


def _done(detail: Detail, what: str, back: str = "") -> web.HTTPSeeOther:
    if back == "waitlist":
        return web.HTTPSeeOther(f"/office/events/{detail.event.slug}/waitlist")
    return web.HTTPSeeOther(f"/office/registrations/{detail.registration.id}?done={what}")


def _error(request: web.Request, claims: StaffClaims, e: Refused) -> str:
    lang = lang_of(request, claims)
    return (
        TEXTS[lang].get(f"err_{e.code}") or PUBLIC_TEXTS[lang].get(f"err_{e.code}") or e.text(lang)
    )


async def cancel_from_office(request: web.Request) -> web.Response:
    claims, detail, by = await _acting(request)
    if detail is None or by is None:
        return not_found(request, claims)
    form = await read_form(request)
    if form.get("cancel_confirm") != "1":
        lang = lang_of(request, claims)
        errors = {"cancel_confirm": TEXTS[lang]["err_cancel_confirm"]}
        return await _page(request, claims, detail, status=400, errors=errors)
    offer_hours = request.app[SETTINGS].offer_hours
    await cancel_registration(
        request.app[DB_POOL], detail.registration, "organizer", offer_hours, by
    )
    raise _done(detail, "cancelled")


async def offer_from_office(request: web.Request) -> web.Response:
    claims, detail, by = await _acting(request)
    if detail is None or by is None:
        return not_found(request, claims)
    form = await read_form(request)
    lang = lang_of(request, claims)
    offer_hours = request.app[SETTINGS].offer_hours
    try:
        await offer_seat_now(
            request.app[DB_POOL],
            detail.registration,
            offer_hours,
            by,
            add_seat=form.get("add_seat") == "1",
        )
    except Refused as e:
        field = "add_seat" if e.code == "no_free_seat" and not e.values.get("of") else "offer"
        errors = {field: _error(request, claims, e) if field == "add_seat" else e.text(lang)}
        return await _page(request, claims, detail, status=e.status, errors=errors)
    raise _done(detail, "offered", str(form.get("back", "")))


async def sessions_from_office(request: web.Request) -> web.Response:
    claims, detail, by = await _acting(request)
    if detail is None or by is None:
        return not_found(request, claims)
    form = await read_form(request)
    slugs = list(dict.fromkeys(str(v) for v in form.getall("sessions", [])))
    waitlist = form.get("waitlist") == "1"
    offer_hours = request.app[SETTINGS].offer_hours
    try:
        await choose_sessions(
            request.app[DB_POOL], detail.registration, slugs, waitlist, offer_hours, by
        )
    except Refused as e:
        lang = lang_of(request, claims)
        error = session_problem(lang, e, detail.sessions, slugs)
        if e.code == "session_full":
            error = f"{error} {PUBLIC_TEXTS[lang]['err_session_full_hint']}"
        return await _page(
            request,
            claims,
            detail,
            status=e.status,
            errors={"sessions": error},
            chosen=slugs,
            waitlist=waitlist,
        )
    raise _done(detail, "sessions")


async def erase_from_office(request: web.Request) -> web.Response:
    claims, detail, by = await _acting(request)
    if detail is None or by is None:
        return not_found(request, claims)
    form = await read_form(request)
    if form.get("erase_confirm") != "1":
        lang = lang_of(request, claims)
        errors = {"erase_confirm": TEXTS[lang]["err_erase_confirm"]}
        return await _page(request, claims, detail, status=400, errors=errors)
    offer_hours = request.app[SETTINGS].offer_hours
    await erase_now(request.app[DB_POOL], detail.registration, "organizer", offer_hours, by)
    raise _done(detail, "erased")
