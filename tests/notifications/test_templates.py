"""Every email template in Polish and English, composed and rendered as the sender does
(a delivery's JSON payload in, a MIME message out), without SMTP, PostgreSQL or NATS."""

from __future__ import annotations

import dataclasses
import html
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import icalendar
import msgspec
import pytest
from aiosmtplib.email import flatten_message
from aiosmtplib.protocol import normalize_message_line_endings
from nacl.public import PrivateKey
from nacl.signing import SigningKey

from services.notifications.deliveries import db
from services.notifications.emails import composing as emails
from services.notifications.emails import mailer, sender
from services.notifications.emails.payloads import (
    AttemptRefused,
    CertificateReady,
    EventChange,
    Reminder,
    SessionOffer,
)
from services.notifications.sealing import Links
from shared import certificates, codes, events, sealing
from shared.auth import hash_manage_token
from tests.factories import event_body, registration_body, unique
from tests.pdfs import pdf_text

LANGS = ["pl", "en"]
OTHER = {"pl": "en", "en": "pl"}
TEMPLATES_DIR = Path(emails.__file__).with_name("templates")

NAME = "Zażółć Gęślą <b>& Jaźń"
EVENT_NAME = {"pl": "Dzień Otwarty Politechniki", "en": "University Open Day"}
WORKSHOP = {"pl": "Warsztat druku 3D", "en": "3D printing workshop"}
ROBOTICS = {"pl": "Pokaz robotyki", "en": "Robotics show"}
SLUG = unique("dzien-otwarty")
REG_ID = uuid.uuid4()
CERT_ID = uuid.uuid4()
TOKEN = "Zq3-manage_Token8"
REGISTRATION_URL = "https://rejestracja.cnk.example"
TICKETS_URL = "https://bilety.cnk.example"
CHECKIN_URL = "https://obecnosc.cnk.example"

# June in Warsaw is UTC+2: every time below is written out as Warsaw reads it.
EVENT = msgspec.convert(
    event_body(
        slug=SLUG,
        name=EVENT_NAME,
        starts_at="2027-06-15T07:00:00Z",
        ends_at="2027-06-15T15:00:00Z",
        id=str(uuid.uuid4()),
        room="1.04",
    ),
    events.EventInfo,
)
WHEN = {
    "pl": "15 czerwca 2027, 09:00–17:00 (czasu polskiego)",
    "en": "15 June 2027, 09:00–17:00 (Polish time)",
}
MOVED = msgspec.structs.replace(
    EVENT,
    starts_at=datetime(2027, 6, 22, 8, tzinfo=UTC),
    ends_at=datetime(2027, 6, 22, 16, tzinfo=UTC),
    room="0.12",
)
MOVED_WHEN = {
    "pl": "22 czerwca 2027, 10:00–18:00 (czasu polskiego)",
    "en": "22 June 2027, 10:00–18:00 (Polish time)",
}
SESSION = events.SessionChoice(
    slug="druk-3d",
    status="confirmed",
    name=events.LocalizedText(**WORKSHOP),
    starts_at=datetime(2027, 6, 15, 8, tzinfo=UTC),
    ends_at=datetime(2027, 6, 15, 10, tzinfo=UTC),
    room="2.15",
)
ROBOTICS_WAITLISTED = events.SessionChoice(
    slug="robotyka", status="waitlisted", name=events.LocalizedText(**ROBOTICS)
)
SESSION_WHEN = {
    "pl": "15 czerwca 2027, 10:00–12:00 (czasu polskiego)",
    "en": "15 June 2027, 10:00–12:00 (Polish time)",
}
EXPIRES_AT = datetime(2027, 6, 1, 10, tzinfo=UTC)
EXPIRES = {"pl": "01.06.2027 12:00 (czasu polskiego)", "en": "01.06.2027 12:00 (Polish time)"}


def _sealed(token: str) -> str | None:
    """The token sealed as registration seals it, for the key the links open it with."""
    sealer = sealing.Sealer()
    sealer.apply("k1", msgspec.json.encode(sealing.public_entry(1, PRIVATE, EVENT.starts_at)))
    return sealer.seal(token)


