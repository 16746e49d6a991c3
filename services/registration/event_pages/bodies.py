"""The event pages' forms as the API's request bodies: the event, session rows, ticket type
rows and a question (see forms.py for how fields are read and checked)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from services.registration.event_pages.forms import (
    PROFILE_FORM,
    check,
    local_time,
    localized,
    number,
    optional,
    slugify,
    text,
)
from services.registration.records import Question
from services.registration.schemas import (
    PROFILE_FIELDS,
    CreateEventRequest,
    CreateSessionRequest,
    CreateTicketTypeRequest,
    QuestionRequest,
    UpdateEventRequest,
    UpdateQuestionRequest,
    UpdateSessionRequest,
    UpdateTicketTypeRequest,
)
from shared.http import Form

EVENT_FIELDS = (
    "name_pl",
    "name_en",
    "kind",
    "slug",
    "starts_at",
    "ends_at",
    "venue",
    "room",
    "capacity",
    "description_pl",
    "description_en",
    "registration_opens_at",
    "registration_closes_at",
    "waitlist",
    "group_limit",
    "retention_days",
    *PROFILE_FORM,
)
SESSION_FIELDS = ("slug", "name_pl", "name_en", "room", "starts_at", "ends_at", "capacity")
TYPE_FIELDS = ("slug", "name_pl", "name_en", "quota", "access_code")
QUESTION_FIELDS = ("key", "label_pl", "label_en", "q_kind", "options", "q_required")
QUESTION_RENAME = {"kind": "q_kind", "required": "q_required"}

_NAME = {"pl": "x", "en": "x"}
_EARLY, _LATE = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
VALID_EVENT = {
    "slug": "valid",
    "name": _NAME,
    "kind": "conference",
    "starts_at": _EARLY,
    "ends_at": _LATE,
    "venue": "x",
    "capacity": 1,
    "description": {"pl": "", "en": ""},
}
VALID_SESSION = {
    "slug": "valid",
    "name": _NAME,
    "starts_at": _EARLY,
    "ends_at": _LATE,
    "capacity": 1,
}
VALID_TYPE = {"slug": "valid", "name": _NAME}
VALID_QUESTION = {"key": "valid", "kind": "text", "label": _NAME}


def event_data(form: Form, slug: str | None = None) -> dict[str, Any]:
    """The event form as a create request (``slug``: the event's, when editing it)."""
    name = localized(form, "name")
    return {
        "slug": slug or text(form, "slug") or slugify(name["en"]),
        "status": "draft",
        "name": name,
        "kind": text(form, "kind"),
        "starts_at": local_time(form, "starts_at"),
        "ends_at": local_time(form, "ends_at"),
        "venue": text(form, "venue"),
        "room": optional(form, "room"),
        "capacity": number(form, "capacity"),
        "description": localized(form, "description"),
        "registration_opens_at": local_time(form, "registration_opens_at", required=False),
        "registration_closes_at": local_time(form, "registration_closes_at", required=False),
        "waitlist": form.get("waitlist") is not None,
        "group_limit": number(form, "group_limit"),
        "retention_days": number(form, "retention_days", required=False),
        "profile_fields": {name: text(form, f"profile_{name}") for name in PROFILE_FIELDS},
    }


def new_event(form: Form) -> tuple[CreateEventRequest | None, list[str]]:
    body, wrong = check(event_data(form), CreateEventRequest, VALID_EVENT)
    return body, _quiet(wrong, text(form, "slug"))


def _quiet(wrong: list[str], given: str, derived: str = "slug") -> list[str]:
    """Without the error of an identifier made from a wrong name: fixing the name fixes it."""
    if given or not any(w.startswith(("name", "label")) for w in wrong):
        return wrong
    return [w for w in wrong if w != derived]


def event_update(form: Form, slug: str) -> tuple[UpdateEventRequest | None, list[str]]:
    """Every field of the edit form, checked as for a new event (the use case writes only
    what changed)."""
    data = event_data(form, slug)
    _, wrong = check(data, CreateEventRequest, VALID_EVENT)
    if wrong:
        return None, wrong
    del data["slug"], data["status"]
    return msgspec.convert(data, UpdateEventRequest), []


def session_data(form: Form, prefix: str, slug: str | None = None) -> dict[str, Any] | None:
    """A session row (None when left empty)."""
    if slug is None and not any(text(form, prefix + f) for f in SESSION_FIELDS):
        return None
    name = localized(form, prefix + "name")
    return {
        "slug": slug or text(form, prefix + "slug") or slugify(name["en"]),
        "name": name,
        "room": optional(form, prefix + "room"),
        "starts_at": local_time(form, prefix + "starts_at"),
        "ends_at": local_time(form, prefix + "ends_at"),
        "capacity": number(form, prefix + "capacity"),
    }


def new_session(form: Form, prefix: str) -> tuple[CreateSessionRequest | None, list[str]] | None:
    """A session row (None when left empty)."""
    data = session_data(form, prefix)
    if data is None:
        return None
    body, wrong = check(data, CreateSessionRequest, VALID_SESSION)
    return body, _quiet(wrong, text(form, prefix + "slug"))


def session_update(
    form: Form, prefix: str, slug: str
) -> tuple[UpdateSessionRequest | None, list[str]]:
    data = session_data(form, prefix, slug)
    assert data is not None
    _, wrong = check(data, CreateSessionRequest, VALID_SESSION)
    if wrong:
        return None, wrong
    return msgspec.convert({k: v for k, v in data.items() if k != "slug"}, UpdateSessionRequest), []


def ticket_type_data(form: Form, prefix: str) -> dict[str, Any] | None:
    if not any(text(form, prefix + f) for f in TYPE_FIELDS):
        return None
    name = localized(form, prefix + "name")
    return {
        "slug": text(form, prefix + "slug") or slugify(name["en"]),
        "name": name,
        "quota": number(form, prefix + "quota", required=False),
        "access_code": optional(form, prefix + "access_code"),
    }


def new_ticket_type(
    form: Form, prefix: str
) -> tuple[CreateTicketTypeRequest | None, list[str]] | None:
    """A ticket type row (None when left empty)."""
    data = ticket_type_data(form, prefix)
    if data is None:
        return None
    body, wrong = check(data, CreateTicketTypeRequest, VALID_TYPE)
    return body, _quiet(wrong, text(form, prefix + "slug"))


def _options(lines: str) -> list[dict[str, Any]]:
    """Choices typed one a line, ``Polish | English``, each known by a slug of its name."""
    options = []
    for line in lines.splitlines():
        if line.strip():
            pl, _, en = (part.strip() for part in line.partition("|"))
            options.append({"value": slugify(en or pl), "label": {"pl": pl, "en": en or pl}})
    return options


def question_data(form: Form) -> dict[str, Any]:
    label = localized(form, "label")
    options = _options(text(form, "options"))
    return {
        "key": text(form, "key") or slugify(label["en"], "_"),
        "kind": text(form, "q_kind"),
        "label": label,
        "required": form.get("q_required") is not None,
        "options": options,
    }


def new_question(form: Form) -> tuple[QuestionRequest | None, list[str]]:
    body, wrong = check(question_data(form), QuestionRequest, VALID_QUESTION, joint=("options",))
    return body, _quiet(wrong, text(form, "key"), "key")


def ticket_type_update(
    form: Form, prefix: str, slug: str
) -> tuple[UpdateTicketTypeRequest | None, list[str]]:
    """A ticket type's edit form: names and quota (empty: no limit) as given; a new access
    code when one is typed, none when ``open`` is ticked, else the code stays."""
    code = optional(form, prefix + "access_code")
    data = {
        "slug": slug,
        "name": localized(form, prefix + "name"),
        "quota": number(form, prefix + "quota", required=False),
        "access_code": code,
    }
    _, wrong = check(data, CreateTicketTypeRequest, VALID_TYPE)
    if form.get(prefix + "open") is not None and code:
        wrong.append("access_code")
    if wrong:
        return None, wrong
    change = {"name": data["name"], "quota": data["quota"]}
    if form.get(prefix + "open") is not None:
        change["access_code"] = None
    elif code:
        change["access_code"] = code
    return msgspec.convert(change, UpdateTicketTypeRequest), []


def question_update(
    form: Form, prefix: str, current: Question
) -> tuple[UpdateQuestionRequest | None, list[str]]:
    """A question's edit form: labels, required, and for a choice question its choices (each
    kept, relabelled or ticked for removal) and new ones typed as when adding."""
    options = []
    for i in range(len(current.options)):
        p = f"{prefix}o{i}_"
        value = text(form, p + "value")
        if value and form.get(p + "remove") is None:
            label = localized(form, p + "label")
            options.append({"value": value, "label": {"pl": label["pl"], "en": label["en"]}})
    options += _options(text(form, prefix + "options"))
    data = {
        "key": current.key,
        "kind": current.kind,
        "label": localized(form, prefix + "label"),
        "required": form.get(prefix + "q_required") is not None,
        "options": options,
    }
    _, wrong = check(data, QuestionRequest, VALID_QUESTION, joint=("options",))
    if wrong:
        return None, wrong
    del data["key"], data["kind"]
    if current.kind not in ("single", "multiple"):
        del data["options"]
    return msgspec.convert(data, UpdateQuestionRequest), []
