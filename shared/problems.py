"""Polish texts of the problems people see (English is the default ``detail``)."""

from __future__ import annotations

from aiohttp import web

POLISH: dict[str, str] = {
    "already_registered": "Ten adres e-mail jest już zarejestrowany na to wydarzenie.",
    "access_code_invalid": "Ten rodzaj biletu wymaga poprawnego kodu dostępu.",
    "body_too_large": "Przesłane dane są zbyt duże.",
    "capacity_below_taken": "Nie można zmniejszyć liczby miejsc poniżej liczby zajętych.",
    "event_full": "Brak wolnych miejsc na to wydarzenie.",
    "event_not_found": "Nie ma takiego wydarzenia.",
    "forbidden": "Brak uprawnień do tej operacji.",
    "group_too_large": "Grupa jest zbyt liczna dla tego wydarzenia.",
    "invalid_json": "Dane nie są poprawnym JSON-em w UTF-8.",
    "invalid_token": "Token jest nieprawidłowy.",
    "no_open_offer": "Nie ma otwartej oferty miejsca.",
    "not_found": "Nie znaleziono.",
    "offer_expired": "Czas na przyjęcie miejsca minął.",
    "rate_limited": "Zbyt wiele rejestracji z tego adresu. Spróbuj za minutę.",
    "registration_closed": "Rejestracja na to wydarzenie jest zamknięta.",
    "registration_not_found": "Nie ma takiej rejestracji.",
    "registration_not_open": "Rejestracja jeszcze się nie rozpoczęła.",
    "ticket_not_issued": "Bilet nie został jeszcze wystawiony; pojawi się za chwilę.",
    "ticket_type_sold_out": "Bilety tego rodzaju się skończyły.",
    "token_expired": "Token wygasł.",
    "unauthorized": "Wymagane uwierzytelnienie.",
    "unknown_ticket_type": "Nie ma takiego rodzaju biletu.",
    "unsupported_media_type": "Nieobsługiwany format danych.",
    "validation_failed": "Niektóre pola są niepoprawne.",
}


def preferred_lang(request: web.Request, default: str = "en") -> str:
    """``pl`` or ``en`` from Accept-Language (highest weight wins), else ``default``."""
    best, best_q = default, -1.0
    for part in request.headers.get("Accept-Language", "").split(","):
        tag, _, q = part.strip().partition(";q=")
        code = tag.split("-")[0].strip().lower()
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        if code in ("pl", "en") and weight > best_q:
            best, best_q = code, weight
    return best


def localized_detail(request: web.Request, code: str, detail: str) -> tuple[str, str]:
    """The detail in the request's language, and that language."""
    if preferred_lang(request) == "pl" and code in POLISH:
        return POLISH[code], "pl"
    return detail, "en"