PRIVATE = PrivateKey.generate()
SEALED = _sealed(TOKEN)
LINKS = Links(REGISTRATION_URL, {1: PRIVATE}, TICKETS_URL, CHECKIN_URL)


def _manage_url(lang: str) -> str:
    return f"{REGISTRATION_URL}/registrations/{REG_ID}?token={TOKEN}&lang={lang}"


def _holder(lang: str) -> events.Holder:
    return msgspec.convert(registration_body(name=NAME, lang=lang), events.Holder)


def _when_where(lang: str, when: dict[str, str] = WHEN, room: str = "1.04") -> list[str]:
    venue = f"CNK, ul. Zwierzyniecka 16, Białystok, {'sala' if lang == 'pl' else 'room'} {room}"
    if lang == "pl":
        return [f"Kiedy: {when['pl']}", f"Gdzie: {venue}"]
    return [f"When: {when['en']}", f"Where: {venue}"]


def _session_line(lang: str, status: str) -> str:
    room = {"pl": "sala", "en": "room"}[lang]
    return f"{WORKSHOP[lang]}, {SESSION_WHEN[lang]}, {room} 2.15: {status}"


@dataclasses.dataclass(frozen=True)
class Case:
    """One email to compose, and what its reader must find in it (besides name and event):
    ``subject`` and ``phrases`` by language, the rest as they are in the composed one."""

    payload: msgspec.Struct
    subject: dict[str, str]
    phrases: dict[str, list[str]]  # in both bodies; never in the other language's email
    links: list[str]
    data: list[str] = dataclasses.field(default_factory=list)
    attachments: dict[str, str] = dataclasses.field(default_factory=dict)  # filename: type


def ticket(lang: str) -> Case:
    code = codes.sign_code(SigningKey.generate(), 1, uuid.uuid4(), EVENT.id)
    robotics = msgspec.structs.replace(
        ROBOTICS_WAITLISTED, status="offered", offer_expires_at=EXPIRES_AT
    )
    payload = events.TicketIssued(
        ticket_id=uuid.uuid4(),
        registration_id=REG_ID,
        code=code,
        key_id=1,
        event=EVENT,
        holder=_holder(lang),
        manage_token_hash=hash_manage_token(TOKEN),
        issued_at=datetime(2027, 5, 20, 9, tzinfo=UTC),
        manage_token_sealed=SEALED,
        sessions=[SESSION, robotics],
    )
    pdf = {"pl": "bilet", "en": "ticket"}[lang]
    return Case(
        payload,
        {"pl": f"Twój bilet: {EVENT_NAME['pl']}", "en": f"Your ticket: {EVENT_NAME['en']}"},
        {
            "pl": [
                "jest potwierdzona",
                *_when_where("pl"),
                "Twoje sesje:",
                _session_line("pl", "miejsce potwierdzone"),
                f"{ROBOTICS['pl']}: miejsce czeka na Ciebie do {EXPIRES['pl']}",
                "przy wejściu, na telefonie albo wydrukowany",
                "bilet do wydruku (PDF)",
                "Zarządzaj rejestracją lub ją anuluj",
                "Do zobaczenia w Centrum Nowoczesnego Kształcenia",
            ],
            "en": [
                "is confirmed",
                *_when_where("en"),
                "Your sessions:",
                _session_line("en", "seat confirmed"),
                f"{ROBOTICS['en']}: seat held for you until {EXPIRES['en']}",
                "at the entrance, on your phone or printed",
                "printable ticket (PDF)",
                "Manage or cancel your registration",
                "See you at the Centre for Modern Education",
            ],
        },
        [_manage_url(lang)],
        data=[code],
        attachments={
            "ticket-qr.png": "image/png",
            f"{SLUG}.ics": "text/calendar",
            f"{pdf}-{SLUG}.pdf": "application/pdf",
        },
    )


