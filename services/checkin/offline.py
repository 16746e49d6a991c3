"""The offline pack: what a door device needs to decide scans without the network.

The cursor is the snapshot the pack was read under (see migration 0003): a delta since it
holds every ticket, revocation and entry written by a transaction that snapshot did not
see, so nothing committed late is ever skipped. The ETag hashes the content without the
cursor and the time: an unchanged pack is answered 304, and the cursor the device kept is
still a correct one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import uuid
from datetime import UTC, datetime
from typing import Annotated

import msgspec
from aiohttp import web

from services.checkin import lists_db, offline_db, tokens_db
from services.checkin.keys import VERIFY_KEYS
from services.checkin.rules import Policy
from shared.http import ProblemError
from shared.keys import DB_POOL
from shared.refusals import FieldError
from shared.routes import staff_claims
from shared.slugs import PRINTABLE, is_slug

_SNAPSHOT = re.compile(r"(\d{1,19}):(\d{1,19}):((?:\d{1,19}(?:,\d{1,19})*)?)")
DeviceId = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=PRINTABLE)]


class PackKey(msgspec.Struct, frozen=True):
    id: int
    algorithm: str
    public_key: str


class PackList(msgspec.Struct, frozen=True):
    slug: str
    name: str
    policy: Policy
    sessions: list[str]
    ticket_types: list[str]
    valid_from: datetime | None
    valid_until: datetime | None
    limit: int | None
    enforce_limit: bool


class PackContent(msgspec.Struct, frozen=True):
    event: offline_db.PackEvent
    keys: list[PackKey]
    lists: list[PackList]
    tickets: list[offline_db.PackTicket]
    revoked: list[uuid.UUID]
    checked_in: list[offline_db.PackEntry]
    full: bool


def _bad_cursor(detail: str) -> ProblemError:
    return ProblemError(400, "invalid_cursor", f"The since cursor is not usable: {detail}")


def encode_cursor(event_id: uuid.UUID, snapshot: str) -> str:
    raw = f"{event_id.hex}.{snapshot}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(text: str) -> tuple[uuid.UUID, str, int]:
    """The event id, the snapshot and its xmax of a cursor, or a 400 problem."""
    if len(text) > 4096:
        raise _bad_cursor("give back the cursor of an earlier pack unchanged.")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
        event_hex, snapshot = raw.split(".", 1)
        event_id = uuid.UUID(hex=event_hex)
    except (ValueError, binascii.Error, UnicodeError):
        raise _bad_cursor("give back the cursor of an earlier pack unchanged.") from None
    match = _SNAPSHOT.fullmatch(snapshot)
    if match is None:
        raise _bad_cursor("give back the cursor of an earlier pack unchanged.")
    xmin, xmax = int(match[1]), int(match[2])
    running = [int(x) for x in match[3].split(",")] if match[3] else []
    # What PostgreSQL would refuse, refused here with a clear answer instead of a 500.
    if not 0 < xmin <= xmax < 2**63 or any(not xmin <= x < xmax for x in running):
        raise _bad_cursor("give back the cursor of an earlier pack unchanged.")
    if running != sorted(set(running)):
        raise _bad_cursor("give back the cursor of an earlier pack unchanged.")
    return event_id, snapshot, xmax


def _snapshot_xmax(snapshot: str) -> int:
    return int(snapshot.split(":", 2)[1])


def _keys(request: web.Request) -> list[PackKey]:
    return [
        PackKey(
            id=key_id,
            algorithm="Ed25519",
            public_key=base64.urlsafe_b64encode(key.encode()).rstrip(b"=").decode(),
        )
        for key_id, key in sorted(request.app[VERIFY_KEYS].items())
    ]


def _device_id(request: web.Request) -> str:
    raw = request.query.get("device_id")
    if raw is None:
        return ""
    try:
        return msgspec.convert(raw, DeviceId)
    except msgspec.ValidationError as e:
        raise ProblemError(
            400,
            "validation_failed",
            "The request has invalid fields.",
            errors=[FieldError("device_id", str(e))],
        ) from None


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
    since_text = request.query.get("since")
    since = decode_cursor(since_text) if since_text is not None else None
    pool = request.app[DB_POOL]
    # One snapshot for every part of the pack, and the cursor is that snapshot.
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        found = await offline_db.select_pack_event(conn, slug) if is_slug(slug) else None
        if found is None:
            raise ProblemError(404, "event_not_found", f"There is no event {slug!r}.")
        event, snapshot = found
        if since is not None and since[0] != event.id:
            raise _bad_cursor("it belongs to another event's pack.")
        if since is not None and since[2] > _snapshot_xmax(snapshot):
            raise _bad_cursor("it is not one this server gave out.")
        since_snapshot = since[1] if since is not None else None
        lists = await lists_db.select_lists(conn, event.id)
        tickets, revoked = await offline_db.select_pack_tickets(conn, event.id, since_snapshot)
        entries = await offline_db.select_pack_entries(conn, event.id, since_snapshot)
    await tokens_db.upsert_devices_pack(pool, event.id, claims.jti, device_id)
    slugs = {listed.slug for listed in lists}
    content = msgspec.json.encode(
        PackContent(
            event=event,
            keys=_keys(request),
            lists=[
                PackList(
                    slug=listed.slug,
                    name=listed.name,
                    policy=listed.policy,
                    sessions=listed.sessions,
                    ticket_types=listed.ticket_types,
                    valid_from=listed.valid_from,
                    valid_until=listed.valid_until,
                    limit=listed.limit,
                    enforce_limit=listed.enforce_limit,
                )
                for listed in lists
            ],
            tickets=tickets,
            revoked=revoked,
            checked_in=[entry for entry in entries if entry.list in slugs],
            full=since is None,
        )
    )
    etag = f'"{hashlib.blake2b(content, digest_size=16).hexdigest()}"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if etag_matches(request.headers.get("If-None-Match"), etag):
        return web.Response(status=304, headers=headers)
    if since_text is not None and not (tickets or revoked or entries):
        # Nothing new: the same cursor again, so that the same answer has the same ETag.
        cursor = since_text
    else:
        cursor = encode_cursor(event.id, snapshot)
    tail = msgspec.json.encode({"cursor": cursor, "generated_at": datetime.now(UTC)})
    return web.Response(
        body=content[:-1] + b"," + tail[1:], content_type="application/json", headers=headers
    )
