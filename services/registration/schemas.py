"""Request and response bodies of the registration API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from email_validator import EmailNotValidError, validate_email

from shared.events import EventKind, Lang
from shared.http import PRINTABLE, SLUG_PATTERN

Slug = Annotated[str, msgspec.Meta(pattern=SLUG_PATTERN, max_length=63)]
Text200 = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=PRINTABLE)]
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
CONSENT_VERSION = "2026-11"


def _not_blank(value: str, field: str) -> None:
    if not value.strip():
        raise ValueError(f"`{field}` must not be blank")


class LocalizedName(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    pl: Text200
    en: Text200


class CreateEventRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    slug: Slug
    name: LocalizedName
    kind: EventKind
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    venue: Text200
    capacity: Annotated[int, msgspec.Meta(ge=1, le=100_000)]
    status: Literal["published", "draft"] = "published"
    waitlist: bool = True
    retention_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] | None = None

    def __post_init__(self) -> None:
        _not_blank(self.name.pl, "name.pl")
        _not_blank(self.name.en, "name.en")
        _not_blank(self.venue, "venue")
        if self.ends_at <= self.starts_at:
            raise ValueError("`ends_at` must be after `starts_at`")


class UpdateEventRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    capacity: Annotated[int, msgspec.Meta(ge=1, le=100_000)]


class RegisterRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: Text200
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254, pattern=PRINTABLE)]
    lang: Lang
    consent: bool

    def __post_init__(self) -> None:
        _not_blank(self.name, "name")
        if not self.consent:
            raise ValueError("`consent` must be true to register")
        try:
            validate_email(self.email, check_deliverability=False, strict=True)
        except EmailNotValidError as e:
            raise ValueError(f"`email` is not a valid address: {e}") from None


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


class EventStats(msgspec.Struct, frozen=True):
    confirmed: int
    waitlisted: int
    offered: int
    cancelled: int
