"""What a delivery keeps to write its email, where that is not simply the event's data.

Sealed manage tokens are kept sealed here and opened only when the email is written.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from shared.events import CertificateIssued, EventInfo, Holder, SessionChoice


class SessionOffer(msgspec.Struct, frozen=True):
    """One session seat held for a registration (one email per session and offer)."""

    registration_id: uuid.UUID
    event: EventInfo
    holder: Holder
    session: SessionChoice
    manage_token_sealed: str | None = None


class EventChange(msgspec.Struct, frozen=True):
    """An attendee-visible change to an event, for one attendee.

    The event part is written once by the handler; the attendee part is added per
    attendee by ``db.insert_event_changed_deliveries``.
    """

    registration_id: uuid.UUID
    event: EventInfo
    holder: Holder
    status: str  # the attendee's registration status when the change was made
    changed: list[str]
    sequence: int
    manage_token_sealed: str | None = None


class EventChangeBase(msgspec.Struct, frozen=True):
    """The part of ``EventChange`` common to every attendee of the event."""

    event: EventInfo
    changed: list[str]
    sequence: int


class Reminder(msgspec.Struct, frozen=True):
    """The reminder before an event, for one confirmed attendee, with their sessions."""

    registration_id: uuid.UUID
    event: EventInfo
    holder: Holder
    sessions: list[SessionChoice] = []
    manage_token_sealed: str | None = None


class CertificateReady(msgspec.Struct, frozen=True):
    """A certificate of attendance to announce; the recipient's address and sealed manage
    token come from the attendees read model (checkin does not know them)."""

    certificate: CertificateIssued
    holder: Holder
    manage_token_sealed: str | None = None


class AttemptRefused(msgspec.Struct, frozen=True):
    """Someone tried to register an attendee's address again, in a group that was refused
    for it; the attendee is told (the refusal named nobody). The recipient and their status
    (confirmed, waitlisted or offered) come from the attendees read model."""

    registration_id: uuid.UUID
    event: EventInfo
    holder: Holder
    status: str
    refused_at: datetime
