"""Polish texts of the problems people see (English is the default ``detail``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

POLISH: dict[str, str] = {
    "access_code_invalid": "Ten rodzaj biletu wymaga poprawnego kodu dostępu.",
    "all_events_needed": (
        "To dotyczy wszystkich wydarzeń: potrzebny jest token organizatora dla wszystkich wydarzeń."
    ),
    "already_registered": "Ten adres e-mail jest już zarejestrowany na to wydarzenie.",
    "bad_csv": (
        "Wiersz {line} pliku nie jest poprawnym CSV: pole zawiera znak końca wiersza, choć nie"
        " jest ujęte w cudzysłów, albo jest dłuższe niż 128 KiB; nic nie zostało zaimportowane."
    ),
    "bad_csv_header": "Pierwszy wiersz pliku CSV musi zawierać nagłówki kolumn (name,email,...).",
    "bad_encoding": "Plik musi być zapisany w UTF-8.",
    "body_too_large": "Przesłane dane są zbyt duże.",
    "bus_unavailable": "NATS nie przyjął zmiany, więc nic nie zostało zmienione; spróbuj ponownie.",
    "capacity_below_taken": "Nie można zmniejszyć liczby miejsc poniżej liczby zajętych.",
    "certificate_withdrawn": "To zaświadczenie zostało wycofane.",
    "delivery_not_found": "Nie ma takiej wysyłki.",
    "delivery_pending": "Ta wiadomość jest jeszcze w drodze; poczekaj na nią.",
    "delivery_withdrawn": (
        "Ta wiadomość została wycofana: zanim ją wysłano, jej treść przestała być aktualna."
    ),
    "event_cancelled": "To wydarzenie zostało odwołane; nie można go zmieniać.",
    "event_full": "Brak wolnych miejsc na to wydarzenie.",
    "event_not_covered": "Token nie obejmuje tego wydarzenia.",
    "event_not_found": "Nie ma takiego wydarzenia.",
    "event_not_open": "Sesji tego wydarzenia nie można teraz zmieniać.",
    "forbidden": "Brak uprawnień do tej operacji.",
    "form_expired": (
        "Ten formularz wygasł lub nie pochodzi z tej strony: wróć, odśwież stronę i wyślij go"
        " ponownie (przeglądarka musi przyjmować ciasteczka tej strony)."
    ),
    "gate_not_covered": "Token nie obejmuje tego wejścia.",
    "gate_taken": "Ta bramka jest już przypisana do innej listy wejść.",
    "group_not_registered": (
        "Niektórych adresów e-mail z tej grupy nie udało się zarejestrować na to wydarzenie;"
        " każdemu z ich właścicieli dajemy o tym znać e-mailem. Nikt z grupy nie został"
        " zarejestrowany."
    ),
    "group_too_large": "Grupa jest zbyt liczna dla tego wydarzenia.",
    "import_rejected": "Niektóre wiersze są błędne; nic nie zostało zaimportowane.",
    "invalid_cursor": "Nieprawidłowy kursor paczki offline; pobierz pełną paczkę.",
    "invalid_form": (
        "Nie udało się odczytać formularza: wyślij go jako"
        " application/x-www-form-urlencoded lub multipart/form-data, w UTF-8."
    ),
    "invalid_json": "Dane nie są poprawnym JSON-em w UTF-8.",
    "invalid_token": "Token jest nieprawidłowy.",
    "invalid_transition": "Wydarzenie nie może przejść do tego stanu.",
    "invalid_upload": "Prześlij plik jako pole `certificate` formularza multipart/form-data.",
    "key_not_found": "Nie ma takiego klucza podpisującego bilety.",
    "key_retired": "Ten klucz jest już wycofany.",
    "last_key": (
        "To jedyny klucz, który podpisuje bilety: najpierw dodaj nowy (cnk keys rotate),"
        " potem wycofaj ten."
    ),
    "list_exists": "To wydarzenie ma już listę wejść o tym identyfikatorze.",
    "list_membership_fixed": (
        "Identyfikator i uprawnieni listy głównej i list sesji wynikają z wydarzenia;"
        " można zmienić tylko nazwę, zasady wejścia, godziny i limit."
    ),
    "list_not_found": "To wydarzenie nie ma takiej listy wejść.",
    "list_not_removable": (
        "Listy głównej ani list sesji nie można usunąć; można je zamknąć, ustawiając godziny."
    ),
    "no_open_offer": "Nie ma otwartej oferty miejsca.",
    "not_attended": "Ta osoba nie ma zarejestrowanego wejścia na to wydarzenie lub tę sesję.",
    "not_found": "Nie znaleziono.",
    "offer_expired": "Czas na przyjęcie miejsca minął.",
    "question_exists": "To wydarzenie ma już pytanie o tym kluczu.",
    "email_rate_limited": (
        "Zbyt wiele prób rejestracji dla tego adresu e-mail. Spróbuj ponownie później."
    ),
    "rate_limited": "Zbyt wiele rejestracji z tego adresu. Spróbuj za minutę.",
    "recipient_erased": "Dane odbiorcy zostały usunięte; nie ma czego wysłać ponownie.",
    "registration_cancelled": "Ta rejestracja została anulowana.",
    "registration_closed": "Rejestracja na to wydarzenie jest zamknięta.",
    "registration_erased": "Dane osobowe tej rejestracji zostały usunięte.",
    "registration_not_found": "Nie ma takiej rejestracji.",
    "registration_not_open": "Rejestracja jeszcze się nie rozpoczęła.",
    "request_timeout": "Przesyłanie danych trwało zbyt długo; wyślij je ponownie.",
    "scan_in_progress": "Ten skan jest właśnie przetwarzany; spróbuj ponownie za chwilę.",
    "service_unavailable": "Usługa jest chwilowo niedostępna. Spróbuj ponownie za kilka sekund.",
    "session_exists": "To wydarzenie ma już sesję o tym identyfikatorze.",
    "session_full": "W tej sesji nie ma wolnych miejsc.",
    "session_not_found": "Nie ma takiej sesji.",
    "session_started": "Ta sesja już się rozpoczęła; nie można jej teraz zmienić.",
    "sessions_overlap": "Wybrane sesje odbywają się w tym samym czasie; wybierz jedną z nich.",
    "slug_taken": "Wydarzenie o tym identyfikatorze już istnieje.",
    "ticket_not_found": "Nie ma takiego biletu.",
    "ticket_not_issued": "Bilet nie został jeszcze wystawiony; pojawi się za chwilę.",
    "ticket_type_exists": "To wydarzenie ma już rodzaj biletu o tym identyfikatorze.",
    "ticket_type_sold_out": "Bilety tego rodzaju się skończyły.",
    "token_expired": "Token wygasł.",
    "token_lifetime_too_long": ("Token jest ważny dłużej, niż pozwala ten serwer; wystaw krótszy."),
    "token_revoked": "Ten token został unieważniony.",
    "too_many_rows": "Plik ma zbyt wiele wierszy.",
    "unauthorized": "Wymagane uwierzytelnienie.",
    "unknown_session": "To wydarzenie nie ma takiej sesji.",
    "unknown_ticket_type": "Nie ma takiego rodzaju biletu.",
    "unreadable_body": (
        "Nie udało się odczytać przesłanych danych: ich Content-Encoding lub przesyłanie"
        " w częściach (chunked) jest uszkodzone."
    ),
    "unsupported_media_type": "Nieobsługiwany format danych.",
    "validation_failed": "Niektóre pola są niepoprawne.",
    "verify_busy": "Właśnie sprawdzamy wiele plików. Spróbuj ponownie za kilka sekund.",
    "verify_rate_limited": (
        "Z tego adresu sprawdzono w ostatniej minucie zbyt wiele plików."
        " Spróbuj ponownie za minutę."
    ),
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


def page_lang(request: web.Request) -> str:
    """A page's language: ``?lang=``, then the ``lang`` cookie (which the pages set when
    one is chosen), then Accept-Language, else Polish."""
    chosen = request.query.get("lang") or request.cookies.get("lang")
    if chosen in ("pl", "en"):
        return chosen
    return preferred_lang(request, default="pl")


def localized_detail(
    request: web.Request, code: str, detail: str, extra: Mapping[str, Any] | None = None
) -> tuple[str, str]:
    """The detail in the request's language, and that language. A Polish text names the
    problem's ``extra`` members it tells in braces, as in ``Wiersz {line}``."""
    if preferred_lang(request) == "pl" and code in POLISH:
        return POLISH[code].format_map(extra or {}), "pl"
    return detail, "en"
