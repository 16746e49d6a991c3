"""Writing to an event's attendees: the draft checked, its audience counted by language,
and on sending the message stored with one ``registration.message_requested`` per
recipient, in one transaction (notifications emails each once, in their language)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import asyncpg
import msgspec

from services.registration import messages
from services.registration.mailings import db
from services.registration.records import Event, Session
from services.registration.sessions import db as sessions_db
from shared import audit, events, outbox
from shared.auth import StaffClaims

MAX_SUBJECT = 200
MAX_BODY = 20_000
# In the form's order, so that the error summary lists the fields as the page shows them.
TEXT_FIELDS = ("subject_pl", "body_pl", "subject_en", "body_en")
AUDIENCES = db.AUDIENCES


class Draft(msgspec.Struct, frozen=True):
    subject: events.LocalizedText
    body: events.LocalizedText
    audience: str
    session: str | None = None  # the session's slug, for the "session" audience
    session_id: uuid.UUID | None = None


def read_draft(
    fields: Mapping[str, str], session_ids: Mapping[str, uuid.UUID]
) -> tuple[Draft, dict[str, str]]:
    """The draft a form describes, and what is wrong with it: field name -> a problem's key
    (``missing``, ``too_long``, ``one_line``, ``no_audience``, ``no_session``).
    ``session_ids``: the event's sessions by slug."""
    values = {name: fields.get(name, "").replace("\r\n", "\n").strip() for name in TEXT_FIELDS}
    problems: dict[str, str] = {}
    for name, value in values.items():
        limit = MAX_SUBJECT if name.startswith("subject") else MAX_BODY
        if not value:
            problems[name] = "missing"
        elif len(value) > limit:
            problems[name] = "too_long"
        elif name.startswith("subject") and "\n" in value:
            problems[name] = "one_line"
    audience = fields.get("audience", "")
    session = fields.get("session", "") or None
    if audience not in db.AUDIENCES:
        problems["audience"] = "no_audience"
    elif audience == "session" and session not in session_ids:
        problems["session"] = "no_session"
    if audience != "session":
        session = None
    draft = Draft(
        subject=events.LocalizedText(pl=values["subject_pl"], en=values["subject_en"]),
        body=events.LocalizedText(pl=values["body_pl"], en=values["body_en"]),
        audience=audience,
        session=session,
        session_id=session_ids.get(session) if session else None,
    )
    return draft, problems


async def sessions_of(pool: asyncpg.Pool, event: Event) -> list[Session]:
    return await sessions_db.select_sessions(pool, event.id)


async def count_recipients(pool: asyncpg.Pool, event: Event, draft: Draft) -> dict[str, int]:
    """How many the draft would reach, by language (both languages always present)."""
    found = await db.select_recipient_counts(pool, event.id, draft.audience, draft.session_id)
    return {"pl": found.get("pl", 0), "en": found.get("en", 0)}


class LanguageMissing(Exception):
    """Someone the message goes to reads a language the draft has no text in."""

    def __init__(self, langs: list[str]) -> None:
        super().__init__(langs)
        self.langs = langs


def unneeded_missing(problems: dict[str, str], counts: Mapping[str, int]) -> dict[str, str]:
    """``problems`` without the missing texts of a language nobody in the audience reads."""
    return {
        field: problem
        for field, problem in problems.items()
        if not (problem == "missing" and field in TEXT_FIELDS and not counts[field[-2:]])
    }


async def send(
    pool: asyncpg.Pool, claims: StaffClaims, event: Event, draft: Draft, message_id: uuid.UUID
) -> int | None:
    """Store the message and queue its emails; how many people it goes to (0: nobody, and
    nothing is stored), or None when ``message_id`` was sent before (a form sent twice).
    Raises LanguageMissing when a recipient's language has no text (nothing stored)."""
    info = messages.event_info(event)
    async with pool.acquire() as conn, conn.transaction():
        recipients = await db.select_recipients(conn, event.id, draft.audience, draft.session_id)
        if not recipients:
            return 0
        missing = {
            r.lang
            for r in recipients
            if not draft.subject.get(r.lang) or not draft.body.get(r.lang)
        }
        if missing:
            raise LanguageMissing(sorted(missing))
        stored = await db.insert_message(
            conn,
            message_id=message_id,
            event_id=event.id,
            audience=draft.audience,
            session_id=draft.session_id,
            subject=(draft.subject.pl, draft.subject.en),
            body=(draft.body.pl, draft.body.en),
            sent_by=(claims.sub, claims.name or claims.sub),
            recipients=len(recipients),
        )
        if not stored:
            return None
        await outbox.enqueue_many(
            conn,
            [
                outbox.prepare(
                    events.MessageRequested(
                        message_id=message_id,
                        registration_id=r.id,
                        event=info,
                        holder=events.Holder(name=r.name, email=r.email, lang=r.lang),
                        subject=draft.subject.get(r.lang),
                        body=draft.body.get(r.lang),
                        manage_token_sealed=r.manage_token_sealed,
                    ),
                    # One aggregate per email: no recipient's event can look stale.
                    uuid.uuid5(message_id, str(r.id)),
                    1,
                )
                for r in recipients
            ],
        )
        await audit.record(
            conn,
            "registration",
            claims,
            "message.sent",
            event_slug=event.slug,
            after={
                "message_id": str(message_id),
                "audience": draft.audience,
                "session": draft.session,
                "subject": {"pl": draft.subject.pl, "en": draft.subject.en},
                "recipients": len(recipients),
            },
        )
    return len(recipients)


async def sent_messages(pool: asyncpg.Pool, event: Event) -> list[db.Message]:
    return await db.select_messages(pool, event.id)
