"""The registration service's records: what its db modules return and its use cases
work with (request and response bodies are in schemas.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from services.registration.schemas import (
    Kind,
    LocalizedDescription,
    LocalizedName,
    Option,
    ProfileFields,
)
from shared.events import EventKind, Lang


class Session(msgspec.Struct, frozen=True):
    id: uuid.UUID
    event_id: uuid.UUID
    slug: str
    name: LocalizedName
    starts_at: datetime
    ends_at: datetime
    capacity: int
    taken: int
    room: str | None = None

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.taken, 0)

    def overlaps(self, other: Session) -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


class SessionPlace(msgspec.Struct, frozen=True):
    """A registration's place in one session (a registration_sessions row and its session)."""

    registration_id: uuid.UUID
    session: Session
    status: str
    queued_at: datetime
    offer_expires_at: datetime | None = None
    position: int | None = None  # in the session's line, when waitlisted


class TicketType(msgspec.Struct, frozen=True):
    id: uuid.UUID
    event_id: uuid.UUID
    slug: str
    name: LocalizedName
    quota: int | None
    taken: int
    access_code_hash: str | None

    @property
    def restricted(self) -> bool:
        return self.access_code_hash is not None


class Question(msgspec.Struct, frozen=True):
    key: str
    kind: Kind
    label: LocalizedName
    required: bool
    options: list[Option]


class Event(msgspec.Struct, frozen=True):
    id: uuid.UUID
    slug: str
    name: LocalizedName
    kind: EventKind
    starts_at: datetime
    ends_at: datetime
    venue: str
    capacity: int
    taken: int
    status: str
    version: int
    waitlist: bool
    retention_days: int | None = None
    description: LocalizedDescription = LocalizedDescription()
    room: str | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    group_limit: int = 30
    profile_fields: ProfileFields = ProfileFields()

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.taken, 0)


class Registration(msgspec.Struct, frozen=True):
    id: uuid.UUID
    event_id: uuid.UUID
    name: str
    email: str
    lang: Lang
    status: str
    manage_token_hash: str
    version: int
    created_at: datetime
    offer_expires_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    erased_at: datetime | None = None
    organization: str | None = None
    country: str | None = None
    role: str | None = None
    ticket_type_id: uuid.UUID | None = None
    group_id: uuid.UUID | None = None
    manage_token_sealed: str | None = None
    first_checked_in_at: datetime | None = None  # at the main entrance (checkin's scans)


class EventStats(msgspec.Struct, frozen=True):
    confirmed: int
    waitlisted: int
    offered: int
    cancelled: int


class SessionStats(msgspec.Struct, frozen=True):
    """One session's places, by status."""

    slug: str
    capacity: int
    taken: int
    confirmed: int
    waitlisted: int
    offered: int
    pending: int
    cancelled: int
