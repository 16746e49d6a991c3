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
import re
import uuid
from datetime import datetime

import asyncpg
import msgspec
from nacl.signing import VerifyKey

from services.checkin.lists import db as lists_db
from services.checkin.offline import db
from services.checkin.offline.texts import INVALID_CURSOR
from services.checkin.scans.rules import Policy
from services.checkin.staff import db as staff_db
from shared.auth import StaffClaims
from shared.refusals import EVENT_NOT_FOUND, Refused
from shared.slugs import is_slug

_SNAPSHOT = re.compile(r"(\d{1,19}):(\d{1,19}):((?:\d{1,19}(?:,\d{1,19})*)?)")


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
    event: db.PackEvent
    keys: list[PackKey]
    lists: list[PackList]
    tickets: list[db.PackTicket]
    revoked: list[uuid.UUID]
    checked_in: list[db.PackEntry]
    full: bool


def _unchanged() -> Refused:
    return INVALID_CURSOR(reason="give back the cursor of an earlier pack unchanged.")


def encode_cursor(event_id: uuid.UUID, snapshot: str) -> str:
    raw = f"{event_id.hex}.{snapshot}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(text: str) -> tuple[uuid.UUID, str, int]:
    """The event id, the snapshot and its xmax of a cursor, or the refusal invalid_cursor."""
    if len(text) > 4096:
        raise _unchanged()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
        event_hex, snapshot = raw.split(".", 1)
        event_id = uuid.UUID(hex=event_hex)
    except (ValueError, binascii.Error, UnicodeError):
        raise _unchanged() from None
    match = _SNAPSHOT.fullmatch(snapshot)
    if match is None:
        raise _unchanged()
    xmin, xmax = int(match[1]), int(match[2])
    running = [int(x) for x in match[3].split(",")] if match[3] else []
    # What PostgreSQL would refuse, refused here with a clear answer instead of a 500.
    if not 0 < xmin <= xmax < 2**63 or any(not xmin <= x < xmax for x in running):
        raise _unchanged()
    if running != sorted(set(running)):
        raise _unchanged()
    return event_id, snapshot, xmax


def _snapshot_xmax(snapshot: str) -> int:
    return int(snapshot.split(":", 2)[1])


def _keys(keys: dict[int, VerifyKey]) -> list[PackKey]:
    return [
        PackKey(
            id=key_id,
            algorithm="Ed25519",
            public_key=base64.urlsafe_b64encode(key.encode()).rstrip(b"=").decode(),
        )
        for key_id, key in sorted(keys.items())
    ]


class Pack(msgspec.Struct, frozen=True):
    """A pack's content (JSON, without the cursor) and its cursor."""

    content: bytes
    cursor: str


async def build_pack(
    pool: asyncpg.Pool,
    keys: dict[int, VerifyKey],
    claims: StaffClaims,
    slug: str,
    device_id: str,
    since_text: str | None,
) -> Pack:
    """The pack of an event, whole or (``since_text``) what changed since an earlier one."""
    since = decode_cursor(since_text) if since_text is not None else None
    # One snapshot for every part of the pack, and the cursor is that snapshot.
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        found = await db.select_pack_event(conn, slug) if is_slug(slug) else None
        if found is None:
            raise EVENT_NOT_FOUND(slug=slug)
        event, snapshot = found
        if since is not None and since[0] != event.id:
            raise INVALID_CURSOR(reason="it belongs to another event's pack.")
        if since is not None and since[2] > _snapshot_xmax(snapshot):
            raise INVALID_CURSOR(reason="it is not one this server gave out.")
        since_snapshot = since[1] if since is not None else None
        lists = await lists_db.select_lists(conn, event.id)
        tickets, revoked = await db.select_pack_tickets(conn, event.id, since_snapshot)
        entries = await db.select_pack_entries(conn, event.id, since_snapshot)
    await staff_db.upsert_devices_pack(pool, event.id, claims.jti, device_id)
    slugs = {listed.slug for listed in lists}
    content = msgspec.json.encode(
        PackContent(
            event=event,
            keys=_keys(keys),
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
    if since_text is not None and not (tickets or revoked or entries):
        # Nothing new: the same cursor again, so that the same answer has the same ETag.
        return Pack(content, since_text)
    return Pack(content, encode_cursor(event.id, snapshot))
