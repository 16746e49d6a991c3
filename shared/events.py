"""The wire contract: the envelope and every event's data, as frozen msgspec structs.

Changes are additive only: new optional fields get defaults, consumers ignore unknown
fields, and a breaking change gets a new ``SCHEMA`` number and type handling.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar, Literal

import msgspec

Lang = Literal["pl", "en"]
EventKind = Literal["conference", "fair", "workshop", "seminar", "course"]


class LocalizedText(msgspec.Struct, frozen=True):
    pl: str
    en: str

    def get(self, lang: str) -> str:
        return self.pl if lang == "pl" else self.en


class EventInfo(msgspec.Struct, frozen=True):
    """What consumers need to know of an event to print, mail or scan a ticket."""

    id: uuid.UUID
    slug: str
    name: LocalizedText
    kind: EventKind
    starts_at: datetime
    ends_at: datetime
    venue: str
    room: str | None = None


class SessionInfo(msgspec.Struct, frozen=True):
    """A session (workshop, talk) inside an event, with its own room and capacity."""

    slug: str
    name: LocalizedText
    starts_at: datetime
    ends_at: datetime
    capacity: int
    room: str | None = None


class SessionChoice(msgspec.Struct, frozen=True):
    """A registration's place in one session it chose.

    ``confirmed`` holds a seat, ``offered`` holds one until ``offer_expires_at``,
    ``waitlisted`` waits in the session's line, ``pending`` waits for the registration
    itself to get a seat at the event (its sessions are placed then).
    """

    slug: str
    status: str  # confirmed | offered | waitlisted | pending
    offer_expires_at: datetime | None = None
    name: LocalizedText | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    room: str | None = None


class Holder(msgspec.Struct, frozen=True):
    name: str
    email: str
    lang: Lang


class Profile(msgspec.Struct, frozen=True):
    """Optional participant data for funded-project reporting."""

    organization: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    role: str | None = None  # student | academic_staff | teacher | company | public_body | other


class EventData(msgspec.Struct, frozen=True):
    TYPE: ClassVar[str]
    SCHEMA: ClassVar[int] = 1


class EventCreated(EventData, frozen=True):
    TYPE = "event.created"
    event: EventInfo
    capacity: int
    status: str
    sessions: list[SessionInfo] = []
    # The event's ticket type slugs; None from publishers older than this field (unknown,
    # not "no ticket types").
    ticket_types: list[str] | None = None


class EventUpdated(EventData, frozen=True):
    """The event's whole current state after a change (capacity, times, status...).

    ``changed`` names what the organizer changed this time (request field names such as
    ``starts_at``, ``venue``, ``capacity``, ``sessions``, ``ticket_types``, ``status``), so
    consumers can tell an attendee-visible change from a capacity tweak.
    """

    TYPE = "event.updated"
    event: EventInfo
    capacity: int
    status: str
    sessions: list[SessionInfo] = []
    changed: list[str] = []
    ticket_types: list[str] | None = None  # as in EventCreated


class RegistrationConfirmed(EventData, frozen=True):
    TYPE = "registration.confirmed"
    registration_id: uuid.UUID
    event: EventInfo
    holder: Holder
    manage_token_hash: str
    confirmed_at: datetime
    profile: Profile | None = None
    ticket_type: str | None = None
    sessions: list[SessionChoice] = []
    # The manage token sealed for the notifications service (see shared/sealing.py), so
    # the emails can carry the manage link while only its hash is stored anywhere else.
    manage_token_sealed: str | None = None


class RegistrationWaitlisted(EventData, frozen=True):
    TYPE = "registration.waitlisted"
    registration_id: uuid.UUID
    event: EventInfo
    holder: Holder
    manage_token_hash: str
    position: int
    waitlisted_at: datetime
    sessions: list[SessionChoice] = []
    manage_token_sealed: str | None = None


class RegistrationOffered(EventData, frozen=True):
    """A freed seat is held for this waitlisted registration until ``expires_at``."""

    TYPE = "registration.offered"
    registration_id: uuid.UUID
    event: EventInfo
    holder: Holder
    manage_token_hash: str
    expires_at: datetime
    sessions: list[SessionChoice] = []
    manage_token_sealed: str | None = None


class RegistrationSessionsChanged(EventData, frozen=True):
    """A registration's sessions after a change: chosen or dropped by the attendee or an
    organizer, placed when the registration got its seat, a session seat offered,
    accepted or passed on. ``sessions`` is the whole current list; ``offered`` names the
    sessions whose seat was offered by this change (the attendee is told)."""

    TYPE = "registration.sessions_changed"
    registration_id: uuid.UUID
    event: EventInfo
    holder: Holder
    manage_token_hash: str
    status: str  # the registration's own status
    sessions: list[SessionChoice]
    offered: list[str] = []
    manage_token_sealed: str | None = None


class RegistrationCancelled(EventData, frozen=True):
    """Cancelled by the attendee or an organizer, or an offer expired; frees what it held."""

    TYPE = "registration.cancelled"
    registration_id: uuid.UUID
    event: EventInfo
    holder: Holder
    # attendee | organizer | offer_expired | event_cancelled; a plain string so that a new
    # reason never makes an older consumer refuse the event.
    reason: str
    previous_status: str
    cancelled_at: datetime
    manage_token_sealed: str | None = None


class RegistrationErased(EventData, frozen=True):
    """The attendee's personal data must go: every service anonymises its copies, keeping
    the rows (and so the counts)."""

    TYPE = "registration.erased"
    registration_id: uuid.UUID
    event_id: uuid.UUID
    reason: str  # attendee | organizer | retention
    erased_at: datetime


class RegistrationAttemptRefused(EventData, frozen=True):
    """A group was refused because this registration's address was in it: the refusal names
    no address (it would tell who is registered), so the owner is told instead. Its own
    aggregate (a new id, sequence 1): the registration's sequence is not touched."""

    TYPE = "registration.attempt_refused"
    registration_id: uuid.UUID  # the existing registration, not the refused one
    event: EventInfo
    refused_at: datetime


