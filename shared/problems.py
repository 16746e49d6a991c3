"""The one place refusals become answers: RFC 9457 problem+json in the person's language,
a short page for a browser where the refusal has one, 503 during an outage, 500 (logged,
without internals) for anything unexpected."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import msgspec
import structlog
from aiohttp import web
from aiohttp.web_protocol import RequestPayloadError

from shared import field_messages
from shared.language import page_lang, preferred_lang
from shared.refusals import (
    BAD_REQUEST,
    BODY_TOO_LARGE,
    FORBIDDEN,
    HTTP_ERROR,
    INTERNAL_ERROR,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    SERVICE_UNAVAILABLE,
    UNAUTHORIZED,
    UNREADABLE_BODY,
    UNSUPPORTED_MEDIA_TYPE,
    FieldError,
    Refused,
)

log = structlog.get_logger()
PROBLEM_TYPE = "application/problem+json"
PROBLEM_BASE = "https://events.cnk.pb.edu.pl/problems/"

_HTTP_REFUSALS = {
    400: BAD_REQUEST,
    401: UNAUTHORIZED,
    403: FORBIDDEN,
    404: NOT_FOUND,
    405: METHOD_NOT_ALLOWED,
    413: BODY_TOO_LARGE,
    415: UNSUPPORTED_MEDIA_TYPE,
}


def problem_response(
    refused: Refused, lang: str, headers: dict[str, str] | None = None
) -> web.Response:
    """``refused`` as RFC 9457 problem+json in ``lang``."""
    refusal = refused.refusal
    body: dict[str, Any] = {
        "type": f"{PROBLEM_BASE}{refusal.code}",
        "title": refusal.code.replace("_", " "),
        "status": refusal.status,
        "code": refusal.code,
        "detail": refusal.text(lang, refused.values),
    }
    if refused.errors:
        errors = _localized(refused.errors) if lang == "pl" else refused.errors
        body["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    body.update(refused.members)
    headers = {**refused.headers, **(headers or {}), "Content-Language": lang}
    if refusal.status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return web.Response(
        status=refusal.status,
        body=msgspec.json.encode(body),
        content_type=PROBLEM_TYPE,
        headers=headers,
    )


def _localized(errors: list[FieldError]) -> list[FieldError]:
    return [
        FieldError(field=e.field, message=field_messages.polish(e.message) or e.message)
        for e in errors
    ]


@web.middleware
async def problem_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except Refused as e:
        return answer(request, e)
    except RequestPayloadError:
        # The body's bytes could not be read: a Content-Encoding (gzip, deflate) that does
        # not decode, a broken chunked transfer.
        return _closing(request, problem_response(UNREADABLE_BODY(), preferred_lang(request)))
    except web.HTTPException as e:
        if e.status < 400:
            raise
        refusal = _HTTP_REFUSALS.get(e.status, HTTP_ERROR)
        allow = {"Allow": e.headers["Allow"]} if "Allow" in e.headers else {}
        refused = refusal(expected="application/json")
        response = problem_response(refused, preferred_lang(request), allow)
        response.set_status(e.status)
        return response
    except Exception as e:
        if is_outage(e):
            log.warning(
                "service_unavailable",
                method=request.method,
                path=request.path,
                error=f"{type(e).__name__}: {e}",
            )
            return unavailable(request)
        log.exception("unhandled_error", method=request.method, path=request.path)
        return problem_response(INTERNAL_ERROR(), "en")


def answer(request: web.Request, refused: Refused) -> web.Response:
    """The answer to a refused request: a short page for a browser where the refusal has
    one, else problem+json in the request's language."""
    if refused.refusal.page_title is not None and _wants_page(request):
        return _page(request, refused)
    response = problem_response(refused, preferred_lang(request))
    # The rest of a body that did not arrive in time is not waited for.
    return _closing(request, response) if refused.status == 408 else response


# What asyncpg and the sockets raise when the database (or another server) cannot be
# reached now: down, restarting, out of connections, the network between.
OUTAGES = (
    OSError,  # refused, reset, no route; TimeoutError too: connecting, waiting for the pool
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08: the connection was lost or refused
    asyncpg.CannotConnectNowError,  # the server is starting up or shutting down
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
)
RETRY_AFTER_SECONDS = 5
_PAGE = """<!doctype html>
<html lang="{lang}">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<h1>{title}</h1>
<p>{message}</p>
</html>
"""


def is_outage(e: Exception) -> bool:
    """``e`` says a server cannot be reached, not that a statement or a request is wrong."""
    if type(e) is asyncpg.InterfaceError:
        # Only its words tell a lost connection ("connection is closed", "pool is closing")
        # from a misuse of asyncpg.
        return "closed" in str(e) or "closing" in str(e)
    return isinstance(e, OUTAGES)


def _wants_page(request: web.Request) -> bool:
    return "text/html" in request.headers.get("Accept", "")


def _page(request: web.Request, refused: Refused) -> web.Response:
    """A short page in the person's language, chosen as the pages choose."""
    lang = page_lang(request)
    refusal = refused.refusal
    assert refusal.page_title is not None
    message = html.escape(refusal.text(lang, refused.values))
    page = _PAGE.format(lang=lang, title=refusal.page_title[lang], message=message)
    headers = {**refused.headers, "Content-Language": lang}
    return web.Response(status=refusal.status, text=page, content_type="text/html", headers=headers)


def unavailable(request: web.Request) -> web.Response:
    """503 with Retry-After: a short page for a browser, a problem for everyone else."""
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    return answer(request, SERVICE_UNAVAILABLE(headers=headers))


def _closing(request: web.Request, response: web.Response) -> web.Response:
    """``response``, after which the connection is closed and nothing more is read from it:
    aiohttp would otherwise go on reading what is left of the body (for up to 10 s, and
    a broken one fails again and is logged as unhandled) before it closes."""
    request.content.feed_eof()
    response.force_close()
    return response


# Transitional: Polish texts of the problems not yet in a refusal catalogue. It shrinks as
# the services declare their refusals, and goes.
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
