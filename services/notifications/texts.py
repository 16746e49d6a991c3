"""The notifications service's refusals and the texts its emails put together, one
catalogue per language.

Plain dicts, not gettext catalogues: two languages and a few dozen short texts, looked up
hundreds of times a second while composing (a dict lookup costs nothing), and the email
bodies themselves are Jinja templates per language (emails/templates/). Keys are dotted
by kind: ``subject.<template>`` (``{name}`` is the event's or session's name),
``session.<status>``, ``change.<field>``, ``file.<attachment>``.
"""

from __future__ import annotations

from shared.refusals import Refusal

DELIVERY_NOT_FOUND = Refusal(
    "delivery_not_found", 404, "There is no such delivery.", "Nie ma takiej wysyłki."
)
DELIVERY_PENDING = Refusal(
    "delivery_pending",
    409,
    "This email is still on its way; wait for it.",
    "Ta wiadomość jest jeszcze w drodze; poczekaj na nią.",
)
DELIVERY_WITHDRAWN = Refusal(
    "delivery_withdrawn",
    409,
    "This email was withdrawn: what it said no longer held when it was due to be sent (its"
    " last_error says why).",
    "Ta wiadomość została wycofana: zanim ją wysłano, jej treść przestała być aktualna.",
)
RECIPIENT_ERASED = Refusal(
    "recipient_erased",
    409,
    "The recipient's data was erased; nothing to resend.",
    "Dane odbiorcy zostały usunięte; nie ma czego wysłać ponownie.",
)

PL = {
    "subject.ticket": "Twój bilet: {name}",
    "subject.ticket_reissued": "Nowy bilet: {name} (poprzedni kod już nie działa)",
    "subject.waitlisted": "Jesteś na liście oczekujących: {name}",
    "subject.offer": "Zwolniło się miejsce dla Ciebie: {name}",
    "subject.session_offer": "Zwolniło się miejsce w sesji {session}: {name}",
    "subject.cancelled": "Rejestracja anulowana: {name}",
    "subject.cancelled.organizer": "Organizator anulował Twoją rejestrację: {name}",
    "subject.cancelled.offer_expired": "Minął czas na przyjęcie miejsca: {name}",
    "subject.cancelled.event_cancelled": "Wydarzenie odwołane: {name}",
    "subject.event_changed": "Zmiana w wydarzeniu: {name}",
    "subject.reminder": "Przypomnienie: {name}, {day}",
    "subject.attempt_refused": "Ktoś próbował ponownie zarejestrować Twój adres: {name}",
    "subject.certificate_ready": "Zaświadczenie o uczestnictwie: {name}",
    "subject.message": "{name}: {subject}",
    "session.confirmed": "miejsce potwierdzone",
    "session.offered": "miejsce czeka na Ciebie do {until}",
    "session.waitlisted": "na liście oczekujących",
    "session.pending": "czeka, aż dostaniesz miejsce na wydarzeniu",
    "change.name": "nazwa",
    "change.starts_at": "termin",
    "change.ends_at": "termin",
    "change.venue": "miejsce",
    "change.room": "sala",
    "room": "sala",
    "polish_time": "czasu polskiego",
    "file.ticket": "bilet",
    "file.certificate": "zaswiadczenie",
}
EN = {
    "subject.ticket": "Your ticket: {name}",
    "subject.ticket_reissued": "Your new ticket: {name} (the earlier code no longer works)",
    "subject.waitlisted": "You are on the waitlist: {name}",
    "subject.offer": "A seat is free for you: {name}",
    "subject.session_offer": "A seat is free for you in {session}: {name}",
    "subject.cancelled": "Registration cancelled: {name}",
    "subject.cancelled.organizer": "The organizer cancelled your registration: {name}",
    "subject.cancelled.offer_expired": "Your seat offer has expired: {name}",
    "subject.cancelled.event_cancelled": "Event cancelled: {name}",
    "subject.event_changed": "Event details changed: {name}",
    "subject.reminder": "Reminder: {name}, {day}",
    "subject.attempt_refused": "Someone tried to register your address again: {name}",
    "subject.certificate_ready": "Your certificate of attendance: {name}",
    "subject.message": "{name}: {subject}",
    "session.confirmed": "seat confirmed",
    "session.offered": "seat held for you until {until}",
    "session.waitlisted": "on the waitlist",
    "session.pending": "waiting for your seat at the event",
    "change.name": "name",
    "change.starts_at": "time",
    "change.ends_at": "time",
    "change.venue": "place",
    "change.room": "room",
    "room": "room",
    "polish_time": "Polish time",
    "file.ticket": "ticket",
    "file.certificate": "certificate",
}
TEXTS = {"pl": PL, "en": EN}

# The delivery log page of the back office (deliveries/page_handlers.py).
PAGE = {
    "pl": {
        "title": "E-maile do: {name}",
        "title_unknown": "E-maile tej rejestracji",
        "registration": "Rejestracja",
        "event_registrations": "Rejestracje wydarzenia",
        "resend_ticket": "Wyślij bilet ponownie",
        "resend": "Wyślij ponownie",
        "resend_label": "Wyślij ponownie: {kind}, {when}",
        "resent": "Wysłano ponownie: wiadomość jest w drodze.",
        "none": "Do tej rejestracji nie wysłano jeszcze żadnego e-maila.",
        "emails": "Wysłane e-maile",
        "col_kind": "Rodzaj",
        "col_subject": "Temat",
        "col_queued": "Utworzono",
        "col_sent": "Wysłano",
        "col_status": "Stan",
        "col_attempts": "Próby",
        "col_action": "Działanie",
        "kind.ticket": "Bilet",
        "kind.ticket_reissued": "Nowy bilet",
        "kind.waitlisted": "Lista oczekujących",
        "kind.offer": "Oferta miejsca",
        "kind.session_offer": "Oferta miejsca w sesji",
        "kind.cancelled": "Anulowanie",
        "kind.event_changed": "Zmiana wydarzenia",
        "kind.reminder": "Przypomnienie",
        "kind.attempt_refused": "Próba ponownej rejestracji",
        "kind.certificate_ready": "Zaświadczenie",
        "kind.message": "Wiadomość od organizatora",
        "status.pending": "w kolejce",
        "status.sent": "wysłany",
        "status.failed": "niedostarczony",
        "status.withdrawn": "wycofany",
    },
    "en": {
        "title": "Emails to: {name}",
        "title_unknown": "This registration's emails",
        "registration": "Registration",
        "event_registrations": "The event's registrations",
        "resend_ticket": "Resend the ticket",
        "resend": "Resend",
        "resend_label": "Resend: {kind}, {when}",
        "resent": "Sent again: the email is on its way.",
        "none": "No email has been sent to this registration yet.",
        "emails": "Emails sent",
        "col_kind": "Kind",
        "col_subject": "Subject",
        "col_queued": "Created",
        "col_sent": "Sent",
        "col_status": "Status",
        "col_attempts": "Attempts",
        "col_action": "Action",
        "kind.ticket": "Ticket",
        "kind.ticket_reissued": "New ticket",
        "kind.waitlisted": "Waitlist",
        "kind.offer": "Seat offer",
        "kind.session_offer": "Session seat offer",
        "kind.cancelled": "Cancellation",
        "kind.event_changed": "Event changed",
        "kind.reminder": "Reminder",
        "kind.attempt_refused": "Repeated registration attempt",
        "kind.certificate_ready": "Certificate",
        "kind.message": "Message from the organizer",
        "status.pending": "queued",
        "status.sent": "sent",
        "status.failed": "not delivered",
        "status.withdrawn": "withdrawn",
    },
}
