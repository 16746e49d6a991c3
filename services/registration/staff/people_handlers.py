"""HTTP of the staff pages (admins only): the list, adding a person, a person's name,
language and roles, removing them."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from services.registration.staff import accounts, reading, signing_in
from services.registration.staff.texts import TEXTS, Invalid
from shared.auth import ROLES
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.http import Form, read_form
from shared.office import pages
from shared.office.texts import TEXTS as FRAME
from shared.routes import staff_claims

STAFF = "/office/staff"


def _field(form: Form, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


async def _choices(request: web.Request) -> dict[str, Any]:
    """The role and event options of the forms."""
    lang = pages.lang_of(request, staff_claims(request))
    words = FRAME[lang]
    events = await reading.event_choices(request.app[DB_POOL])
    named = [(e.slug, f"{e.name_pl if lang == 'pl' else e.name_en} ({e.slug})") for e in events]
    return {
        "role_options": [(r, words[f"role_{r}"]) for r in ROLES],
        "event_options": [("*", words["all_events"]), *named],
        "language_options": [("pl", TEXTS[lang]["lang_pl"]), ("en", TEXTS[lang]["lang_en"])],
    }


async def staff_page(request: web.Request) -> web.Response:
    members = await reading.members(request.app[DB_POOL])
    return pages.render(request, "staff/list.html", staff_claims(request), TEXTS, members=members)


async def _new_form(
    request: web.Request, status: int = 200, errors: dict[str, str] | None = None, **values: str
) -> web.Response:
    defaults = {"email": "", "name": "", "language": "pl", "role": "organizer", "event": "*"}
    return pages.render(
        request,
        "staff/new.html",
        staff_claims(request),
        TEXTS,
        status=status,
        errors=errors,
        values={**defaults, **values},
        **await _choices(request),
    )


async def new_person_page(request: web.Request) -> web.Response:
    return await _new_form(request)


async def add_person(request: web.Request) -> web.Response:
    form = await read_form(request)
    claims = staff_claims(request)
    values = {k: _field(form, k) for k in ("email", "name", "language", "role", "event")}
    try:
        changed = await accounts.add_person(
            request.app[DB_POOL],
            claims,
            email=values["email"],
            name=values["name"],
            language=values["language"],
            role=values["role"],
            event_slug=values["event"],
        )
    except Invalid as e:
        return await _new_form(request, 400, e.messages(pages.lang_of(request, claims)), **values)
    await signing_in.revoke_sessions(request.app, changed.revoke, claims.sub)
    raise web.HTTPSeeOther(f"{STAFF}/{changed.person.id}?added=1")


async def _person_page(
    request: web.Request, status: int = 200, errors: dict[str, str] | None = None, **values: str
) -> web.Response:
    claims = staff_claims(request)
    staff_id = reading.staff_id_of(request.match_info["staff_id"])
    found = await reading.account(request.app[DB_POOL], staff_id) if staff_id else None
    if found is None:
        return pages.not_found(request, claims)
    defaults = {
        "name": found.person.name,
        "language": found.person.language,
        "role": "organizer",
        "event": "*",
    }
    return pages.render(
        request,
        "staff/person.html",
        claims,
        TEXTS,
        status=status,
        errors=errors,
        account=found,
        values={**defaults, **values},
        saved=request.query.get("saved") == "1",
        added=request.query.get("added") == "1",
        sign_in_url=f"{request.app[SETTINGS].registration_url}/office/sign-in",
        **await _choices(request),
    )


async def person_page(request: web.Request) -> web.Response:
    return await _person_page(request)


async def _after(request: web.Request, changed: accounts.Change | None) -> web.Response:
    claims = staff_claims(request)
    if changed is None:
        return pages.not_found(request, claims)
    await signing_in.revoke_sessions(request.app, changed.revoke, claims.sub)
    raise web.HTTPSeeOther(f"{STAFF}/{changed.person.id}?saved=1")


async def save_person(request: web.Request) -> web.Response:
    form = await read_form(request)
    claims = staff_claims(request)
    staff_id = reading.staff_id_of(request.match_info["staff_id"])
    values = {k: _field(form, k) for k in ("name", "language")}
    if staff_id is None:
        return pages.not_found(request, claims)
    try:
        changed = await accounts.edit_person(request.app[DB_POOL], claims, staff_id, **values)
    except Invalid as e:
        return await _person_page(
            request, 400, e.messages(pages.lang_of(request, claims)), **values
        )
    return await _after(request, changed)


async def add_role(request: web.Request) -> web.Response:
    form = await read_form(request)
    claims = staff_claims(request)
    staff_id = reading.staff_id_of(request.match_info["staff_id"])
    values = {k: _field(form, k) for k in ("role", "event")}
    if staff_id is None:
        return pages.not_found(request, claims)
    try:
        changed = await accounts.grant_role(
            request.app[DB_POOL], claims, staff_id, values["role"], values["event"]
        )
    except Invalid as e:
        return await _person_page(
            request, 400, e.messages(pages.lang_of(request, claims)), **values
        )
    return await _after(request, changed)


async def remove_role(request: web.Request) -> web.Response:
    await read_form(request)
    claims = staff_claims(request)
    staff_id = reading.staff_id_of(request.match_info["staff_id"])
    role_id = reading.staff_id_of(request.match_info["role_id"])
    if staff_id is None or role_id is None:
        return pages.not_found(request, claims)
    try:
        changed = await accounts.revoke_role(request.app[DB_POOL], claims, staff_id, role_id)
    except Invalid as e:
        return await _person_page(request, 400, e.messages(pages.lang_of(request, claims)))
    return await _after(request, changed)


async def remove_person(request: web.Request) -> web.Response:
    form = await read_form(request)
    claims = staff_claims(request)
    staff_id = reading.staff_id_of(request.match_info["staff_id"])
    if staff_id is None:
        return pages.not_found(request, claims)
    lang = pages.lang_of(request, claims)
    if _field(form, "confirm") != "1":
        return await _person_page(request, 400, {"confirm": TEXTS[lang]["confirm_needed"]})
    try:
        changed = await accounts.remove_person(request.app[DB_POOL], claims, staff_id)
    except Invalid as e:
        return await _person_page(request, 400, e.messages(lang, {"role": "confirm"}))
    if changed is None:
        return pages.not_found(request, claims)
    await signing_in.revoke_sessions(request.app, changed.revoke, claims.sub)
    raise web.HTTPSeeOther(STAFF)