def ticket_reissued(lang: str) -> Case:
    """The ticket email with the new code, saying first why it came."""
    case = ticket(lang)
    payload = msgspec.structs.replace(
        case.payload, code=codes.sign_code(SigningKey.generate(), 2, uuid.uuid4(), EVENT.id)
    )
    assert isinstance(payload, events.TicketIssued)
    confirmed = {"pl": "jest potwierdzona", "en": "is confirmed"}
    phrases = {
        "pl": [
            "To jest Twój nowy bilet",
            "Kod QR z wcześniejszej wiadomości już nie działa przy wejściu",
            "jest nadal potwierdzona",
        ],
        "en": [
            "This is your new ticket",
            "The QR code in our earlier email no longer works at the entrance",
            "is still confirmed",
        ],
    }
    return dataclasses.replace(
        case,
        payload=payload,
        subject={
            "pl": f"Nowy bilet: {EVENT_NAME['pl']} (poprzedni kod już nie działa)",
            "en": f"Your new ticket: {EVENT_NAME['en']} (the earlier code no longer works)",
        },
        phrases={
            each: phrases[each] + [p for p in case.phrases[each] if p != confirmed[each]]
            for each in LANGS
        },
        data=[payload.code],
    )


def waitlisted(lang: str) -> Case:
    payload = events.RegistrationWaitlisted(
        registration_id=REG_ID,
        event=EVENT,
        holder=_holder(lang),
        manage_token_hash=hash_manage_token(TOKEN),
        position=7,
        waitlisted_at=datetime(2027, 5, 20, 9, tzinfo=UTC),
        sessions=[msgspec.structs.replace(SESSION, status="pending")],
        manage_token_sealed=SEALED,
    )
    return Case(
        payload,
        {
            "pl": f"Jesteś na liście oczekujących: {EVENT_NAME['pl']}",
            "en": f"You are on the waitlist: {EVENT_NAME['en']}",
        },
        {
            "pl": [
                "Wszystkie miejsca na wydarzenie",
                "jesteś na liście oczekujących",
                "Twoje miejsce w kolejce: 7.",
                *_when_where("pl"),
                _session_line("pl", "czeka, aż dostaniesz miejsce na wydarzeniu"),
                "Co dalej:",
            ],
            "en": [
                "is fully booked, so you are on the waitlist",
                "Your place in line: 7.",
                *_when_where("en"),
                _session_line("en", "waiting for your seat at the event"),
                "What happens next:",
            ],
        },
        [_manage_url(lang)],
    )


def offer(lang: str) -> Case:
    payload = events.RegistrationOffered(
        registration_id=REG_ID,
        event=EVENT,
        holder=_holder(lang),
        manage_token_hash=hash_manage_token(TOKEN),
        expires_at=EXPIRES_AT,
        sessions=[msgspec.structs.replace(SESSION, status="pending")],
        manage_token_sealed=SEALED,
    )
    return Case(
        payload,
        {
            "pl": f"Zwolniło się miejsce dla Ciebie: {EVENT_NAME['pl']}",
            "en": f"A seat is free for you: {EVENT_NAME['en']}",
        },
        {
            "pl": [
                "Dobra wiadomość",
                "zwolniło się miejsce i czeka ono na Ciebie",
                *_when_where("pl"),
                f"Przyjmij je do {EXPIRES['pl']}",
                "Przyjmuję miejsce",
                "kolejną osobę z listy oczekujących",
            ],
            "en": [
                "Good news",
                "has become free and is held for you",
                *_when_where("en"),
                f"Accept it by {EXPIRES['en']}",
                "Take the seat",
                "next person on the waitlist",
            ],
        },
        [_manage_url(lang)],
    )


def session_offer(lang: str) -> Case:
    payload = SessionOffer(
        registration_id=REG_ID,
        event=EVENT,
        holder=_holder(lang),
        session=msgspec.structs.replace(SESSION, status="offered", offer_expires_at=EXPIRES_AT),
        manage_token_sealed=SEALED,
    )
    return Case(
        payload,
        {
            "pl": f"Zwolniło się miejsce w sesji {WORKSHOP['pl']}: {EVENT_NAME['pl']}",
            "en": f"A seat is free for you in {WORKSHOP['en']}: {EVENT_NAME['en']}",
        },
        {
            "pl": [
                "zwolniło się miejsce i czeka ono na Ciebie",
                f"Sesja: {WORKSHOP['pl']}",
                f"Kiedy: {SESSION_WHEN['pl']}",
                "Sala: 2.15",
                f"Przyjmij je do {EXPIRES['pl']}",
                "kolejną osobę czekającą na tę sesję",
            ],
            "en": [
                "has become free and is held for you",
                f"Session: {WORKSHOP['en']}",
                f"When: {SESSION_WHEN['en']}",
                "Room: 2.15",
                f"Accept it by {EXPIRES['en']}",
                "next person waiting for this session",
            ],
        },
        [_manage_url(lang)],
    )


