"""Is this certificate genuine? Checking a certificate by its number, its token or its PDF;
the verdict's reason is a key of the page's texts (texts.py)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import asyncpg
import msgspec
from nacl.signing import VerifyKey

from services.checkin.evidence import certificates_db, uploads
from services.checkin.evidence.pdf_queue import (
    NoAnswer,
    PdfQueue,
    TooComplex,
    Unreadable,
)
from services.checkin.evidence.texts import TEXTS
from shared import certificates
from shared.certificates import Claims, InvalidCertificate


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
