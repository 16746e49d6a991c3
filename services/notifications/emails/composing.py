"""What each email says: one compose function per template, from its delivery's payload.

``TEMPLATES`` maps a delivery's template name to its payload type and compose function.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import msgspec

from services.notifications.emails.mailer import Email
from services.notifications.emails.parts import (
    change_labels,
    context,
    deadline,
    event_calendar_entry,
    has_subject,
    session_lines,
    subject,
    text,
    where,
)
from services.notifications.emails.payloads import (
    AttemptRefused,
    CertificateReady,
    EventChange,
    Reminder,
    SessionOffer,
)
from services.notifications.sealing import Links
from shared import certificates, events
from shared.certificate_pdf import day_text, render_certificate_pdf
from shared.ticket_pdf import render_ticket_pdf
from shared.timefmt import format_when, local_time


def ticket_email(ticket: events.TicketIssued, links: Links, template: str = "ticket") -> Email:
    lang = ticket.holder.lang
    manage_url = links.manage(ticket.registration_id, ticket.manage_token_sealed, lang)
    return Email(
        template=template,
        to=ticket.holder,
        subject=subject(template, ticket.event, lang),
        context=context(
            ticket.event,
            ticket.holder,
            manage_url,
            code=ticket.code,
            sessions=session_lines(ticket.sessions, lang),
        ),
        qr_code=ticket.code,
        calendar=event_calendar_entry(
            ticket.registration_id, ticket.event, lang, f"Ticket / Bilet: {ticket.code}"
        ),
        calendar_filename=f"{ticket.event.slug}.ics",
        pdf=render_ticket_pdf(
            holder_name=ticket.holder.name,
            event_name=ticket.event.name.get(lang),
            starts_at=ticket.event.starts_at,
            ends_at=ticket.event.ends_at,
            venue=ticket.event.venue,
            room=ticket.event.room,
            code=ticket.code,
            ticket_id=ticket.ticket_id,
            lang=lang,
            created_at=ticket.issued_at,
        ),
        pdf_filename=f"{text('file.ticket', lang)}-{ticket.event.slug}.pdf",
    )


def reissued_ticket_email(ticket: events.TicketIssued, links: Links) -> Email:
    """The ticket email again (its templates extend the ticket's), with the new code: the
    key that signed the old one was retired."""
    return ticket_email(ticket, links, "ticket_reissued")


def waitlisted_email(data: events.RegistrationWaitlisted, links: Links) -> Email:
    lang = data.holder.lang
    manage_url = links.manage(data.registration_id, data.manage_token_sealed, lang)
    return Email(
        template="waitlisted",
        to=data.holder,
        subject=subject("waitlisted", data.event, lang),
        context=context(
            data.event,
            data.holder,
            manage_url,
            position=data.position if data.position > 0 else None,
            sessions=session_lines(data.sessions, lang),
        ),
    )


def offer_email(data: events.RegistrationOffered, links: Links) -> Email:
    lang = data.holder.lang
    manage_url = links.manage(data.registration_id, data.manage_token_sealed, lang)
    return Email(
        template="offer",
        to=data.holder,
        subject=subject("offer", data.event, lang),
        context=context(
            data.event,
            data.holder,
            manage_url,
            expires=deadline(data.expires_at, lang),
            sessions=session_lines(data.sessions, lang),
        ),
    )


def session_offer_email(offer: SessionOffer, links: Links) -> Email:
    lang = offer.holder.lang
    manage_url = links.manage(offer.registration_id, offer.manage_token_sealed, lang)
    [session] = session_lines([offer.session], lang)
    expires = offer.session.offer_expires_at
    return Email(
        template="session_offer",
        to=offer.holder,
        subject=subject("session_offer", offer.event, lang, session=session.name),
        context=context(
            offer.event,
            offer.holder,
            manage_url,
            session=session,
            expires=deadline(expires, lang) if expires else None,
        ),
    )


def cancelled_email(data: events.RegistrationCancelled, links: Links) -> Email:
    lang = data.holder.lang
    manage_url = links.manage(data.registration_id, data.manage_token_sealed, lang)
    variant = f"cancelled.{data.reason}"
    return Email(
        template="cancelled",
        to=data.holder,
        subject=subject(variant if has_subject(variant) else "cancelled", data.event, lang),
        context=context(
            data.event,
            data.holder,
            manage_url,
            reason=data.reason,
            event_url=links.event(data.event.slug, lang),
            had_ticket=data.previous_status == "confirmed",
            was_waiting=data.previous_status in ("waitlisted", "offered"),
        ),
    )


def event_changed_email(change: EventChange, links: Links) -> Email:
    lang = change.holder.lang
    manage_url = links.manage(change.registration_id, change.manage_token_sealed, lang)
    confirmed = change.status == "confirmed"
    return Email(
        template="event_changed",
        to=change.holder,
        subject=subject("event_changed", change.event, lang),
        context=context(
            change.event,
            change.holder,
            manage_url,
            changed=change_labels(change.changed, lang),
            status=change.status,
        ),
        # Only a seat holder has (or should have) the event in their calendar.
        calendar=event_calendar_entry(change.registration_id, change.event, lang)
        if confirmed
        else None,
        calendar_filename=f"{change.event.slug}.ics",
    )


def reminder_email(reminder: Reminder, links: Links) -> Email:
    lang = reminder.holder.lang
    sealed = reminder.manage_token_sealed
    day = local_time(reminder.event.starts_at)
    return Email(
        template="reminder",
        to=reminder.holder,
        subject=subject("reminder", reminder.event, lang, day=day),
        context=context(
            reminder.event,
            reminder.holder,
            links.manage(reminder.registration_id, sealed, lang),
            sessions=session_lines(reminder.sessions, lang),
            ticket_url=links.ticket(reminder.registration_id, sealed, lang),
        ),
    )


def attempt_refused_email(refused: AttemptRefused, links: Links) -> Email:
    """It points to the earlier emails for the ticket and the manage link instead of
    carrying them: an email anyone can set off carries nothing that opens the registration."""
    lang = refused.holder.lang
    return Email(
        template="attempt_refused",
        to=refused.holder,
        subject=subject("attempt_refused", refused.event, lang),
        context=context(
            refused.event,
            refused.holder,
            None,
            status=refused.status,
            tried_at=deadline(refused.refused_at, lang),
        ),
    )


def certificate_ready_email(ready: CertificateReady, links: Links) -> Email:
    """The certificate attached (rendered from its signed token, as checkin renders it),
    a link to download it again and the page that confirms it is genuine."""
    issued = ready.certificate
    lang = ready.holder.lang
    claims = certificates.claims_of(issued.token)
    session = issued.scope_name.get(lang) if issued.scope_name else None
    if claims.session is not None:
        when = format_when(claims.session.starts_at, claims.session.ends_at, lang)
    else:
        when = format_when(issued.event.starts_at, issued.event.ends_at, lang)
    name = issued.event.name.get(lang)
    slug = issued.event.slug + (f"-{claims.session.slug}" if claims.session else "")
    return Email(
        template="certificate_ready",
        to=ready.holder,
        subject=text("subject.certificate_ready", lang).format(name=session or name),
        context={
            "holder": ready.holder,
            "event": issued.event,
            "name": name,
            "session": session,
            "when": when,
            "where": where(issued.event, lang),
            "attended": ", ".join(day_text(d, lang) for d in claims.attended),
            "certificate_id": issued.certificate_id,
            "download_url": links.certificate(issued.download_path, ready.manage_token_sealed),
            "verify_url": issued.verify_url,
        },
        pdf=render_certificate_pdf(claims, issued.token, issued.verify_url),
        pdf_filename=f"{text('file.certificate', lang)}-{slug}.pdf",
    )


def message_email(message: events.MessageRequested, links: Links) -> Email:
    """An organizer's message: their subject and text, headed and signed with the event."""
    lang = message.holder.lang
    manage_url = links.manage(message.registration_id, message.manage_token_sealed, lang)
    return Email(
        template="message",
        to=message.holder,
        subject=subject("message", message.event, lang, subject=message.subject),
        context=context(
            message.event,
            message.holder,
            manage_url,
            body=message.body,
            paragraphs=[p.split("\n") for p in message.body.split("\n\n") if p.strip()],
        ),
    )


P = TypeVar("P", bound=msgspec.Struct)


@dataclasses.dataclass(frozen=True)
class Template(Generic[P]):
    payload: type[P]
    compose: Callable[[P, Links], Email]

    def email(self, payload: bytes, links: Links) -> Email:
        return self.compose(msgspec.json.decode(payload, type=self.payload), links)


TEMPLATES: dict[str, Template[Any]] = {
    "ticket": Template(events.TicketIssued, ticket_email),
    "ticket_reissued": Template(events.TicketIssued, reissued_ticket_email),
    "waitlisted": Template(events.RegistrationWaitlisted, waitlisted_email),
    "offer": Template(events.RegistrationOffered, offer_email),
    "session_offer": Template(SessionOffer, session_offer_email),
    "cancelled": Template(events.RegistrationCancelled, cancelled_email),
    "event_changed": Template(EventChange, event_changed_email),
    "reminder": Template(Reminder, reminder_email),
    "attempt_refused": Template(AttemptRefused, attempt_refused_email),
    "certificate_ready": Template(CertificateReady, certificate_ready_email),
    "message": Template(events.MessageRequested, message_email),
}
