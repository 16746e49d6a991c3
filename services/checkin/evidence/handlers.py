"""HTTP handlers of attendance evidence: attendance lists, statistics and who is inside (CSV,
PDF), certificates of attendance, and checking that a certificate is genuine."""

from __future__ import annotations

import uuid

from aiohttp import web

from services.checkin.attendees.events import find_event
from services.checkin.evidence import certifying, reports, uploads, verdict_page, verifying
from services.checkin.evidence.certificates_db import Subject, select_subject
from services.checkin.evidence.certifying import SendRequest
from services.checkin.evidence.files import NO_CACHE, csv_response, pdf_response
from services.checkin.evidence.pdf_queue import PDF_QUEUE
from services.checkin.evidence.texts import INVALID_UPLOAD
from services.checkin.evidence.verifying import Verdict, VerifyRequest
from shared.auth import (
    STAFF_AUTH,
    exchange_link,
    looks_like_jwt,
    manage_token_matches,
    presented_token,
)
from shared.db import DB_POOL
from shared.http import decode_body, json_response, read_body
from shared.refusals import (
    EVENT_NOT_COVERED,
    FORBIDDEN,
    REGISTRATION_NOT_FOUND,
    SESSION_NOT_FOUND,
    UNAUTHORIZED,
    UNSUPPORTED_MEDIA_TYPE,
    Refused,
)
from shared.routes import staff_claims
from shared.slugs import is_slug


async def get_attendance_csv(request: web.Request) -> web.Response:
    """Every participant of the list, checked in or not (the checked_in column tells)."""
    slug, session = request.match_info["slug"], request.query.get("session")
    attended = await reports.attendance(request.app[DB_POOL], slug, session)
    rows = reports.attendance_rows(attended)
    return csv_response(reports.ATTENDANCE_CSV_COLUMNS, rows, attended.filename("csv"))


async def get_attendance_pdf(request: web.Request) -> web.Response:
    """The list to sign: every participant, with an empty signature box each."""
    slug, session = request.match_info["slug"], request.query.get("session")
    attended = await reports.attendance(request.app[DB_POOL], slug, session)
    return pdf_response(await reports.attendance_pdf(attended), attended.filename("pdf"))


async def get_statistics(request: web.Request) -> web.Response:
    slug, counted = await reports.statistics(request.app[DB_POOL], request.match_info["slug"])
    return json_response(reports.statistics_body(slug, counted), headers=NO_CACHE)


async def get_statistics_csv(request: web.Request) -> web.Response:
    slug, counted = await reports.statistics(request.app[DB_POOL], request.match_info["slug"])
    rows = reports.statistics_rows(counted)
    return csv_response(reports.STATISTICS_COLUMNS, rows, f"statistics-{slug}.csv")


async def get_inside_pdf(request: web.Request) -> web.Response:
    """Who is inside now, per list (``?list=`` one list, shown even if empty)."""
    slug, list_slug = request.match_info["slug"], request.query.get("list")
    filename, pdf = await reports.inside_pdf(request.app[DB_POOL], slug, list_slug)
    return pdf_response(pdf, filename)


def _authorize(request: web.Request, registration_id: uuid.UUID, subject: Subject | None) -> None:
    """An organizer covering the event, or the attendee's manage token (header, the
    registration's cookie, or a link's ?token= from an email, exchanged for the cookie)."""
    token = presented_token(request, registration_id)
    if not token:
        raise UNAUTHORIZED()
    if looks_like_jwt(token):
        claims = request.app[STAFF_AUTH].verify(token)
        if claims.role != "organizer":
            raise FORBIDDEN()
        if subject is not None and not claims.covers(subject.event.slug):
            raise EVENT_NOT_COVERED(slug=subject.event.slug)
        return
    if (
        subject is None
        or subject.manage_token_hash is None
        or not manage_token_matches(token, subject.manage_token_hash)
    ):
        raise FORBIDDEN()
    exchange_link(request, registration_id)


