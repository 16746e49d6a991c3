"""Certificates of attendance: signed PDFs, the public verification page, sending them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

import asyncpg
import msgspec
from aiohttp import web
from nacl.signing import SigningKey
from prometheus_client import Counter

from services.checkin.evidence import certificates_db
from services.checkin.evidence.certificates_db import Attendee, CertificateRow, Subject
from services.checkin.evidence.texts import (
    CERTIFICATE_WITHDRAWN,
    EVENT_NOT_STARTED,
    NOT_ATTENDED,
    REGISTRATION_ERASED,
)
from shared import audit, certificates, events, outbox
from shared.auth import StaffClaims
from shared.certificate_pdf import render_certificate_pdf, verify_url
from shared.certificates import EVENT_SCOPE, ClaimedEvent, ClaimedSession, Claims
from shared.config import SETTINGS
from shared.db import DB_POOL, first_or_create
from shared.metrics import METRICS
from shared.refusals import (
    REGISTRATION_NOT_FOUND,
    SESSION_NOT_FOUND,
)
from shared.slugs import SLUG_PATTERN


class Signer(msgspec.Struct, frozen=True):
    key_id: int
    key: SigningKey


SIGNER = web.AppKey("certificate_signer", Signer)
CERTIFICATES_TOTAL = web.AppKey("certificates_total", Counter)
FILENAME = {"pl": "zaswiadczenie", "en": "certificate"}


async def _create_key(conn: asyncpg.Connection) -> certificates_db.KeyRow:
    seed = SigningKey.generate()
    return await certificates_db.insert_key(conn, bytes(seed), bytes(seed.verify_key))


async def signing_key_context(app: web.Application) -> AsyncIterator[None]:
    # Two instances starting at once must agree on one key, not create two.
    current = await first_or_create(
        app[DB_POOL], b"cnk-certificate-keys", certificates_db.select_current_key, _create_key
    )
    app[SIGNER] = Signer(key_id=current.id, key=SigningKey(current.private_key))
    yield


def scope_of(session: str | None) -> str:
    return EVENT_SCOPE if session is None else f"session:{session}"


def _session(sessions: list[events.SessionInfo], slug: str | None) -> events.SessionInfo | None:
    if slug is None:
        return None
    for session in sessions:
        if session.slug == slug:
            return session
    raise SESSION_NOT_FOUND(slug=slug)


def _new_certificate(
    signer: Signer,
    event: events.EventInfo,
    session: events.SessionInfo | None,
    attendee: Attendee,
    issued_at: datetime,
) -> certificates_db.NewCertificate:
    claims = Claims(
        id=uuid.uuid4(),
        key_id=signer.key_id,
        holder=attendee.holder_name,
        lang=attendee.lang if attendee.lang in ("pl", "en") else "pl",
        event=ClaimedEvent(
            slug=event.slug,
            name=event.name,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            venue=event.venue,
        ),
        scope=scope_of(session.slug if session else None),
        attended=attendee.days,
        issued_at=issued_at,
        session=ClaimedSession(
            slug=session.slug,
            name=session.name,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            room=session.room,
        )
        if session
        else None,
    )
    raw, signature = certificates.split(certificates.sign(claims, signer.key))
    return certificates_db.NewCertificate(
        id=claims.id,
        registration_id=attendee.registration_id,
        event_id=event.id,
        scope=claims.scope,
        holder_name=claims.holder,
        lang=claims.lang,
        issued_at=issued_at,
        claims=raw,
        signature=signature,
        key_id=signer.key_id,
    )


async def _issue(
    app: web.Application,
    conn: asyncpg.Connection,
    event: events.EventInfo,
    session: events.SessionInfo | None,
    attendees: list[Attendee],
) -> set[uuid.UUID]:
    """Issue a certificate to each attendee who has none for the scope; the new ids."""
    if not attendees:
        return set()
    now = datetime.now(UTC).replace(microsecond=0)
    new = [_new_certificate(app[SIGNER], event, session, a, now) for a in attendees]
    inserted = await certificates_db.insert_certificates(conn, new)
    if inserted:
        kind = "event" if session is None else "session"
        app[CERTIFICATES_TOTAL].labels(kind).inc(len(inserted))
    return inserted


def certificate_token(row: CertificateRow) -> str:
    assert row.claims is not None and row.signature is not None
    return certificates.join(row.claims, row.signature)


def certificate_claims(row: CertificateRow) -> Claims:
    return msgspec.json.decode(row.claims or b"", type=Claims)


class SendRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    session: Annotated[str, msgspec.Meta(pattern=SLUG_PATTERN)] | None = None


def _announcement(
    row: CertificateRow,
    event: events.EventInfo,
    session: events.SessionInfo | None,
    checkin_url: str,
) -> events.CertificateIssued:
    path = f"/api/v1/registrations/{row.registration_id}/certificate.pdf"
    return events.CertificateIssued(
        certificate_id=row.id,
        registration_id=row.registration_id,
        event=event,
        scope=row.scope,
        holder_name=row.holder_name or "",
        lang="en" if row.lang == "en" else "pl",
        issued_at=row.issued_at,
        token=certificate_token(row),
        download_path=f"{path}?session={session.slug}" if session else path,
        verify_url=verify_url(checkin_url, row.id),
        scope_name=session.name if session else None,
    )


class CertificateFile(msgspec.Struct, frozen=True):
    pdf: bytes
    filename: str
    certificate_id: uuid.UUID


async def certificate_pdf(
    app: web.Application,
    registration_id: uuid.UUID,
    subject: Subject | None,
    session_slug: str | None,
) -> CertificateFile:
    """The attendee's certificate for the event (or a session), issued on first request."""
    pool = app[DB_POOL]
    if subject is None:
        raise REGISTRATION_NOT_FOUND()
    if subject.erased:
        raise REGISTRATION_ERASED()
    session = _session(subject.sessions, session_slug)
    scope = scope_of(session.slug if session else None)
    row = await certificates_db.select_certificate_of(pool, registration_id, scope)
    if row is None:
        attendees = await certificates_db.select_attendees(
            pool, subject.event.id, scope, registration_id
        )
        if not attendees:
            where = f"at session {session.slug!r}." if session else "at this event."
            raise NOT_ATTENDED(where=where)
        async with pool.acquire() as conn, conn.transaction():
            await _issue(app, conn, subject.event, session, attendees)
        row = await certificates_db.select_certificate_of(pool, registration_id, scope)
    assert row is not None
    if row.withdrawn_at is not None:
        raise CERTIFICATE_WITHDRAWN()
    claims = certificate_claims(row)
    # reportlab is pure Python (a few ms a page): in a thread, so door scans are not held up.
    pdf = await asyncio.get_running_loop().run_in_executor(
        None,
        render_certificate_pdf,
        claims,
        certificate_token(row),
        verify_url(app[SETTINGS].checkin_url, row.id),
    )
    name = f"{FILENAME[claims.lang]}-{subject.event.slug}"
    if session is not None:
        name += f"-{session.slug}"
    return CertificateFile(pdf, f"{name}.pdf", row.id)


