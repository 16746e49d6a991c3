"""Refusals: every code a request can be refused with, declared once with its HTTP status
and its Polish and English text, and the one middleware that answers them.

Use cases raise a refusal from a catalogue (``raise EVENT_NOT_FOUND()``); they never build
HTTP errors. The middleware renders it as RFC 9457 ``application/problem+json`` in the
person's language (a short page for the few a browser can meet on any page)::

    Refused                     a 4xx/5xx answer with a stable code, raised by
     ├── use cases              (event_not_found, event_full, ...)
     ├── decode_body            (invalid_json, validation_failed, body_too_large)
     ├── read_form              (invalid_form, form_expired)
     ├── body_deadline          (request_timeout)
     └── auth                   (unauthorized, forbidden, token_revoked, ...)

An exception that says the database cannot be reached (is_outage) is answered 503
service_unavailable with Retry-After; any other unexpected one 500 internal_error.

Codes used by one service are declared in that service (registration's ``refusals.py``,
tickets' and notifications' ``texts.py``, each checkin feature's ``texts.py``); codes of
the plumbing, or used by several services, here.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any

import msgspec

CATALOGUE: dict[str, Refusal] = {}


class FieldError(msgspec.Struct, frozen=True):
    field: str
    message: str


@dataclass(frozen=True)
class Refusal:
    """One entry of the catalogue. ``en`` and ``pl`` may name values in braces
    (``Line {line}``), given when it is raised; those listed in ``members`` are also
    members of the problem's body, for programs."""

    code: str
    status: int
    en: str
    pl: str
    members: tuple[str, ...] = ()
    # Raised where a browser can meet it on any page: answered with a short page titled so.
    page_title: dict[str, str] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.code in CATALOGUE:
            raise ValueError(f"refusal {self.code!r} is declared twice")
        CATALOGUE[self.code] = self

    def __call__(
        self,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        **values: Any,
    ) -> Refused:
        return Refused(self, values, errors or [], headers or {})

    def text(self, lang: str, values: dict[str, Any]) -> str:
        return (self.pl if lang == "pl" else self.en).format_map(values)

    def placeholders(self, lang: str) -> set[str]:
        text = self.pl if lang == "pl" else self.en
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Refused(Exception):
    """A request refused for ``refusal``, with the values its texts name."""

    def __init__(
        self,
        refusal: Refusal,
        values: dict[str, Any],
        errors: list[FieldError],
        headers: dict[str, str],
    ) -> None:
        super().__init__(refusal.text("en", values))
        self.refusal = refusal
        self.values = values
        self.errors = errors
        self.headers = headers

    @property
    def code(self) -> str:
        return self.refusal.code

    @property
    def status(self) -> int:
        return self.refusal.status

    @property
    def detail(self) -> str:
        """The English text."""
        return self.refusal.text("en", self.values)

    def text(self, lang: str) -> str:
        return self.refusal.text(lang, self.values)

    @property
    def members(self) -> dict[str, Any]:
        return {name: self.values[name] for name in self.refusal.members if name in self.values}