def _session_query(request: web.Request) -> str | None:
    session = request.query.get("session")
    if session is None or session == "":
        return None
    if not is_slug(session):
        raise SESSION_NOT_FOUND(slug=session)
    return session


async def get_certificate_pdf(request: web.Request) -> web.Response:
    """The attendee's certificate for the event (or ``?session=``), issued on first request."""
    try:
        registration_id = uuid.UUID(request.match_info["registration_id"])
    except ValueError:
        raise REGISTRATION_NOT_FOUND() from None
    subject = await select_subject(request.app[DB_POOL], registration_id)
    _authorize(request, registration_id, subject)
    session = _session_query(request)
    document = await certifying.certificate_pdf(request.app, registration_id, subject, session)
    return web.Response(
        body=document.pdf,
        content_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{document.filename}"',
            "Cache-Control": "private, no-store",
            "X-Certificate-Id": str(document.certificate_id),
        },
    )


async def send_certificates(request: web.Request) -> web.Response:
    """Issue the certificates of everyone who attended and announce each one once."""
    event = await find_event(request.app[DB_POOL], request.match_info["slug"])
    body = await decode_body(request, SendRequest) if request.body_exists else SendRequest()
    claims = staff_claims(request)
    return json_response(await certifying.send_certificates(request.app, claims, event.id, body))


async def get_certificate_keys(request: web.Request) -> web.Response:
    return json_response(await certifying.signing_keys(request.app[DB_POOL]))


async def verify_page(request: web.Request) -> web.Response:
    """``/verify/{id}``, where a certificate's QR code leads."""
    try:
        certificate_id = uuid.UUID(request.match_info["certificate_id"])
    except ValueError:
        return verdict_page.render(request, Verdict(genuine=False, reason="not_found"), 404)
    verdict = await verifying.check_stored(request.app[DB_POOL], certificate_id)
    return verdict_page.render(request, verdict, verdict_page.STATUS.get(verdict.reason, 200))


async def verify_form(request: web.Request) -> web.Response:
    return verdict_page.render(request, None)


async def verify_upload(request: web.Request) -> web.Response:
    """The page's form: a PDF file checked and answered on a page, never a problem+json."""
    try:
        async with uploads.turn(request):
            multipart = request.content_type == "multipart/form-data"
            data = await uploads.read_multipart(request) if multipart else None
            if data is None:
                return verdict_page.render(request, Verdict(genuine=False, reason="no_file"), 400)
            verdict = await verifying.check_pdf(request.app[DB_POOL], request.app[PDF_QUEUE], data)
    except Refused as e:
        if e.code == "request_timeout":
            raise  # the client stopped sending: no one waits for a page
        if e.code in verdict_page.NOTICES:
            return verdict_page.render(
                request, None, e.status, notice=verdict_page.NOTICES[e.code], headers=e.headers
            )
        reason = "too_large" if e.status == 413 else "no_file"
        return verdict_page.render(request, Verdict(genuine=False, reason=reason), e.status)
    return verdict_page.render(request, verdict)


async def verify_api(request: web.Request) -> web.Response:
    """For machines: a certificate's PDF (application/pdf or a multipart ``certificate``
    field) or ``{"token": ...}`` → ``{genuine, reason, message, certificate}``."""
    pool = request.app[DB_POOL]
    ctype = request.content_type
    if ctype == "application/json":
        body = await decode_body(request, VerifyRequest, limit=16 * 1024)
        return json_response(verifying.verdict_body(await verifying.check_token(pool, body.token)))
    if ctype not in ("application/pdf", "multipart/form-data"):
        raise UNSUPPORTED_MEDIA_TYPE(
            expected='application/pdf, or {"token": ...} as application/json'
        )
    async with uploads.turn(request):
        if ctype == "application/pdf":
            data: bytes | None = await read_body(request, uploads.MAX_UPLOAD)
        else:
            data = await uploads.read_multipart(request)
        if data is None:
            raise INVALID_UPLOAD()
        verdict = await verifying.check_pdf(pool, request.app[PDF_QUEUE], data)
    return json_response(verifying.verdict_body(verdict))
