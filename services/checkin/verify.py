"""Is this certificate genuine? The public page (by number or by uploading the PDF) and the
JSON API for machines."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlencode

import aiohttp_jinja2
import asyncpg
import msgspec
from aiohttp import web
from nacl.signing import VerifyKey

from services.checkin import certificates_db, uploads
from services.checkin.pdf_queue import PDF_QUEUE, NoAnswer, PdfQueue, TooComplex, Unreadable
from services.checkin.verify_texts import TEXTS
from shared import certificates
from shared.certificate_pdf import day_text
from shared.certificates import Claims, InvalidCertificate
from shared.http import ProblemError, decode_body, json_response, read_body
from shared.keys import DB_POOL
from shared.language import page_lang
from shared.timefmt import VENUE_TZ, format_when

PAGE_HEADERS = {
    "X-Robots-Tag": "noindex",  # the pages name people
    "Cache-Control": "no-store",
}


class Verdict(msgspec.Struct, frozen=True):
    genuine: bool
    reason: str  # genuine, or why not: a key of TEXTS
    certificate_id: uuid.UUID | None = None
    claims: Claims | None = None


class VerifyRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    token: Annotated[str, msgspec.Meta(max_length=certificates.MAX_TOKEN)]


async def _keys(pool: asyncpg.Pool) -> dict[int, VerifyKey]:
    # Read per check (checks are rare): a key another instance created verifies at once.
    return {k.id: VerifyKey(k.public_key) for k in await certificates_db.select_keys(pool)}


def _spaced(text: str) -> str:
    return " ".join(text.split())


def _text_matches(claims: Claims, text: str) -> bool:
    """The name, the event and the session the signature covers are what the page shows."""
    shown = _spaced(text)
    expected = [claims.holder, claims.event.name.get(claims.lang)]
    if claims.session is not None:
        expected.append(claims.session.name.get(claims.lang))
    return all(_spaced(value) in shown for value in expected)


async def check_token(pool: asyncpg.Pool, token: str, text: str | None = None) -> Verdict:
    """A token's verdict; with ``text`` (a PDF's), that text must show what was signed."""
    try:
        claims = certificates.verify(token, await _keys(pool))
    except InvalidCertificate as e:
        return Verdict(genuine=False, reason=e.reason)
    row = await certificates_db.select_certificate(pool, claims.id)
    if row is None:
        return Verdict(genuine=False, reason="not_found", certificate_id=claims.id)
    if row.withdrawn_at is not None:
        return Verdict(genuine=False, reason="withdrawn", certificate_id=claims.id)
    if row.claims != certificates.encode_claims(claims):
        return Verdict(genuine=False, reason="mismatch", certificate_id=claims.id)
    if text is not None and not _text_matches(claims, text):
        return Verdict(genuine=False, reason="text_altered", certificate_id=claims.id)
    return Verdict(genuine=True, reason="genuine", certificate_id=claims.id, claims=claims)


async def check_stored(pool: asyncpg.Pool, certificate_id: uuid.UUID) -> Verdict:
    row = await certificates_db.select_certificate(pool, certificate_id)
    if row is None:
        return Verdict(genuine=False, reason="not_found", certificate_id=certificate_id)
    if row.withdrawn_at is not None or row.claims is None or row.signature is None:
        return Verdict(genuine=False, reason="withdrawn", certificate_id=certificate_id)
    return await check_token(pool, certificates.join(row.claims, row.signature))


async def check_pdf(pool: asyncpg.Pool, pdfs: PdfQueue, data: bytes) -> Verdict:
    if not data.startswith(b"%PDF-"):
        return Verdict(genuine=False, reason="not_a_pdf")
    try:
        token, text = await pdfs.read(data)
    except Unreadable:
        return Verdict(genuine=False, reason="not_a_pdf")
    except TooComplex:
        return Verdict(genuine=False, reason="too_complex")
    except NoAnswer:
        raise uploads.busy() from None
    if not token:
        return Verdict(genuine=False, reason="no_token")
    return await check_token(pool, token, text)


def verdict_body(verdict: Verdict) -> dict[str, Any]:
    body: dict[str, Any] = {
        "genuine": verdict.genuine,
        "reason": verdict.reason,
        "message": {code: TEXTS[code][verdict.reason] for code in ("pl", "en")},
        "certificate_id": verdict.certificate_id,
    }
    claims = verdict.claims
    if claims is not None:
        body["certificate"] = {
            "id": claims.id,
            "holder": claims.holder,
            "event": {"slug": claims.event.slug, "name": claims.event.name},
            "scope": claims.scope,
            "session": {"slug": claims.session.slug, "name": claims.session.name}
            if claims.session
            else None,
            "attended": claims.attended,
            "issued_at": claims.issued_at,
        }
    return body


def _render(
    request: web.Request,
    verdict: Verdict | None,
    status: int = 200,
    *,
    notice: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """The page, with a verdict, or with a ``notice`` (a key of TEXTS) when there is none."""
    lang = page_lang(request)
    claims = verdict.claims if verdict else None
    details: dict[str, Any] | None = None
    if claims is not None:
        session = claims.session
        details = {
            "holder": claims.holder,
            "event": claims.event.name.get(lang),
            "session": session.name.get(lang) if session else None,
            "when": format_when(
                session.starts_at if session else claims.event.starts_at,
                session.ends_at if session else claims.event.ends_at,
                lang,
            ),
            "attended": ", ".join(day_text(d, lang) for d in claims.attended),
            "issued": day_text(claims.issued_at.astimezone(VENUE_TZ).date(), lang),
            "number": str(claims.id),
            "issuer": certificates.ISSUER.get(lang),
        }

    def switch_url(code: str) -> str:
        return f"{request.path}?{urlencode({**request.query, 'lang': code})}"

    response = aiohttp_jinja2.render_template(
        "certificate_verify.html",
        request,
        {
            "lang": lang,
            "t": TEXTS[lang],
            "verdict": verdict,
            "notice": notice,
            "details": details,
            "switch_url": switch_url,
            "form_action": f"/verify?{urlencode({'lang': lang})}",
        },
        status=status,
    )
    response.headers.update(PAGE_HEADERS)
    response.headers.update(headers or {})
    response.headers["Content-Language"] = lang
    return response


STATUS = {"genuine": 200, "not_found": 404, "withdrawn": 410}


async def verify_page(request: web.Request) -> web.Response:
    """``/verify/{id}``, where a certificate's QR code leads."""
    try:
        certificate_id = uuid.UUID(request.match_info["certificate_id"])
    except ValueError:
        return _render(request, Verdict(genuine=False, reason="not_found"), 404)
    verdict = await check_stored(request.app[DB_POOL], certificate_id)
    return _render(request, verdict, STATUS.get(verdict.reason, 200))


