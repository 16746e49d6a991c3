"""Reading requests at the edge: JSON bodies into typed requests, HTML forms, their
deadline, and JSON answers. What cannot be read is refused (shared/refusals.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import msgspec
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from multidict import MultiDictProxy

from shared import csrf
from shared.config import SETTINGS
from shared.refusals import (
    BODY_TOO_LARGE,
    FORM_EXPIRED,
    INVALID_FORM,
    INVALID_JSON,
    REQUEST_TIMEOUT,
    UNSUPPORTED_MEDIA_TYPE,
    VALIDATION_FAILED,
    FieldError,
)

T = TypeVar("T")
MAX_BODY_BYTES = 64 * 1024

# What aiohttp raises on a form it cannot read: bytes that are not in the form's charset
# (UnicodeDecodeError is a ValueError), a charset Python does not know (LookupError), a
# multipart body without or with broken boundaries (ValueError) or part headers.
UNREADABLE_FORM = (ValueError, LookupError, HttpProcessingError)


def validation_errors(e: msgspec.ValidationError) -> list[FieldError]:
    """msgspec's complaint as the field error it names."""
    message = str(e)
    return [FieldError(field=validation_field(message), message=message.split(" - at ")[0])]


def validation_field(message: str) -> str:
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
        raise REQUEST_TIMEOUT(seconds=seconds) from None


async def read_body(request: web.Request, limit: int) -> bytes:
    """The whole request body, or a 413 problem past ``limit`` bytes (before reading it all)."""
    too_large = BODY_TOO_LARGE(limit=limit)
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
        raise INVALID_FORM() from None
    if not csrf.form_is_genuine(request, form.get(csrf.FIELD)):
        raise FORM_EXPIRED()
    return form


async def decode_body(request: web.Request, type_: type[T], limit: int = MAX_BODY_BYTES) -> T:
    """Decode a JSON request body into ``type_``, or raise a 400/413/415 problem."""
    ctype = request.content_type
    if ctype not in ("application/json", "application/merge-patch+json"):
        raise UNSUPPORTED_MEDIA_TYPE(expected="application/json")
    return decode_json(await read_body(request, limit), type_)


def decode_json(raw: bytes, type_: type[T]) -> T:
    """Decode JSON bytes into ``type_``, or raise a 400 problem naming what is wrong."""
    try:
        return msgspec.json.decode(raw, type=type_)
    except msgspec.ValidationError as e:
        raise VALIDATION_FAILED(errors=validation_errors(e)) from None
    except (msgspec.DecodeError, UnicodeDecodeError) as e:
        raise INVALID_JSON(reason=e) from None


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        status=status,
        body=msgspec.json.encode(data),
        content_type="application/json",
        headers=headers,
    )
