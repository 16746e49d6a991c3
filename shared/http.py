"""Problem+json errors and request decoding (bodies, forms, their deadline).

Error tree::

    ProblemError            a 4xx/5xx answer with a stable code
     ├── raised by handlers (not_found, event_full, ...)
     ├── raised by decode_body (invalid_json, validation_failed)
     ├── raised by read_form (invalid_form, form_expired)
     └── raised by body_deadline (request_timeout)

An exception that says the database cannot be reached (is_outage) is answered 503
service_unavailable with Retry-After; any other unexpected one 500 internal_error.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
import msgspec
import structlog
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError
from multidict import MultiDictProxy

from shared import csrf, field_messages
from shared.keys import SETTINGS
from shared.problems import POLISH, localized_detail, page_lang

log = structlog.get_logger()
T = TypeVar("T")
PROBLEM_TYPE = "application/problem+json"
MAX_BODY_BYTES = 64 * 1024
# What aiohttp raises on a form it cannot read: bytes that are not in the form's charset
# (UnicodeDecodeError is a ValueError), a charset Python does not know (LookupError), a
# multipart body without or with broken boundaries (ValueError) or part headers.
UNREADABLE_FORM = (ValueError, LookupError, HttpProcessingError)


# Text people type: no control characters (PostgreSQL cannot even store NUL in text).
PRINTABLE = r"^[^\x00-\x1f\x7f]*\Z"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}\Z"
_SLUG = re.compile(SLUG_PATTERN)


def is_slug(value: str) -> bool:
    return _SLUG.fullmatch(value) is not None


class FieldError(msgspec.Struct, frozen=True):
    field: str
    message: str


class ProblemError(Exception):
    """An RFC 9457 problem with a stable machine-readable ``code``."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        errors: list[FieldError] | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.headers = headers or {}
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors or []
        self.extra = extra or {}


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    errors: list[FieldError] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    body: dict[str, Any] = {
        "type": f"https://events.cnk.pb.edu.pl/problems/{code}",
        "title": code.replace("_", " "),
        "status": status,
        "code": code,
        "detail": detail,
    }
    if errors:
        body["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    body.update(extra or {})
    return web.Response(
        status=status,
        body=msgspec.json.encode(body),
        content_type=PROBLEM_TYPE,
        headers=headers,
    )


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
}


def _localized_errors(errors: list[FieldError]) -> list[FieldError]:
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
    except ProblemError as e:
        headers = {"WWW-Authenticate": "Bearer"} if e.status == 401 else {}
        headers.update(e.headers)
        detail, lang = localized_detail(request, e.code, e.detail, e.extra)
        headers["Content-Language"] = lang
        errors = _localized_errors(e.errors) if lang == "pl" else e.errors
        if e.code in PAGE_TITLES and _wants_page(request):
            return _page(request, e.status, e.code, e.detail, headers)
        response = problem_response(
            e.status, e.code, detail, errors=errors, extra=e.extra, headers=headers
        )
        # The rest of a body that did not arrive in time is not waited for.
        return _closing(request, response) if e.status == 408 else response
    except RequestPayloadError:
        # The body's bytes could not be read: a Content-Encoding (gzip, deflate) that does
        # not decode, a broken chunked transfer.
        detail, lang = localized_detail(
            request,
            "unreadable_body",
            "The body could not be read: its Content-Encoding or chunked transfer is broken.",
        )
        response = problem_response(
            400, "unreadable_body", detail, headers={"Content-Language": lang}
        )
        return _closing(request, response)
    except web.HTTPException as e:
        if e.status < 400:
            raise
        code = _HTTP_CODES.get(e.status, "http_error")
        allow = {"Allow": e.headers["Allow"]} if "Allow" in e.headers else {}
        detail, lang = localized_detail(request, code, e.reason)
        return problem_response(e.status, code, detail, headers={**allow, "Content-Language": lang})
    except Exception as e:
        if is_outage(e):
            log.warning(
                "service_unavailable",
                method=request.method,
                path=request.path,
                error=f"{type(e).__name__}: {e}",
            )
            return _unavailable(request)
        log.exception("unhandled_error", method=request.method, path=request.path)
        return problem_response(500, "internal_error", "Something went wrong on our side.")


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
UNAVAILABLE = "The service is briefly unavailable. Try again in a few seconds."
# Problems a person at a browser can meet on any page: answered with a short page.
PAGE_TITLES = {
    "service_unavailable": {"pl": "Chwilowa przerwa", "en": "Back in a moment"},
    "form_expired": {"pl": "Formularz wygasł", "en": "This form has expired"},
}
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


