"""HTTP of the delivery log page: a registration's emails, each with a resend button."""

from __future__ import annotations

import uuid

import msgspec
from aiohttp import web

from services.notifications.deliveries import db, log
from services.notifications.texts import PAGE
from shared.db import DB_POOL
from shared.http import read_form
from shared.office import pages
from shared.refusals import Refused
from shared.routes import staff_claims

TICKETS = ("ticket", "ticket_reissued")
# Refusals of a resend shown on the page, at the email's button.
PAGE_REFUSALS = ("delivery_pending", "delivery_withdrawn", "recipient_erased")


class _Subject(msgspec.Struct):
    subject: str = ""


def _subject(delivery: db.Delivery) -> str:
    """As sent; a message not sent yet has its organizer's subject in its payload."""
    if delivery.subject:
        return delivery.subject
    if delivery.template == "message":
        return msgspec.json.decode(delivery.payload, type=_Subject).subject
    return ""


def _registration_id(request: web.Request) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.match_info["registration_id"])
    except ValueError:
        return None


async def _page(
    request: web.Request,
    registration_id: uuid.UUID,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> web.Response:
    claims = staff_claims(request)
    found = await log.log_page(request.app[DB_POOL], claims, registration_id)
    if found.attendee is None and not found.deliveries:
        return pages.not_found(request, claims)
    may_resend = claims.may("organizer", found.event_slug)
    resendable = [d for d in found.deliveries if d.status in ("sent", "failed")]
    tickets = [d for d in resendable if d.template in TICKETS and bytes(d.payload) != b"{}"]
    return pages.render(
        request,
        "deliveries/log.html",
        claims,
        PAGE,
        status=status,
        errors=errors,
        registration_id=registration_id,
        found=found,
        subjects={d.id: _subject(d) for d in found.deliveries},
        may_resend=may_resend,
        ticket=tickets[-1] if tickets and may_resend else None,
        resent="resent" in request.query,
    )


async def delivery_log_page(request: web.Request) -> web.Response:
    registration_id = _registration_id(request)
    if registration_id is None:
        return pages.not_found(request, staff_claims(request))
    return await _page(request, registration_id)


async def resend_from_page(request: web.Request) -> web.Response:
    claims = staff_claims(request)
    registration_id = _registration_id(request)
    try:
        delivery_id = uuid.UUID(request.match_info["delivery_id"])
    except ValueError:
        registration_id = None
    if registration_id is None:
        return pages.not_found(request, claims)
    await read_form(request)
    try:
        await log.resend(request.app[DB_POOL], claims, delivery_id, registration_id)
    except Refused as e:
        if e.refusal.code == "delivery_not_found":
            return pages.not_found(request, claims)
        if e.refusal.code not in PAGE_REFUSALS:
            raise
        message = e.text(pages.lang_of(request, claims))
        return await _page(
            request, registration_id, status=409, errors={f"resend-{delivery_id}": message}
        )
    raise web.HTTPSeeOther(f"/office/registrations/{registration_id}/emails?resent=1")
