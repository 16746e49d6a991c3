"""How a certificate's file comes in to be checked: first a place in the PDF queue and one of
the client address's uploads per minute, then the file itself, whole, up to MAX_UPLOAD."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import BodyPartReader, web

from services.checkin.evidence.pdf_queue import PDF_QUEUE
from services.checkin.evidence.texts import INVALID_UPLOAD, VERIFY_BUSY, VERIFY_RATE_LIMITED
from shared import ratelimit
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.http import UNREADABLE_FORM, body_deadline
from shared.proxies import TRUSTED_PROXIES
from shared.refusals import BODY_TOO_LARGE, Refused

MAX_UPLOAD = 2 * 1024 * 1024  # a certificate is about 30 KB
BUSY_RETRY_SECONDS = 5
# A refused upload is answered this late, its file unread. aiohttp reads and drops the rest
# of a body answered early: a client that sends its file again as soon as it is refused
# (a flood, ignoring Retry-After) made checkin's event loop take in 2 MiB per refusal at
# the network's speed, 1.1 ms of its CPU each, and a door rush's p99 went from 37 to 225 ms.
# Held, each connection sends no more than the socket buffers take, every two seconds.
REFUSAL_DELAY_SECONDS = 2.0


def busy() -> Refused:
    return VERIFY_BUSY(headers={"Retry-After": str(BUSY_RETRY_SECONDS)})


def too_many(retry: int) -> Refused:
    return VERIFY_RATE_LIMITED(retry=retry, headers={"Retry-After": str(retry)})


async def _over_allowance(request: web.Request) -> int | None:
    """Count a file against its client address's per-minute allowance: None within it, else
    the seconds until the next minute."""
    client = request.app[TRUSTED_PROXIES].client_address(request)
    limit = ratelimit.Limit(f"verify:{client}", 1, request.app[SETTINGS].verify_rate_limit, 60)
    over = await ratelimit.take(request.app[DB_POOL], [limit])
    return None if over is None else over[1]


async def _refuse(problem: Refused) -> None:
    await asyncio.sleep(REFUSAL_DELAY_SECONDS)
    raise problem


@contextlib.asynccontextmanager
async def turn(request: web.Request) -> AsyncIterator[None]:
    """A place in the PDF queue and a file of the client's allowance, both before the file is
    read: when every place is taken (503) or the allowance used (429), the answer comes
    without reading the file, and checkin holds no more files than the queue has places."""
    queue = request.app[PDF_QUEUE]
    if queue.full:
        await _refuse(busy())
    with queue.place():
        retry = await _over_allowance(request)
        if retry is None:
            yield
            return
    await _refuse(too_many(retry))


async def read_multipart(request: web.Request) -> bytes | None:
    """The file of a multipart form's ``certificate`` field, or None without one."""
    too_large = BODY_TOO_LARGE(limit=MAX_UPLOAD)
    if request.content_length is not None and request.content_length > MAX_UPLOAD + 65536:
        raise too_large
    try:
        async with body_deadline(request):
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    return None
                if not isinstance(part, BodyPartReader) or part.name != "certificate":
                    continue
                data = bytearray()
                while chunk := await part.read_chunk(65536):
                    data += chunk
                    if len(data) > MAX_UPLOAD:
                        raise too_large
                return bytes(data) or None
    except (*UNREADABLE_FORM, AssertionError, RuntimeError):  # KeyError is a LookupError
        raise INVALID_UPLOAD() from None