def cancelled(lang: str) -> Case:
    payload = events.RegistrationCancelled(
        registration_id=REG_ID,
        event=EVENT,
        holder=_holder(lang),
        reason="attendee",
        previous_status="confirmed",
        cancelled_at=datetime(2027, 6, 2, 9, tzinfo=UTC),
        manage_token_sealed=SEALED,
    )
    return Case(
        payload,
        {
            "pl": f"Rejestracja anulowana: {EVENT_NAME['pl']}",
            "en": f"Registration cancelled: {EVENT_NAME['en']}",
        },
        {
            "pl": [
                "Zgodnie z Twoją prośbą",
                "została anulowana",
                *_when_where("pl"),
                "Twój bilet jest już nieważny",
                "możesz zarejestrować się ponownie",
                "Twoja rejestracja",
            ],
            "en": [
                "As you asked, your registration for",
                "is cancelled",
                *_when_where("en"),
                "Your ticket is no longer valid",
                "you can register again",
                "Your registration",
            ],
        },
        [f"{REGISTRATION_URL}/events/{SLUG}?lang={lang}", _manage_url(lang)],
    )


def event_changed(lang: str) -> Case:
    payload = EventChange(
        registration_id=REG_ID,
        event=MOVED,
        holder=_holder(lang),
        status="confirmed",
        changed=["starts_at", "ends_at", "room"],
        sequence=2,
        manage_token_sealed=SEALED,
    )
    return Case(
        payload,
        {
            "pl": f"Zmiana w wydarzeniu: {EVENT_NAME['pl']}",
            "en": f"Event details changed: {EVENT_NAME['en']}",
        },
        {
            "pl": [
                "Organizator zmienił szczegóły wydarzenia",
                "Co się zmieniło: termin, sala.",
                *_when_where("pl", MOVED_WHEN, "0.12"),
                "Twoja rejestracja i bilet pozostają ważne",
                "Załączony plik .ics",
            ],
            "en": [
                "The organizer has changed the details of",
                "What changed: time, room.",
                *_when_where("en", MOVED_WHEN, "0.12"),
                "Your registration and your ticket stay valid",
                "attached .ics file",
            ],
        },
        [_manage_url(lang)],
        attachments={f"{SLUG}.ics": "text/calendar"},
    )


def reminder(lang: str) -> Case:
    payload = Reminder(
        registration_id=REG_ID,
        event=EVENT,
        holder=_holder(lang),
        sessions=[SESSION, ROBOTICS_WAITLISTED],
        manage_token_sealed=SEALED,
    )
    return Case(
        payload,
        {
            "pl": f"Przypomnienie: {EVENT_NAME['pl']}, 15.06.2027 09:00",
            "en": f"Reminder: {EVENT_NAME['en']}, 15.06.2027 09:00",
        },
        {
            "pl": [
                "przypominamy o wydarzeniu",
                *_when_where("pl"),
                _session_line("pl", "miejsce potwierdzone"),
                f"{ROBOTICS['pl']}: na liście oczekujących",
                "Przy wejściu pokaż kod QR",
                "Do zobaczenia!",
            ],
            "en": [
                "A reminder:",
                *_when_where("en"),
                _session_line("en", "seat confirmed"),
                f"{ROBOTICS['en']}: on the waitlist",
                "At the entrance, show the QR code",
                "See you soon!",
            ],
        },
        [
            f"{TICKETS_URL}/registrations/{REG_ID}/ticket.html?token={TOKEN}&lang={lang}",
            _manage_url(lang),
        ],
    )


