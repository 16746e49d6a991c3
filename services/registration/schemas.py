"""Request and response bodies of the registration API."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Annotated, Any, Literal

import iso3166
import msgspec
from email_validator import EmailNotValidError, validate_email

from shared.events import EventKind, Lang
from shared.slugs import PRINTABLE, SLUG_PATTERN

Slug = Annotated[str, msgspec.Meta(pattern=SLUG_PATTERN, max_length=63)]
Text200 = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=PRINTABLE)]
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
CONSENT_VERSION = "2026-11"


@functools.lru_cache(maxsize=4096)
def normalize_email(address: str) -> str:
    """email-validator's normal form; raises EmailNotValidError. Cached: a registration
    checks its address while decoding and again when storing it."""
    return validate_email(address, check_deliverability=False, strict=True).normalized


def _not_blank(value: str, field: str) -> None:
    if not value.strip():
        raise ValueError(f"`{field}` must not be blank")


class LocalizedName(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    pl: Text200
    en: Text200


Description = Annotated[str, msgspec.Meta(max_length=5000)]
Role = Literal["student", "academic_staff", "teacher", "company", "public_body", "other"]


class LocalizedDescription(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    pl: Description = ""
    en: Description = ""


Capacity = Annotated[int, msgspec.Meta(ge=1, le=100_000)]
Ask = Literal["required", "optional", "hidden"]
PROFILE_FIELDS = ("organization", "country", "role")


class ProfileFields(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Which of the attendee's profile fields the event's form asks, and how."""

    organization: Ask = "optional"
    country: Ask = "optional"
    role: Ask = "optional"


class CreateSessionRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    slug: Slug
    name: LocalizedName
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    capacity: Capacity
    room: Text200 | None = None

    def __post_init__(self) -> None:
        _not_blank(self.name.pl, "name.pl")
        _not_blank(self.name.en, "name.en")
        if self.ends_at <= self.starts_at:
            raise ValueError("`ends_at` must be after `starts_at`")


class UpdateSessionRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: LocalizedName | msgspec.UnsetType = msgspec.UNSET
    starts_at: AwareDatetime | msgspec.UnsetType = msgspec.UNSET
    ends_at: AwareDatetime | msgspec.UnsetType = msgspec.UNSET
    capacity: Capacity | msgspec.UnsetType = msgspec.UNSET
    room: Text200 | None | msgspec.UnsetType = msgspec.UNSET


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
    description: LocalizedDescription = LocalizedDescription()
    room: Text200 | None = None
    registration_opens_at: AwareDatetime | None = None
    registration_closes_at: AwareDatetime | None = None
    group_limit: Annotated[int, msgspec.Meta(ge=1, le=500)] = 30
    profile_fields: ProfileFields = ProfileFields()
    sessions: Annotated[list[CreateSessionRequest], msgspec.Meta(max_length=200)] = []

    def __post_init__(self) -> None:
        if len({s.slug for s in self.sessions}) != len(self.sessions):
            raise ValueError("`sessions` slugs must differ")
        opens, closes = self.registration_opens_at, self.registration_closes_at
        if opens is not None and closes is not None and closes <= opens:
            raise ValueError("`registration_closes_at` must be after `registration_opens_at`")
        _not_blank(self.name.pl, "name.pl")
        _not_blank(self.name.en, "name.en")
        _not_blank(self.venue, "venue")
        if self.ends_at <= self.starts_at:
            raise ValueError("`ends_at` must be after `starts_at`")


AccessCode = Annotated[str, msgspec.Meta(min_length=4, max_length=64, pattern=PRINTABLE)]


Quota = Annotated[int, msgspec.Meta(ge=1, le=100_000)]


class CreateTicketTypeRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    slug: Slug
    name: LocalizedName
    quota: Quota | None = None
    access_code: AccessCode | None = None


class UpdateTicketTypeRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A partial update: only the fields given change; a null quota is no limit, a null
    access code opens the type to everyone."""

    name: LocalizedName | msgspec.UnsetType = msgspec.UNSET
    quota: Quota | None | msgspec.UnsetType = msgspec.UNSET
    access_code: AccessCode | None | msgspec.UnsetType = msgspec.UNSET

    def __post_init__(self) -> None:
        if isinstance(self.name, LocalizedName):
            _not_blank(self.name.pl, "name.pl")
            _not_blank(self.name.en, "name.en")


class UpdateEventRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A partial update: only the fields given change (null clears the optional ones)."""

    name: LocalizedName | msgspec.UnsetType = msgspec.UNSET
    kind: EventKind | msgspec.UnsetType = msgspec.UNSET
    starts_at: AwareDatetime | msgspec.UnsetType = msgspec.UNSET
    ends_at: AwareDatetime | msgspec.UnsetType = msgspec.UNSET
    venue: Text200 | msgspec.UnsetType = msgspec.UNSET
    room: Text200 | None | msgspec.UnsetType = msgspec.UNSET
    description: LocalizedDescription | msgspec.UnsetType = msgspec.UNSET
    capacity: Capacity | msgspec.UnsetType = msgspec.UNSET
    waitlist: bool | msgspec.UnsetType = msgspec.UNSET
    retention_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] | None | msgspec.UnsetType = (
        msgspec.UNSET
    )
    registration_opens_at: AwareDatetime | None | msgspec.UnsetType = msgspec.UNSET
    registration_closes_at: AwareDatetime | None | msgspec.UnsetType = msgspec.UNSET
    group_limit: Annotated[int, msgspec.Meta(ge=1, le=500)] | msgspec.UnsetType = msgspec.UNSET
    # The whole setting: a field left out of it is optional.
    profile_fields: ProfileFields | msgspec.UnsetType = msgspec.UNSET

    def __post_init__(self) -> None:
        if isinstance(self.name, LocalizedName):
            _not_blank(self.name.pl, "name.pl")
            _not_blank(self.name.en, "name.en")
        if isinstance(self.venue, str):
            _not_blank(self.venue, "venue")

    def given(self) -> dict[str, Any]:
        return {
            f: getattr(self, f)
            for f in self.__struct_fields__
            if getattr(self, f) is not msgspec.UNSET
        }


class ChangeSessionsRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    sessions: Annotated[list[Slug], msgspec.Meta(max_length=50)]
    # Join the line of a full session rather than be refused (default: refused, nothing
    # changes, so nobody loses a seat they hold by asking for a full session).
    waitlist: bool = False

    def __post_init__(self) -> None:
        if len(set(self.sessions)) != len(self.sessions):
            raise ValueError("`sessions` lists a session twice")


class Attendee(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: Text200
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254, pattern=PRINTABLE)]
    lang: Lang

    def __post_init__(self) -> None:
        _not_blank(self.name, "name")
        try:
            normalize_email(self.email)
        except EmailNotValidError as e:
            raise ValueError(f"`email` is not a valid address: {e}") from None


Key = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}\Z")]
Kind = Literal["text", "single", "multiple", "checkbox"]


class Option(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    value: Key
    label: LocalizedName


class QuestionRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    key: Key
    kind: Kind
    label: LocalizedName
    required: bool = False
    options: Annotated[list[Option], msgspec.Meta(max_length=50)] = []

    def __post_init__(self) -> None:
        has_options = self.kind in ("single", "multiple")
        if has_options and len(self.options) < 2:
            raise ValueError("`options` needs at least two choices for this kind")
        if not has_options and self.options:
            raise ValueError("`options` only go with single and multiple choice questions")
        if len({o.value for o in self.options}) != len(self.options):
            raise ValueError("`options` values must differ")


class UpdateQuestionRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A partial update: only the fields given change. ``options`` is the whole new list
    (a choice is known by its ``value``); the key and the kind stay as they are."""

    label: LocalizedName | msgspec.UnsetType = msgspec.UNSET
    required: bool | msgspec.UnsetType = msgspec.UNSET
    options: Annotated[list[Option], msgspec.Meta(max_length=50)] | msgspec.UnsetType = (
        msgspec.UNSET
    )

    def __post_init__(self) -> None:
        if isinstance(self.options, list) and len({o.value for o in self.options}) != len(
            self.options
        ):
            raise ValueError("`options` values must differ")


class RegisterRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: Text200
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254, pattern=PRINTABLE)]
    lang: Lang
    consent: bool
    organization: Text200 | None = None
    country: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}\Z")] | None = None
    role: Role | None = None
    ticket_type: Slug | None = None
    access_code: Annotated[str, msgspec.Meta(max_length=64, pattern=PRINTABLE)] | None = None
    # A group: the person above and these attendees, seated all together or waiting
    # all together; each gets their own registration, ticket and email.
    attendees: Annotated[list[Attendee], msgspec.Meta(max_length=500)] | None = None
    # Answers to the event's questions, by question key; checked against the questions.
    answers: Annotated[dict[str, Any], msgspec.Meta(max_length=100)] = {}
    # Sessions (workshops) of the event, by slug; they must not overlap in time.
    sessions: Annotated[list[Slug], msgspec.Meta(max_length=50)] = []

    def __post_init__(self) -> None:
        if len(set(self.sessions)) != len(self.sessions):
            raise ValueError("`sessions` lists a session twice")
        if self.attendees is not None:
            seen = {normalize_email(self.email).casefold()}
            for attendee in self.attendees:
                key = normalize_email(attendee.email).casefold()
                if key in seen:
                    raise ValueError(f"`attendees` lists {attendee.email} twice")
                seen.add(key)
        if self.country is not None and self.country not in iso3166.countries_by_alpha2:
            raise ValueError("`country` must be an ISO 3166-1 alpha-2 code such as PL")
        _not_blank(self.name, "name")
        if not self.consent:
            raise ValueError("`consent` must be true to register")
        try:
            normalize_email(self.email)
        except EmailNotValidError as e:
            raise ValueError(f"`email` is not a valid address: {e}") from None