def _page(
    request: web.Request, status: int, code: str, english: str, headers: dict[str, str]
) -> web.Response:
    """A short page in the person's language, chosen as the pages choose."""
    lang = page_lang(request)
    message = POLISH[code] if lang == "pl" else english
    page = _PAGE.format(lang=lang, title=PAGE_TITLES[code][lang], message=html.escape(message))
    headers = {**headers, "Content-Language": lang}
    return web.Response(status=status, text=page, content_type="text/html", headers=headers)


def _unavailable(request: web.Request) -> web.Response:
    """503 with Retry-After: a short page for a browser, a problem for everyone else."""
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if _wants_page(request):
        return _page(request, 503, "service_unavailable", UNAVAILABLE, headers)
    detail, lang = localized_detail(request, "service_unavailable", UNAVAILABLE)
    headers["Content-Language"] = lang
    return problem_response(503, "service_unavailable", detail, headers=headers)


def _closing(request: web.Request, response: web.Response) -> web.Response:
    """``response``, after which the connection is closed and nothing more is read from it:
    aiohttp would otherwise go on reading what is left of the body (for up to 10 s, and
    a broken one fails again and is logged as unhandled) before it closes."""
    request.content.feed_eof()
    response.force_close()
    return response


def _validation_field(message: str) -> str:
    # msgspec says "Expected `int`, got `str` - at `$.capacity`" or, for a whole object,
    # "Object missing required field `name`"; our own checks name the field in backticks.
    text, _, where = message.partition(" - at `$")
    path = where.rstrip("`").lstrip(".")
    if path and not text.startswith("Object "):
        return path
    quoted = text.split("`")
    name = quoted[1] if len(quoted) > 2 and not text.startswith("Expected") else ""
    return ".".join(p for p in (path, name) if p) or "$"


@contextlib.asynccontextmanager
async def body_deadline(request: web.Request) -> AsyncIterator[None]:
    """Around reading the request's body: a 408 problem once it has taken longer than
    BODY_TIMEOUT_SECONDS. aiohttp has no such limit: a client that announced more bytes
    than it sent held its connection and the handler for as long as the socket lived."""
    seconds = request.app[SETTINGS].body_timeout_seconds
    try:
        async with asyncio.timeout(seconds):
            yield
    except TimeoutError:
        raise ProblemError(
            408, "request_timeout", f"The request's body did not arrive within {seconds:g} s."
        ) from None


async def read_body(request: web.Request, limit: int) -> bytes:
    """The whole request body, or a 413 problem past ``limit`` bytes (before reading it all)."""
    too_large = ProblemError(413, "body_too_large", f"The body must be at most {limit} bytes.")
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    # StreamReader.read(n) returns what has arrived so far, not n bytes: read to the end.
    raw = bytearray()
    async with body_deadline(request):
        while len(raw) <= limit:
            chunk = await request.content.read(limit + 1 - len(raw))
            if not chunk:
                break
            raw += chunk
    if len(raw) > limit:
        raise too_large
    return bytes(raw)


Form = MultiDictProxy[str | bytes | bytearray | web.FileField]


async def read_form(request: web.Request) -> Form:
    """The fields of an HTML form (urlencoded or multipart) that came from one of our pages
    (its CSRF token matches), or a 400 or 403 problem."""
    try:
        async with body_deadline(request):
            form = await request.post()
    except UNREADABLE_FORM:
        raise ProblemError(
            400,
            "invalid_form",
            "The form could not be read: send it as application/x-www-form-urlencoded"
            " or multipart/form-data, in UTF-8.",
        ) from None
    if not csrf.form_is_genuine(request, form.get(csrf.FIELD)):
        raise ProblemError(
            403,
            "form_expired",
            "This form has expired or did not come from this site: go back, reload the page"
            " and send it again (the browser must accept cookies from this site).",
        )
    return form


async def decode_body(request: web.Request, type_: type[T], limit: int = MAX_BODY_BYTES) -> T:
    """Decode a JSON request body into ``type_``, or raise a 400/413/415 problem."""
    ctype = request.content_type
    if ctype not in ("application/json", "application/merge-patch+json"):
        raise ProblemError(415, "unsupported_media_type", "Send the body as application/json.")
    raw = await read_body(request, limit)
    try:
        return msgspec.json.decode(raw, type=type_)
    except msgspec.ValidationError as e:
        message = str(e)
        field = _validation_field(message)
        raise ProblemError(
            400,
            "validation_failed",
            "The request has invalid fields.",
            errors=[FieldError(field=field, message=message.split(" - at ")[0])],
        ) from None
    except (msgspec.DecodeError, UnicodeDecodeError) as e:
        raise ProblemError(400, "invalid_json", f"The body is not valid UTF-8 JSON: {e}") from None


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        status=status,
        body=msgspec.json.encode(data),
        content_type="application/json",
        headers=headers,
    )