def attempt_refused(lang: str) -> Case:
    """Told that a group tried to register the address again: nothing changed, and where
    the ticket and manage link are (not in this email: anyone can set it off)."""
    payload = AttemptRefused(
        registration_id=REG_ID,
        event=EVENT,
        holder=_holder(lang),
        status="confirmed",
        refused_at=datetime(2027, 5, 20, 9, tzinfo=UTC),
    )
    return Case(
        payload,
        {
            "pl": f"Ktoś próbował ponownie zarejestrować Twój adres: {EVENT_NAME['pl']}",
            "en": f"Someone tried to register your address again: {EVENT_NAME['en']}",
        },
        {
            "pl": [
                "Dnia 20.05.2027 11:00 (czasu polskiego) ktoś próbował ponownie zarejestrować",
                "w zgłoszeniu grupowym",
                "Ten adres jest już zarejestrowany",
                "nic się nie zmieniło",
                *_when_where("pl"),
                "Twoja rejestracja i bilet pozostają ważne",
                "Bilet i link do zarządzania rejestracją znajdziesz w wiadomości",
                "Nie musisz nic robić.",
            ],
            "en": [
                "On 20.05.2027 11:00 (Polish time), someone tried to register",
                "as part of a group",
                "Your address is already registered",
                "nothing has changed for you",
                *_when_where("en"),
                "Your registration and your ticket stay valid",
                "Your ticket and the link to manage your registration are in the email",
                "You need not do anything.",
            ],
        },
        [],
    )


def certificate_ready(lang: events.Lang) -> Case:
    assert SESSION.name is not None and SESSION.starts_at and SESSION.ends_at
    claims = certificates.Claims(
        id=CERT_ID,
        key_id=1,
        holder=NAME,
        lang=lang,
        event=certificates.ClaimedEvent(
            slug=SLUG,
            name=EVENT.name,
            starts_at=EVENT.starts_at,
            ends_at=EVENT.ends_at,
            venue=EVENT.venue,
        ),
        scope="session:druk-3d",
        attended=[date(2027, 6, 15)],
        issued_at=datetime(2027, 6, 16, 9, tzinfo=UTC),
        session=certificates.ClaimedSession(
            slug="druk-3d",
            name=SESSION.name,
            starts_at=SESSION.starts_at,
            ends_at=SESSION.ends_at,
            room="2.15",
        ),
    )
    path = f"/api/v1/registrations/{REG_ID}/certificate.pdf?session=druk-3d"
    payload = CertificateReady(
        certificate=events.CertificateIssued(
            certificate_id=CERT_ID,
            registration_id=REG_ID,
            event=EVENT,
            scope=claims.scope,
            holder_name=NAME,
            lang=lang,
            issued_at=claims.issued_at,
            token=certificates.sign(claims, SigningKey.generate()),
            download_path=path,
            verify_url=f"{CHECKIN_URL}/verify/{CERT_ID}",
            scope_name=SESSION.name,
        ),
        holder=_holder(lang),
        manage_token_sealed=SEALED,
    )
    pdf = {"pl": "zaswiadczenie", "en": "certificate"}[lang]
    return Case(
        payload,
        # A session's certificate is named after the session.
        {
            "pl": f"Zaświadczenie o uczestnictwie: {WORKSHOP['pl']}",
            "en": f"Your certificate of attendance: {WORKSHOP['en']}",
        },
        {
            "pl": [
                "dziękujemy za udział w sesji",
                WORKSHOP["pl"],
                "w ramach wydarzenia",
                "W załączniku jest Twoje zaświadczenie o uczestnictwie (PDF)",
                *_when_where("pl", SESSION_WHEN),
                "Obecność: 15 czerwca 2027",
                "Pobierz zaświadczenie ponownie",
                "podpisane elektronicznie",
                f"Nr zaświadczenia: {CERT_ID}",
            ],
            "en": [
                "thank you for attending the session",
                WORKSHOP["en"],
                "Your certificate of attendance (PDF) is attached",
                *_when_where("en", SESSION_WHEN),
                "Attendance: 15 June 2027",
                "Download the certificate again",
                "signed electronically",
                f"Certificate no. {CERT_ID}",
            ],
        },
        [f"{CHECKIN_URL}{path}&token={TOKEN}", f"{CHECKIN_URL}/verify/{CERT_ID}"],
        attachments={f"{pdf}-{SLUG}-druk-3d.pdf": "application/pdf"},
    )


