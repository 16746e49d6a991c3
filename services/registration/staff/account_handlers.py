"""HTTP of a person's own account: name and language, the second factor and its recovery
codes, open sessions and signing out everywhere."""

from __future__ import annotations

import uuid

import msgspec
from aiohttp import web

from services.registration.staff import accounts, reading, signing_in, two_factor
from services.registration.staff.texts import TEXTS, Invalid
from shared.auth import StaffClaims
from shared.db import DB_POOL
from shared.http import Form, read_form
from shared.office import pages, sessions
from shared.routes import staff_claims
from shared.staff_keys import STAFF_SIGNER

ACCOUNT = "/office/account"
SETUP = "/office/account/two-factor"


def _field(form: Form, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


async def _account_page(
    request: web.Request,
    claims: StaffClaims,
    status: int = 200,
    errors: dict[str, str] | None = None,
    **values: str,
) -> web.Response:
    found = await reading.account(request.app[DB_POOL], uuid.UUID(claims.sub))
    if found is None:
        return pages.not_found(request, claims)
    return pages.render(
        request,
        "staff/account.html",
        claims,
        TEXTS,
        status=status,
        errors=errors,
        account=found,
        name=values.get("name", found.person.name),
        language=values.get("language", found.person.language),
        saved=request.query.get("saved") == "1",
    )


async def account_page(request: web.Request) -> web.Response:
    return await _account_page(request, staff_claims(request))


async def save_account(request: web.Request) -> web.Response:
    form = await read_form(request)
    claims = staff_claims(request)
    name, language = _field(form, "name"), _field(form, "language")
    try:
        changed = await accounts.edit_person(
            request.app[DB_POOL], claims, uuid.UUID(claims.sub), name=name, language=language
        )
    except Invalid as e:
        errors = e.messages(pages.lang_of(request, claims))
        return await _account_page(request, claims, 400, errors, name=name, language=language)
    if changed is None:
        return pages.not_found(request, claims)
    # The session carries the name and language: signed again with the new ones.
    renewed = msgspec.structs.replace(
        claims, name=changed.person.name, lang=changed.person.language
    )
    redirect = web.HTTPSeeOther(f"{ACCOUNT}?saved=1")
    sessions.set_cookie(request, redirect, request.app[STAFF_SIGNER].sign(renewed))
    raise redirect


async def begin_two_factor(request: web.Request) -> web.Response:
    await read_form(request)
    await two_factor.begin_setup(request.app[DB_POOL], uuid.UUID(staff_claims(request).sub))
    raise web.HTTPSeeOther(SETUP)


async def _setup_page(
    request: web.Request,
    claims: StaffClaims,
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> web.Response:
    found = await reading.account(request.app[DB_POOL], uuid.UUID(claims.sub))
    if found is None or found.person.totp_secret is None or found.person.totp_enabled_at:
        raise web.HTTPSeeOther(ACCOUNT)
    words = TEXTS[pages.lang_of(request, claims)]
    return pages.render(
        request,
        "staff/two_factor_setup.html",
        claims,
        TEXTS,
        status=status,
        errors=errors,
        qr=two_factor.qr_svg(two_factor.otpauth_uri(found.person), words["qr_label"]),
        secret=found.person.totp_secret,
    )


async def two_factor_page(request: web.Request) -> web.Response:
    return await _setup_page(request, staff_claims(request))


async def confirm_two_factor(request: web.Request) -> web.Response:
    form = await read_form(request)
    claims = staff_claims(request)
    try:
        codes = await two_factor.confirm_setup(request.app[DB_POOL], claims, _field(form, "code"))
    except Invalid as e:
        return await _setup_page(request, claims, 400, e.messages(pages.lang_of(request, claims)))
    if codes is None:
        raise web.HTTPSeeOther(ACCOUNT)
    # Shown once, in this answer (not after a redirect: they are kept only as hashes).
    return pages.render(request, "staff/recovery_codes.html", claims, TEXTS, codes=codes)


async def turn_off_two_factor(request: web.Request) -> web.Response:
    form = await read_form(request)
    claims = staff_claims(request)
    try:
        await two_factor.turn_off(request.app[DB_POOL], claims, _field(form, "off_code"))
    except Invalid as e:
        errors = e.messages(pages.lang_of(request, claims), {"code": "off_code"})
        return await _account_page(request, claims, 400, errors)
    raise web.HTTPSeeOther(f"{ACCOUNT}?saved=1")


async def renew_recovery_codes(request: web.Request) -> web.Response:
    form = await read_form(request)
    claims = staff_claims(request)
    try:
        codes = await two_factor.regenerate_recovery_codes(
            request.app[DB_POOL], claims, _field(form, "renew_code")
        )
    except Invalid as e:
        errors = e.messages(pages.lang_of(request, claims), {"code": "renew_code"})
        return await _account_page(request, claims, 400, errors)
    if codes is None:
        raise web.HTTPSeeOther(ACCOUNT)
    return pages.render(request, "staff/recovery_codes.html", claims, TEXTS, codes=codes)


async def sign_out_everywhere(request: web.Request) -> web.Response:
    await read_form(request)
    await signing_in.sign_out_everywhere(request.app, request.app[DB_POOL], staff_claims(request))
    redirect = web.HTTPSeeOther("/office/sign-in?signed_out=1")
    sessions.clear_cookie(request, redirect)
    raise redirect
