"""Recording a scan: what the door, the offline upload and anything else that scans call.

A validly signed scan goes to the batcher (batcher.py), which decides and records the plain
ones; anything unusual, or a race lost there, is decided again here with its ticket's row
locked. A scan_id already recorded gets its first verdict back, whatever else it carries.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
import msgspec
from aiohttp import web
from nacl.signing import VerifyKey

from services.checkin.attendees import db as attendees_db
from services.checkin.lists import db as lists_db
from services.checkin.lists.db import MAIN_LIST
from services.checkin.lists.texts import LIST_NOT_FOUND
from services.checkin.scans import db, rules
from services.checkin.scans.batcher import SCAN_BATCHER, SCANS_TOTAL
from services.checkin.scans.requests import PendingScan, ScanRequest
from services.checkin.scans.texts import GATE_NOT_COVERED, SCAN_IN_PROGRESS
from services.checkin.scans.verdicts import (
    ListTerms,
    checkin_event,
    is_checkin,
    list_facts,
    response,
    scan_row,
)
from services.checkin.staff.keyring import VERIFY_KEYS
from shared import audit, outbox
from shared.auth import ALL_EVENTS, StaffClaims
from shared.codes import InvalidCode, TicketCode, verify_code
from shared.db import DB_POOL


def check_gate(claims: StaffClaims, gate: str) -> None:
    if claims.gate is not None and gate != claims.gate:
        raise GATE_NOT_COVERED(gate=claims.gate)


async def record_scan(
    app: web.Application, body: ScanRequest, claims: StaffClaims, scanned_at: datetime
) -> bytes:
    """Decide and record one scan made at ``scanned_at``; the verdict as JSON bytes."""
    check_gate(claims, body.gate)
    try:
        # Signature first: a forged or garbled code never reaches the database.
        keys: dict[int, VerifyKey] = app[VERIFY_KEYS]
        code: TicketCode | None = verify_code(body.code.strip(), keys)
    except InvalidCode:
        code = None
    if code is None:
        return await _record_invalid(app, body, claims, scanned_at)
    key = db.ScanKey(body.scan_id, code.ticket_id, code.event_id, body.list, body.gate)
    outcome = await app[SCAN_BATCHER].submit(PendingScan(body, key, claims, code, scanned_at))
    if outcome.payload is not None:
        return outcome.payload
    body = msgspec.structs.replace(body, list=outcome.list_slug)
    # Anything unusual, or a race lost just now: decided again with the ticket's row locked.
    try:
        return await _record_valid(app, body, claims, code, scanned_at)
    except _Replay:
        return await _original(app, body.scan_id)


async def _record_invalid(
    app: web.Application, body: ScanRequest, claims: StaffClaims, scanned_at: datetime
) -> bytes:
    pool = app[DB_POOL]
    # No event can be read from a forged code, so no gate mapping either.
    body = msgspec.structs.replace(body, list=body.list or MAIN_LIST)
    verdict = rules.decide(rules.ScanFacts(code_valid=False))
    payload = msgspec.json.encode(response(body, verdict, scanned_at))
    event_id = await _door_event(pool, body, claims)
    inserted = await db.insert_scan(
        pool, scan_row(body, claims, scanned_at, verdict, payload, event_id=event_id)
    )
    if inserted is None:
        return await _original(app, body.scan_id)
    app[SCANS_TOTAL].labels(verdict.result).inc()
    return payload


async def _door_event(
    pool: asyncpg.Pool, body: ScanRequest, claims: StaffClaims
) -> uuid.UUID | None:
    """The event a code that names none was shown for: the one the scanner says it is
    scanning for, or the only one its token covers; so that a forged or garbled code
    appears, refused, on that event's dashboard (its feed, its gate's refusals)."""
    slug = body.event
    if slug is None and len(claims.events) == 1 and claims.events[0] != ALL_EVENTS:
        slug = claims.events[0]
    if slug is None or not claims.covers(slug):
        return None
    event = await attendees_db.select_event_by_slug(pool, slug)
    return event.id if event else None


async def _original(app: web.Application, scan_id: uuid.UUID) -> bytes:
    original = await db.select_scan_response(app[DB_POOL], scan_id)
    if original is None:  # pragma: no cover - the conflicting row is committed by now
        raise SCAN_IN_PROGRESS()
    return original


@dataclass(frozen=True, slots=True)
class ManualNote:
    """Why a person checked a registration in by hand, in the back office."""

    registration_id: uuid.UUID
    event_slug: str
    reason: str


async def record_manual_scan(
    app: web.Application,
    body: ScanRequest,
    claims: StaffClaims,
    code: TicketCode,
    note: ManualNote,
) -> bytes:
    """A check-in made by hand for a ticket the read model knows (no code was scanned): the
    same verdict rules under the ticket's lock, with its reason kept and audited."""
    return await _record_valid(app, body, claims, code, datetime.now(UTC), note)