MESSAGE = {
    "pl": ("Zmiana sali", "Spotykamy się w sali 2.15 <o 9:00>.\n\nDo zobaczenia!"),
    "en": ("Room change", "We meet in room 2.15 <at 9:00>.\n\nSee you!"),
}


def message(lang: str) -> Case:
    """An organizer's message: their words (text, never markup), headed by the event."""
    subject, body = MESSAGE[lang]
    payload = events.MessageRequested(
        message_id=uuid.uuid4(),
        registration_id=REG_ID,
        event=EVENT,
        holder=_holder(lang),
        subject=subject,
        body=body,
        manage_token_sealed=SEALED,
    )
    about = {
        "pl": f"Wiadomość od organizatora wydarzenia „{EVENT_NAME['pl']}” ({WHEN['pl']}):",
        "en": f'A message from the organizer of "{EVENT_NAME["en"]}" ({WHEN["en"]}):',
    }
    return Case(
        payload,
        {each: f"{EVENT_NAME[each]}: {MESSAGE[each][0]}" for each in LANGS},
        {
            each: [
                about[each],
                *MESSAGE[each][1].split("\n\n"),
                *_when_where(each),
            ]
            for each in LANGS
        },
        [_manage_url(lang)],
    )


CASES: dict[str, Callable[[Any], Case]] = {
    "ticket": ticket,
    "ticket_reissued": ticket_reissued,
    "waitlisted": waitlisted,
    "offer": offer,
    "session_offer": session_offer,
    "cancelled": cancelled,
    "event_changed": event_changed,
    "reminder": reminder,
    "attempt_refused": attempt_refused,
    "certificate_ready": certificate_ready,
    "message": message,
}
GREETING = {"pl": "Dzień dobry", "en": "Hello"}
FORBIDDEN = ["{{", "{%", "None", "undefined"]


def _compose(template: str, case: Case, lang: str) -> EmailMessage:
    """The message the sender would hand to SMTP for this payload, parsed back."""
    delivery = db.Delivery(
        id=uuid.uuid4(),
        template=template,
        registration_id=REG_ID,
        recipient="attendee@example.org",
        lang=lang,
        payload=msgspec.Raw(msgspec.json.encode(case.payload)),
        status="pending",
        attempts=1,
        last_error=None,
        message_id=make_msgid(domain="cnk-events"),
        created_at=datetime.now(UTC),
        sent_at=None,
    )
    msg = sender.compose(delivery, "CNK <cnk@example.org>", LINKS)
    parsed = BytesParser(policy=policy.default).parsebytes(msg.data)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _words(text: str) -> str:
    return " ".join(text.split())


def _visible(body: str) -> str:
    """The HTML part as a reader sees it: tags dropped, entities decoded."""
    return _words(html.unescape(re.sub(r"<[^>]+>", "", body)))


def _check_attachment(part: EmailMessage, lang: str) -> None:
    content = part.get_payload(decode=True)
    assert isinstance(content, bytes)
    if part.get_content_type() == "text/calendar":
        [entry] = icalendar.Calendar.from_ical(content).walk("VEVENT")
        assert str(entry["summary"]) == EVENT_NAME[lang]
        assert str(entry["uid"]) == f"{REG_ID}@cnk-events"
    elif part.get_content_type() == "application/pdf":
        text = pdf_text(content)
        assert NAME in text and EVENT_NAME[lang] in text, text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("template", sorted(CASES))
