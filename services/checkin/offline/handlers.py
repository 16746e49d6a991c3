"""HTTP handlers of the door app working offline: its page's pairing QR, the offline pack,
uploaded scans and their conflicts."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Annotated

import msgspec
from aiohttp import web

from services.checkin.attendees.events import find_event
from services.checkin.offline import db, door, syncing
from services.checkin.offline.pack import build_pack
from services.checkin.offline.syncing import BatchRequest
from services.checkin.staff.keyring import VERIFY_KEYS
from shared.auth import bearer_token
from shared.config import SETTINGS
from shared.db import DB_POOL
from shared.http import decode_json, json_response, read_body
from shared.qr import text_qr_png
from shared.refusals import FORBIDDEN, UNSUPPORTED_MEDIA_TYPE, VALIDATION_FAILED, FieldError
from shared.routes import staff_claims
from shared.slugs import PRINTABLE

DeviceId = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=PRINTABLE)]


async def redirect_to_page(request: web.Request) -> web.StreamResponse:
    raise web.HTTPMovedPermanently(door.PAGE)


async def get_pairing_qr(request: web.Request) -> web.Response:
    """The QR another phone scans to sign in with the same door token."""
    claims = staff_claims(request)
    if claims.role != "door":
        # An organizer token on a shared door phone could do far more than scan.
        raise FORBIDDEN()
    token = bearer_token(request)
    assert token is not None
    url = f"{request.app[SETTINGS].checkin_url}{door.PAGE}#token={token}"
    return web.Response(
        body=text_qr_png(url), content_type="image/png", headers={"Cache-Control": "no-store"}
    )


def _device_id(request: web.Request) -> str:
    raw = request.query.get("device_id")
    if raw is None:
        return ""
    try:
        return msgspec.convert(raw, DeviceId)
    except msgspec.ValidationError as e:
        raise VALIDATION_FAILED(errors=[FieldError("device_id", str(e))]) from None


def etag_matches(header: str | None, etag: str) -> bool:
    if header is None:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


async def get_offline_pack(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    claims = staff_claims(request)
    device_id = _device_id(request)
    since = request.query.get("since")
    app = request.app
    pack = await build_pack(app[DB_POOL], app[VERIFY_KEYS], claims, slug, device_id, since)
    etag = f'"{hashlib.blake2b(pack.content, digest_size=16).hexdigest()}"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if etag_matches(request.headers.get("If-None-Match"), etag):
        return web.Response(status=304, headers=headers)
    tail = msgspec.json.encode({"cursor": pack.cursor, "generated_at": datetime.now(UTC)})
    return web.Response(
        body=pack.content[:-1] + b"," + tail[1:], content_type="application/json", headers=headers
    )


async def upload_scans(request: web.Request) -> web.Response:
    claims = staff_claims(request)
    # Like shared.http.decode_body, with room for a thousand scans.
    if request.content_type != "application/json":
        raise UNSUPPORTED_MEDIA_TYPE(expected="application/json")
    body = decode_json(await read_body(request, syncing.MAX_BATCH_BYTES), BatchRequest)
    return json_response(await syncing.apply_upload(request.app, claims, body.scans))


async def get_conflicts(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    pool = request.app[DB_POOL]
    event = await find_event(pool, slug)
    conflicts = await db.select_conflicts(pool, event.id)
    return json_response({"event": slug, "conflicts": conflicts})
