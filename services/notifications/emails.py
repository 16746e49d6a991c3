"""What each email says: one compose function per template, from its delivery's payload.

``TEMPLATES`` maps a delivery's template name to its payload type and compose function.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Generic, TypeVar

import msgspec

from services.notifications.mailer import Email
from services.notifications.payloads import (
    AttemptRefused,
    CertificateReady,
    EventChange,
    Reminder,
    SessionOffer,
)
from services.notifications.sealing import Links
from shared import certificates, events
from shared.calendar import calendar_entry
from shared.certificate_pdf import day_text, render_certificate_pdf
from shared.ticket_pdf import render_ticket_pdf
from shared.timefmt import format_when, local_time

SUBJECTS = {
    "ticket": {"pl": "Twój bilet: {name}", "en": "Your ticket: {name}"},
    "ticket_reissued": {
        "pl": "Nowy bilet: {name} (poprzedni kod już nie działa)",
        "en": "Your new ticket: {name} (the earlier code no longer works)",
    },
    "waitlisted": {
        "pl": "Jesteś na liście oczekujących: {name}",
        "en": "You are on the waitlist: {name}",
    },
    "offer": {
        "pl": "Zwolniło się miejsce dla Ciebie: {name}",
        "en": "A seat is free for you: {name}",
    },
    "session_offer": {
        "pl": "Zwolniło się miejsce w sesji {session}: {name}",
        "en": "A seat is free for you in {session}: {name}",
    },
    "cancelled": {"pl": "Rejestracja anulowana: {name}", "en": "Registration cancelled: {name}"},
    "cancelled.organizer": {
        "pl": "Organizator anulował Twoją rejestrację: {name}",
        "en": "The organizer cancelled your registration: {name}",
    },
    "cancelled.offer_expired": {
        "pl": "Minął czas na przyjęcie miejsca: {name}",
        "en": "Your seat offer has expired: {name}",
    },
    "cancelled.event_cancelled": {
        "pl": "Wydarzenie odwołane: {name}",
        "en": "Event cancelled: {name}",
    },
    "event_changed": {
        "pl": "Zmiana w wydarzeniu: {name}",
        "en": "Event details changed: {name}",
    },
    "reminder": {"pl": "Przypomnienie: {name}, {day}", "en": "Reminder: {name}, {day}"},
    "attempt_refused": {
        "pl": "Ktoś próbował ponownie zarejestrować Twój adres: {name}",
        "en": "Someone tried to register your address again: {name}",
    },
    "certificate_ready": {
        "pl": "Zaświadczenie o uczestnictwie: {name}",
        "en": "Your certificate of attendance: {name}",
    },
}
SESSION_STATUS = {
    "confirmed": {"pl": "miejsce potwierdzone", "en": "seat confirmed"},
    "offered": {
        "pl": "miejsce czeka na Ciebie do {until}",
        "en": "seat held for you until {until}",
    },
    "waitlisted": {"pl": "na liście oczekujących", "en": "on the waitlist"},
    "pending": {
        "pl": "czeka, aż dostaniesz miejsce na wydarzeniu",
        "en": "waiting for your seat at the event",
    },
}
CHANGE_LABELS = {
    "name": {"pl": "nazwa", "en": "name"},
    "starts_at": {"pl": "termin", "en": "time"},
    "ends_at": {"pl": "termin", "en": "time"},
    "venue": {"pl": "miejsce", "en": "place"},
    "room": {"pl": "sala", "en": "room"},
}
POLISH_TIME = {"pl": "czasu polskiego", "en": "Polish time"}
TICKET_PDF = {"pl": "bilet", "en": "ticket"}
CERTIFICATE_PDF = {"pl": "zaswiadczenie", "en": "certificate"}


class SessionLine(msgspec.Struct, frozen=True):
    name: str
    when: str | None
    room: str | None
    status: str


def where(event: events.EventInfo, lang: str) -> str:
    if not event.room:
        return event.venue
    return f"{event.venue}, {'sala' if lang == 'pl' else 'room'} {event.room}"


def deadline(moment: datetime, lang: str) -> str:
    """A deadline as people at the CNK read it, e.g. ``24.03.2027 14:30 (Polish time)``."""
    return f"{local_time(moment)} ({POLISH_TIME[lang]})"


def session_lines(choices: Iterable[events.SessionChoice], lang: str) -> list[SessionLine]:
    lines = []
    for c in choices:
        if c.status not in SESSION_STATUS:
            continue  # cancelled: dropped, not worth a line
        when = format_when(c.starts_at, c.ends_at, lang) if c.starts_at and c.ends_at else None
        until = deadline(c.offer_expires_at, lang) if c.offer_expires_at else ""
        lines.append(
            SessionLine(
                name=c.name.get(lang) if c.name else c.slug,
                when=when,
                room=c.room,
                status=SESSION_STATUS[c.status][lang].format(until=until),
            )
        )
    return lines


def event_calendar_entry(
    registration_id: uuid.UUID, event: events.EventInfo, lang: str, description: str = ""
) -> bytes:
    # One UID per registration (as on the manage page's calendar file), so a changed event
    # updates the attendee's calendar entry instead of adding a second one.
    return calendar_entry(
        uid=f"{registration_id}@cnk-events",
        summary=event.name.get(lang),
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        location=where(event, lang),
        description=description,
    )


def _context(
    event: events.EventInfo,
    holder: events.Holder,
    manage_url: str | None,
    **extra: Any,
) -> dict[str, Any]:
    lang = holder.lang
    return {
        "holder": holder,
        "event": event,
        "name": event.name.get(lang),
        "when": format_when(event.starts_at, event.ends_at, lang),
        "where": where(event, lang),
        "manage_url": manage_url,
        **extra,
    }


def _subject(key: str, event: events.EventInfo, lang: str, **extra: str) -> str:
    return SUBJECTS[key][lang].format(name=event.name.get(lang), **extra)


def ticket_email(ticket: events.TicketIssued, links: Links, template: str = "ticket") -> Email:
    lang = ticket.holder.lang
    manage_url = links.manage(ticket.registration_id, ticket.manage_token_sealed, lang)
    return Email(
        template=template,
        to=ticket.holder,
        subject=_subject(template, ticket.event, lang),
        context=_context(
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
        pdf_filename=f"{TICKET_PDF[lang]}-{ticket.event.slug}.pdf",
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
        subject=_subject("waitlisted", data.event, lang),
        context=_context(
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
        subject=_subject("offer", data.event, lang),
        context=_context(
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
        subject=_subject("session_offer", offer.event, lang, session=session.name),
        context=_context(
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
    subject = f"cancelled.{data.reason}"
    return Email(
        template="cancelled",
        to=data.holder,
        subject=_subject(subject if subject in SUBJECTS else "cancelled", data.event, lang),
        context=_context(
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
    labels = [CHANGE_LABELS[c][lang] for c in change.changed if c in CHANGE_LABELS]
    confirmed = change.status == "confirmed"
    return Email(
        template="event_changed",
        to=change.holder,
        subject=_subject("event_changed", change.event, lang),
        context=_context(
            change.event,
            change.holder,
            manage_url,
            changed=list(dict.fromkeys(labels)),
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
        subject=_subject("reminder", reminder.event, lang, day=day),
        context=_context(
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
        subject=_subject("attempt_refused", refused.event, lang),
        context=_context(
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
        subject=SUBJECTS["certificate_ready"][lang].format(name=session or name),
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
        pdf_filename=f"{CERTIFICATE_PDF[lang]}-{slug}.pdf",
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
}