def test_template_renders_in_the_attendees_language(template: str, lang: str) -> None:
    case = CASES[template](lang)
    msg = _compose(template, case, lang)
    subject = str(msg["Subject"])
    text_part, html_part = msg.get_body(("plain",)), msg.get_body(("html",))
    assert text_part is not None and html_part is not None
    text, body = text_part.get_content(), html_part.get_content()
    words, visible = _words(text), _visible(body)

    assert subject == case.subject[lang]
    assert msg["Content-Language"] == lang
    assert NAME in str(msg["To"])
    for shown in (words, visible):
        assert f"{GREETING[lang]} {NAME}," in shown, shown
        assert EVENT_NAME[lang] in shown
        for phrase in (*case.phrases[lang], *case.data):
            assert phrase in shown, f"{phrase!r} missing from {shown}"
    for link in case.links:
        assert link in text.split(), link
        assert f'href="{html.escape(link)}"' in body, link
    # The name is text in the HTML, never markup.
    assert html.escape(NAME) in body and "<b>" not in body

    other = OTHER[lang]
    for wrong in (case.subject[other], EVENT_NAME[other], GREETING[other], *case.phrases[other]):
        assert wrong not in subject and wrong not in words and wrong not in visible, wrong
    for leftover in FORBIDDEN:
        assert leftover not in subject and leftover not in text and leftover not in body

    files = {p.get_filename(): p for p in msg.walk() if p.get_filename()}
    assert {name: p.get_content_type() for name, p in files.items()} == case.attachments
    for part in files.values():
        assert isinstance(part, EmailMessage)
        if part.get_content_disposition() == "inline":
            assert f'src="cid:{str(part["Content-ID"]).strip("<>")}"' in body
        else:
            assert part.get_content_disposition() == "attachment"
            _check_attachment(part, lang)


@pytest.mark.parametrize(
    ("status", "said"),
    [
        ("confirmed", {"pl": "bilet pozostają ważne", "en": "your ticket stay valid"}),
        ("waitlisted", {"pl": "Nadal jesteś na liście", "en": "You are still on the waitlist"}),
        ("offered", {"pl": "Miejsce nadal na Ciebie czeka", "en": "A seat is still held"}),
    ],
)
def test_attempt_refused_says_where_the_attendee_stands_and_links_nowhere(
    status: str, said: dict[str, str]
) -> None:
    for lang in LANGS:
        case = attempt_refused(lang)
        payload = msgspec.structs.replace(case.payload, status=status)
        msg = _compose("attempt_refused", dataclasses.replace(case, payload=payload), lang)
        text_part, html_part = msg.get_body(("plain",)), msg.get_body(("html",))
        assert text_part is not None and html_part is not None
        text, body = text_part.get_content(), html_part.get_content()
        assert said[lang] in _words(text) and said[lang] in _visible(body)
        assert "http" not in text and "href" not in body and "token" not in text


def test_every_template_is_covered() -> None:
    """A new template must get a case here (and a compose function, in both languages)."""
    files = {p.name for p in TEMPLATES_DIR.iterdir() if not p.name.startswith("_")}
    names = {name.split(".")[0] for name in files}
    assert names == set(CASES) == set(emails.TEMPLATES)
    assert files == {
        f"{n}.{lang}.{ext}" for n in names for lang in LANGS for ext in ("txt", "html")
    }


@pytest.mark.parametrize("template", sorted(CASES))
def test_emails_go_out_as_aiosmtplib_would_write_them(template: str) -> None:
    """The sender turns messages into bytes itself (a faster header path): the same bytes
    as aiosmtplib's own send_message, line ends as sent."""
    for lang in LANGS:
        payload = msgspec.json.encode(CASES[template](lang).payload)
        email = emails.TEMPLATES[template].email(payload, LINKS)
        msg = mailer.render(email, "CNK Events <cnk@example.org>", "<1@cnk-events>")
        outgoing = mailer.Outgoing.of(msg, "CNK Events <cnk@example.org>", email.to.email)
        assert outgoing.sender == "cnk@example.org"
        assert outgoing.data == normalize_message_line_endings(flatten_message(msg))


def test_text_parts_go_as_short_quoted_printable_lines_that_read_back_the_same() -> None:
    body = (
        "Zażółć gęślą jaźń = łódź\n"
        + "długa linia " * 20
        + "\nspacja na końcu \n"
        + "\ttab\n.kropka na początku\n"
    )
    part = mailer._text(body, "plain")
    assert part["Content-Transfer-Encoding"] == "quoted-printable"
    assert part.get_content_type() == "text/plain"
    assert part.get_content_charset() == "utf-8"
    raw = mailer.Outgoing.of(part, "cnk@example.org", "a@example.org").data
    head, _, encoded = raw.partition(b"\r\n\r\n")
    lines = encoded.split(b"\r\n")
    assert all(len(line) <= 76 and line.isascii() for line in lines)
    assert not any(line.endswith((b" ", b"\t")) for line in lines)  # trailing blanks encoded
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    assert parsed.get_content().replace("\r\n", "\n") == body  # as sent: CRLF