class RegistrationLinkRequested(EventData, frozen=True):
    """Someone asked for the registration's ticket and manage link again (a lost email):
    notifications sends its latest such email again. Its own aggregate (sequence 1)."""

    TYPE = "registration.link_requested"
    registration_id: uuid.UUID
    requested_at: datetime


class MessageRequested(EventData, frozen=True):
    """An organizer's message to one attendee, in their language; its own aggregate."""

    TYPE = "registration.message_requested"
    message_id: uuid.UUID
    registration_id: uuid.UUID
    event: EventInfo
    holder: Holder
    subject: str
    body: str
    manage_token_sealed: str | None = None


class TicketIssued(EventData, frozen=True):
    TYPE = "ticket.issued"
    ticket_id: uuid.UUID
    registration_id: uuid.UUID
    code: str
    key_id: int
    event: EventInfo
    holder: Holder
    manage_token_hash: str
    issued_at: datetime
    ticket_type: str | None = None
    # Passed on from registration.confirmed, for the manage link in the ticket email.
    manage_token_sealed: str | None = None
    sessions: list[SessionChoice] = []


class TicketReissued(EventData, frozen=True):
    """A valid ticket got a new code, signed with the key that signs now, because the key
    that signed its old code was retired: the old code no longer gets in, the new one does.
    The ticket (its id, holder and issue time) stays the same."""

    TYPE = "ticket.reissued"
    ticket_id: uuid.UUID
    registration_id: uuid.UUID
    code: str
    key_id: int
    replaced_key_id: int  # the retired key that signed the old code
    event: EventInfo
    holder: Holder
    manage_token_hash: str
    issued_at: datetime  # when the ticket was first issued
    reissued_at: datetime


class TicketRevoked(EventData, frozen=True):
    TYPE = "ticket.revoked"
    ticket_id: uuid.UUID
    registration_id: uuid.UUID
    event_id: uuid.UUID
    reason: str
    revoked_at: datetime


class CheckinRecorded(EventData, frozen=True):
    TYPE = "checkin.recorded"
    scan_id: uuid.UUID
    ticket_id: uuid.UUID
    event_id: uuid.UUID
    list: str
    gate: str
    device_id: str | None
    direction: Literal["in", "out"]
    scanned_at: datetime
    holder_name: str | None
    # The ticket's registration, when checkin knows it (None from publishers older than
    # this field, and for a ticket checkin has only seen as a placeholder).
    registration_id: uuid.UUID | None = None


class CertificateIssued(EventData, frozen=True):
    """A certificate of attendance is ready (once per certificate). ``token``: the signed
    certificate (shared/certificates.py); ``download_path``: checkin's address of its PDF,
    opened by the manage token. Notifications knows the email from the registration."""

    TYPE = "checkin.certificate_issued"
    certificate_id: uuid.UUID
    registration_id: uuid.UUID
    event: EventInfo
    scope: str  # "event", or "session:<slug>"
    holder_name: str
    lang: Lang
    issued_at: datetime
    token: str
    download_path: str
    verify_url: str
    scope_name: LocalizedText | None = None  # the session's name


class NotificationSent(EventData, frozen=True):
    TYPE = "notification.sent"
    delivery_id: uuid.UUID
    registration_id: uuid.UUID
    template: str
    message_id: str
    sent_at: datetime


class StaffActionRecorded(EventData, frozen=True):
    """A staff change (shared/audit.py): who, when, what, before and after; kept by registration."""

    TYPE = "audit.recorded"
    service: str
    actor_id: str
    actor_name: str
    action: str  # e.g. event.published, registration.cancelled, device.issued
    at: datetime
    event_slug: str | None = None
    registration_id: uuid.UUID | None = None
    before: dict[str, object] | None = None
    after: dict[str, object] | None = None


class StaffSignInRequested(EventData, frozen=True):
    """A person of the staff asked for a sign-in link: notifications emails it, its secret
    sealed for notifications (shared/sealing.py), never in the clear."""

    TYPE = "staff.sign_in_requested"
    link_id: uuid.UUID
    email: str
    name: str
    lang: Lang
    secret_sealed: str
    expires_at: datetime


EVENT_TYPES: dict[str, type[EventData]] = {
    cls.TYPE: cls
    for cls in (
        StaffActionRecorded,
        StaffSignInRequested,
        EventCreated,
        EventUpdated,
        RegistrationConfirmed,
        RegistrationWaitlisted,
        RegistrationOffered,
        RegistrationSessionsChanged,
        RegistrationCancelled,
        RegistrationErased,
        RegistrationAttemptRefused,
        RegistrationLinkRequested,
        MessageRequested,
        TicketIssued,
        TicketReissued,
        TicketRevoked,
        CheckinRecorded,
        CertificateIssued,
        NotificationSent,
    )
}


class Envelope(msgspec.Struct, frozen=True):
    id: uuid.UUID
    type: str
    schema: int
    occurred_at: datetime
    aggregate_id: uuid.UUID
    sequence: int
    data: msgspec.Raw
