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
    refused: Refused, lang: str, headers: dict[str, str] | None = None, status: int | None = None
) -> web.Response:
    """``refused`` as RFC 9457 problem+json in ``lang`` (with ``status``, for an HTTP error
    aiohttp raised, when it is not the refusal's own)."""
    refusal = refused.refusal
    status = status or refusal.status
    body: dict[str, Any] = {
        "type": f"{PROBLEM_BASE}{refusal.code}",
        "title": refusal.code.replace("_", " "),
        "status": status,
        "code": refusal.code,
        "detail": refusal.text(lang, refused.values),
    }
    if refused.errors:
        errors = _localized(refused.errors) if lang == "pl" else refused.errors
        body["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    body.update(refused.members)
    headers = {**refused.headers, **(headers or {}), "Content-Language": lang}
    if status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return web.Response(
        status=status,
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
        return problem_response(refused, preferred_lang(request), allow, e.status)
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