def started(event: events.EventInfo) -> bool:
    return event.starts_at <= datetime.now(UTC)


async def send_certificates(
    app: web.Application, claims: StaffClaims, event_id: uuid.UUID, body: SendRequest
) -> dict[str, Any]:
    """Issue the certificates of everyone who attended and announce each one once; not
    before the event has started."""
    pool = app[DB_POOL]
    details = await certificates_db.select_event_details(pool, event_id)
    assert details is not None
    event, sessions = details
    if not started(event):
        raise EVENT_NOT_STARTED(starts_at=event.starts_at.isoformat())
    session = _session(sessions, body.session)
    scope = scope_of(body.session)
    attendees = await certificates_db.select_attendees(pool, event.id, scope)
    checkin_url = app[SETTINGS].checkin_url
    async with pool.acquire() as conn, conn.transaction():
        issued = await _issue(app, conn, event, session, attendees)
        announced = await certificates_db.update_certificates_announced(conn, event.id, scope)
        await outbox.enqueue_many(
            conn,
            [
                outbox.prepare(_announcement(c, event, session, checkin_url), c.id, 1)
                for c in announced
            ],
        )
        sent = await certificates_db.select_announced_count(conn, event.id, scope)
        outcome = {
            "event": event.slug,
            "session": body.session,
            "attended": len(attendees),
            "issued": len(issued),
            "announced": len(announced),
            "already_sent": sent - len(announced),
        }
        await audit.record(
            conn, "checkin", claims, "certificates.sent", event_slug=event.slug, after=outcome
        )
    return outcome


async def signing_keys(pool: asyncpg.Pool) -> dict[str, Any]:
    """Every key certificates were signed with, for anyone to check them."""
    keys = await certificates_db.select_keys(pool)
    return {
        "keys": [
            {
                "id": k.id,
                "algorithm": "Ed25519",
                "public_key": certificates.public_key_text_of(k.public_key),
                "created_at": k.created_at,
                "retired_at": k.retired_at,
            }
            for k in keys
        ]
    }


def setup(app: web.Application) -> None:
    """The signing key and the counter of certificates."""
    app[CERTIFICATES_TOTAL] = app[METRICS].counter(
        "certificates_issued", "Certificates of attendance issued, by scope", ["scope"]
    )
    app.cleanup_ctx.append(signing_key_context)