# The plumbing's refusals, and those several services share.
BAD_REQUEST = Refusal("bad_request", 400, "The request is not valid.", "Nieprawidłowe żądanie.")
BODY_TOO_LARGE = Refusal(
    "body_too_large",
    413,
    "The body is too large.",
    "Przesłane dane są zbyt duże.",
    members=("limit",),
)
EVENT_NOT_COVERED = Refusal(
    "event_not_covered",
    403,
    "The token does not cover the event this concerns.",
    "Token nie obejmuje tego wydarzenia.",
)
EVENT_NOT_FOUND = Refusal(
    "event_not_found", 404, "There is no event {slug!r}.", "Nie ma takiego wydarzenia."
)
FORBIDDEN = Refusal(
    "forbidden",
    403,
    "This token's role or holder cannot do this.",
    "Brak uprawnień do tej operacji.",
)
FORM_EXPIRED = Refusal(
    "form_expired",
    403,
    "This form has expired or did not come from this site: go back, reload the page and send"
    " it again (the browser must accept cookies from this site).",
    "Ten formularz wygasł lub nie pochodzi z tej strony: wróć, odśwież stronę i wyślij go"
    " ponownie (przeglądarka musi przyjmować ciasteczka tej strony).",
    page_title={"pl": "Formularz wygasł", "en": "This form has expired"},
)
HTTP_ERROR = Refusal("http_error", 400, "The request cannot be answered.", "Błąd żądania.")
INTERNAL_ERROR = Refusal(
    "internal_error",
    500,
    "Something went wrong on our side.",
    "Coś poszło nie tak po naszej stronie.",
)
INVALID_FORM = Refusal(
    "invalid_form",
    400,
    "The form could not be read: send it as application/x-www-form-urlencoded or"
    " multipart/form-data, in UTF-8.",
    "Nie udało się odczytać formularza: wyślij go jako application/x-www-form-urlencoded lub"
    " multipart/form-data, w UTF-8.",
)
INVALID_JSON = Refusal(
    "invalid_json",
    400,
    "The body is not valid UTF-8 JSON: {reason}",
    "Dane nie są poprawnym JSON-em w UTF-8.",
)
METHOD_NOT_ALLOWED = Refusal(
    "method_not_allowed",
    405,
    "This method is not allowed here.",
    "Ta metoda nie jest tu dozwolona.",
)
NOT_FOUND = Refusal("not_found", 404, "Not found.", "Nie znaleziono.")
REGISTRATION_NOT_FOUND = Refusal(
    "registration_not_found", 404, "There is no such registration.", "Nie ma takiej rejestracji."
)
REQUEST_TIMEOUT = Refusal(
    "request_timeout",
    408,
    "The request's body did not arrive within {seconds:g} s.",
    "Przesyłanie danych trwało zbyt długo; wyślij je ponownie.",
)
SERVICE_UNAVAILABLE = Refusal(
    "service_unavailable",
    503,
    "The service is briefly unavailable. Try again in a few seconds.",
    "Usługa jest chwilowo niedostępna. Spróbuj ponownie za kilka sekund.",
    page_title={"pl": "Chwilowa przerwa", "en": "Back in a moment"},
)
SESSION_NOT_FOUND = Refusal(
    "session_not_found", 404, "The event has no session {slug!r}.", "Nie ma takiej sesji."
)
UNREADABLE_BODY = Refusal(
    "unreadable_body",
    400,
    "The body could not be read: its Content-Encoding or chunked transfer is broken.",
    "Nie udało się odczytać przesłanych danych: ich Content-Encoding lub przesyłanie"
    " w częściach (chunked) jest uszkodzone.",
)
UNSUPPORTED_MEDIA_TYPE = Refusal(
    "unsupported_media_type",
    415,
    "Send the body as {expected}.",
    "Nieobsługiwany format danych.",
)
VALIDATION_FAILED = Refusal(
    "validation_failed",
    400,
    "The request has invalid fields; nothing was stored.",
    "Niektóre pola są niepoprawne.",
)
# Staff tokens (shared/auth.py).
ALL_EVENTS_NEEDED = Refusal(
    "all_events_needed",
    403,
    "This serves every event: it needs an organizer token for all events (cnk token --role"
    " organizer --all-events).",
    "To dotyczy wszystkich wydarzeń: potrzebny jest token organizatora dla wszystkich wydarzeń.",
)
INVALID_TOKEN = Refusal(
    "invalid_token", 401, "The staff token is not valid.", "Token jest nieprawidłowy."
)
TOKEN_EXPIRED = Refusal("token_expired", 401, "The staff token has expired.", "Token wygasł.")
TOKEN_LIFETIME_TOO_LONG = Refusal(
    "token_lifetime_too_long",
    401,
    "The staff token is valid for longer than the {days} days this server accepts; issue a"
    " shorter one.",
    "Token jest ważny dłużej, niż pozwala ten serwer; wystaw krótszy.",
)
TOKEN_REVOKED = Refusal(
    "token_revoked", 401, "This staff token has been revoked.", "Ten token został unieważniony."
)
UNAUTHORIZED = Refusal(
    "unauthorized",
    401,
    "Sign in first: send a staff token (Authorization: Bearer <token>) or sign in on the"
    " page; a registration's own pages and data take its manage token.",
    "Wymagane uwierzytelnienie.",
)