async def verify_form(request: web.Request) -> web.Response:
    return _render(request, None)


# Problems the page tells in a notice of its own: the file was not checked.
NOTICES = {"verify_busy": "busy", "verify_rate_limited": "rate_limited"}


async def verify_upload(request: web.Request) -> web.Response:
    """The page's form: a PDF file checked and answered on a page, never a problem+json."""
    try:
        async with uploads.turn(request):
            multipart = request.content_type == "multipart/form-data"
            data = await uploads.read_multipart(request) if multipart else None
            if data is None:
                return _render(request, Verdict(genuine=False, reason="no_file"), 400)
            verdict = await check_pdf(request.app[DB_POOL], request.app[PDF_QUEUE], data)
    except ProblemError as e:
        if e.code == "request_timeout":
            raise  # the client stopped sending: no one waits for a page
        if e.code in NOTICES:
            return _render(request, None, e.status, notice=NOTICES[e.code], headers=e.headers)
        reason = "too_large" if e.status == 413 else "no_file"
        return _render(request, Verdict(genuine=False, reason=reason), e.status)
    return _render(request, verdict)


async def verify_api(request: web.Request) -> web.Response:
    """For machines: a certificate's PDF (application/pdf or a multipart ``certificate``
    field) or ``{"token": ...}`` → ``{genuine, reason, message, certificate}``."""
    pool = request.app[DB_POOL]
    ctype = request.content_type
    if ctype == "application/json":
        body = await decode_body(request, VerifyRequest, limit=16 * 1024)
        return json_response(verdict_body(await check_token(pool, body.token)))
    if ctype not in ("application/pdf", "multipart/form-data"):
        raise ProblemError(
            415,
            "unsupported_media_type",
            'Send the PDF as application/pdf, or {"token": ...} as application/json.',
        )
    async with uploads.turn(request):
        if ctype == "application/pdf":
            data: bytes | None = await read_body(request, uploads.MAX_UPLOAD)
        else:
            data = await uploads.read_multipart(request)
        if data is None:
            raise ProblemError(
                400, "invalid_upload", "Send the file as multipart/form-data field `certificate`."
            )
        verdict = await check_pdf(pool, request.app[PDF_QUEUE], data)
    return json_response(verdict_body(verdict))