async def _record_valid(
    app: web.Application,
    body: ScanRequest,
    claims: StaffClaims,
    code: TicketCode,
    scanned_at: datetime,
    note: ManualNote | None = None,
) -> bytes:
    """Decide under the ticket's row lock; ``body.list`` is resolved (see record_scan)."""
    assert body.list is not None
    pool = app[DB_POOL]
    async with pool.acquire() as conn, conn.transaction():
        original = await db.select_scan_response(conn, body.scan_id)
        if original is not None:
            return original
        await db.insert_ticket_placeholder(conn, code.ticket_id, code.event_id)
        # The lock serialises every scan of this ticket: exactly one can be first.
        ticket = await db.select_ticket_for_update(conn, code.ticket_id)
        event = await attendees_db.select_event(conn, code.event_id)
        covered = (event is not None and claims.covers(event.slug)) or "*" in claims.events
        if body.event is not None:
            covered = covered and event is not None and event.slug == body.event
        listed: lists_db.ListRow | None = None
        if covered:
            if body.list == MAIN_LIST:
                await lists_db.insert_list_if_missing(
                    conn, code.event_id, MAIN_LIST, "Main entrance"
                )
            listed = await lists_db.select_list(conn, code.event_id, body.list)
            if listed is None:
                # A device set up for a list that does not exist: its setup is wrong, not
                # the ticket, so no verdict and nothing recorded.
                raise LIST_NOT_FOUND(list=body.list)
        list_id = listed.id if listed else None
        entry_key = ""
        if listed is None:
            facts = rules.ScanFacts(
                code_valid=True, ticket_status=ticket.status, event_covered=False
            )
        else:
            facts, entries = await _list_facts(conn, body, ticket, listed, scanned_at)
            entry_key = rules.entry_key(facts.policy, scanned_at, entries)
        verdict = rules.decide(facts)
        payload = msgspec.json.encode(response(body, verdict, scanned_at, ticket, event))
        inserted = await db.insert_scan(
            conn,
            scan_row(
                body,
                claims,
                scanned_at,
                verdict,
                payload,
                ticket_id=ticket.id,
                event_id=code.event_id,
                list_id=list_id,
                entry_key=entry_key if verdict.accepted else "",
            ),
        )
        if inserted is None:
            # The same scan_id raced in with another code; the first one recorded stands.
            raise _Replay()
        if note is not None:
            await _note_manual(conn, claims, body, verdict, note)
        if is_checkin(verdict):
            await outbox.enqueue(
                conn,
                checkin_event(body, ticket, scanned_at),
                ticket.id,
                inserted,  # scan sequence: increasing for every ticket
            )
    app[SCANS_TOTAL].labels(verdict.result).inc()
    return payload


async def _list_facts(
    conn: asyncpg.Connection,
    body: ScanRequest,
    ticket: db.TicketRow,
    listed: lists_db.ListRow,
    scanned_at: datetime,
) -> tuple[rules.ScanFacts, int]:
    """The facts of a scan on a list, and how many entries the ticket made there."""
    entitlement = (
        await lists_db.select_entitlement(conn, ticket.registration_id)
        if ticket.registration_id is not None
        else None
    )
    entries = await lists_db.select_entries(conn, listed.id, ticket.id)
    inside_count = 0
    limited = listed.enforce_limit and listed.limit is not None
    if limited and body.direction == "in":
        # Different tickets race for the last places: the list's row lock serialises
        # entries into a room with an enforced limit (taken after the ticket's lock,
        # always in this order).
        await lists_db.lock_list(conn, listed.id)
        inside_count = await lists_db.select_inside_count(conn, listed.id)
    terms = ListTerms.of(listed)
    facts = list_facts(
        ticket.status, terms, entitlement, entries, body.direction, scanned_at, inside_count
    )
    return facts, entries.count


async def _note_manual(
    conn: asyncpg.Connection,
    claims: StaffClaims,
    body: ScanRequest,
    verdict: rules.Verdict,
    note: ManualNote,
) -> None:
    await db.insert_manual_scan(
        conn, body.scan_id, note.registration_id, note.reason, claims.sub, claims.name or claims.sub
    )
    await audit.record(
        conn,
        "checkin",
        claims,
        "checkin.manual",
        event_slug=note.event_slug,
        registration_id=note.registration_id,
        after={
            "scan_id": body.scan_id,
            "list": body.list,
            "result": verdict.result,
            "reason": note.reason,
        },  # fmt: skip
    )


class _Replay(Exception):
    pass


async def attendance(pool: asyncpg.Pool, event_id: uuid.UUID) -> dict[str, object]:
    """An event's attendance figures, no-shows included."""
    counted = await db.select_attendance(pool, event_id)
    return {**msgspec.to_builtins(counted), "no_shows": counted.tickets - counted.checked_in}
