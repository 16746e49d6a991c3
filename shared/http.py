"""Problem+json errors, request decoding, and the health, readiness and metrics routes.

Error tree::

    ProblemError            a 4xx/5xx answer with a stable code
     ├── raised by handlers (not_found, event_full, ...)
     ├── raised by decode_body (invalid_json, validation_failed)
     ├── raised by read_form (invalid_form)
     └── raised by body_deadline (request_timeout)

An exception that says the database cannot be reached (is_outage) is answered 503
service_unavailable with Retry-After; any other unexpected one 500 internal_error.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
import msgspec
import prometheus_client
import structlog
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError
from multidict import MultiDictProxy

from shared import field_messages
from shared.keys import DB_POOL, METRICS, NATS, SETTINGS
from shared.problems import POLISH, localized_detail, preferred_lang

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
_UNAVAILABLE_TITLE = {"pl": "Chwilowa przerwa", "en": "Back in a moment"}
_UNAVAILABLE_PAGE = """<!doctype html>
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


def _unavailable(request: web.Request) -> web.Response:
    """503 with Retry-After: a short page in the person's language for a browser, a
    problem for everyone else."""
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if "text/html" not in request.headers.get("Accept", ""):
        detail, lang = localized_detail(request, "service_unavailable", UNAVAILABLE)
        headers["Content-Language"] = lang
        return problem_response(503, "service_unavailable", detail, headers=headers)
    # As the pages choose: ?lang=, the lang cookie, then Accept-Language, else Polish.
    lang = request.query.get("lang") or request.cookies.get("lang") or ""
    if lang not in _UNAVAILABLE_TITLE:
        lang = preferred_lang(request, default="pl")
    message = POLISH["service_unavailable"] if lang == "pl" else UNAVAILABLE
    page = _UNAVAILABLE_PAGE.format(lang=lang, title=_UNAVAILABLE_TITLE[lang], message=message)
    headers["Content-Language"] = lang
    return web.Response(status=503, text=page, content_type="text/html", headers=headers)


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
    """The fields of an HTML form (urlencoded or multipart), or a 400 problem."""
    try:
        async with body_deadline(request):
            return await request.post()
    except UNREADABLE_FORM:
        raise ProblemError(
            400,
            "invalid_form",
            "The form could not be read: send it as application/x-www-form-urlencoded"
            " or multipart/form-data, in UTF-8.",
        ) from None


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


class HttpMetrics:
    """Per-app Prometheus registry, so several apps can live in one process (tests)."""

    def __init__(self, service: str) -> None:
        self.registry = prometheus_client.CollectorRegistry()
        self.service = service
        self.requests = prometheus_client.Counter(
            "http_requests",
            "HTTP requests answered",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = prometheus_client.Histogram(
            "http_request_duration_seconds",
            "HTTP request latency",
            ["route"],
            registry=self.registry,
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        )
        self.consumer_lag = prometheus_client.Gauge(
            "consumer_lag_messages",
            "Events in the stream not yet delivered to this service's durable consumer",
            ["stream"],
            registry=self.registry,
        )

        # The children of each (route, method, status), looked up once: labels() takes a
        # lock and builds a key on every call, which counted at thousands of requests a second.
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def counter(self, name: str, doc: str, labels: list[str]) -> prometheus_client.Counter:
        return prometheus_client.Counter(name, doc, labels, registry=self.registry)

    def record(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, status)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(route, method, str(status)),
                self.latency.labels(route),
            )
            self._children[key] = children
        answered, latency = children
        answered.inc()
        latency.observe(seconds)


@web.middleware
async def metrics_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    start = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as e:
        status = e.status
        raise
    finally:
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "unmatched"
        request.app[METRICS].record(route, request.method, status, time.perf_counter() - start)


async def healthz(request: web.Request) -> web.Response:
    return json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    checks: dict[str, str] = {}
    try:
        async with request.app[DB_POOL].acquire(timeout=2) as conn:
            await conn.fetchval("SELECT 1", timeout=2)
        checks["database"] = "ok"
    except Exception as e:  # readiness reports any failure, it never raises
        checks["database"] = f"unavailable: {type(e).__name__}"
    nc = request.app[NATS]
    checks["nats"] = "ok" if nc.is_connected else "unavailable"
    ready = all(v == "ok" for v in checks.values())
    return json_response(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


async def metrics(request: web.Request) -> web.Response:
    registry = request.app[METRICS].registry
    return web.Response(
        body=prometheus_client.generate_latest(registry),
        headers={"Content-Type": prometheus_client.CONTENT_TYPE_LATEST},
    )


def add_operational_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
