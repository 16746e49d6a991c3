"""HTTP handlers of the checkin service: scans and attendance."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import asyncpg
import msgspec
from aiohttp import web
from nacl.signing import VerifyKey

from services.checkin import db, lists_db, rules
from services.checkin.batcher import WORKERS, Pending, ScanBatcher
from services.checkin.consumers import MAIN_LIST
from services.checkin.keys import SCAN_BATCHER, SCANS_TOTAL, VERIFY_KEYS
from shared import events, outbox
from shared.auth import ALL_EVENTS, StaffClaims
from shared.codes import InvalidCode, TicketCode, verify_code
from shared.db import batch_pool
from shared.http import ProblemError, decode_body, json_response
from shared.keys import DB_POOL, SETTINGS
from shared.routes import staff_claims
from shared.slugs import PRINTABLE, SLUG_PATTERN, is_slug
from shared.tasks import stop_task, supervise

Label = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=PRINTABLE)]


class ScanRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(max_length=1024)]
    gate: Label
    scan_id: uuid.UUID
    # None: the list the gate is mapped to, else the main list.
    list: Annotated[str, msgspec.Meta(pattern=SLUG_PATTERN)] | None = None
    event: Annotated[str, msgspec.Meta(max_length=63)] | None = None
    device_id: Label | None = None
    direction: Literal["in", "out"] = "in"


def _response(
    body: ScanRequest,
    verdict: rules.Verdict,
    scanned_at: datetime,
    ticket: db.TicketRow | None = None,
    event: db.EventRow | None = None,
) -> dict[str, Any]:
    response: dict[str, Any] = {
        "scan_id": body.scan_id,
        "result": verdict.result,
        "message": rules.MESSAGES[verdict.result],
        "scanned_at": scanned_at,
        "gate": body.gate,
        "list": body.list,
        "direction": body.direction,
        "device_id": body.device_id,
        "ticket": None,
    }
    if ticket is not None:
        response["ticket"] = {
            "id": ticket.id,
            "holder_name": ticket.holder_name,
            "status": ticket.status,
            "event": {"slug": event.slug, "name": event.name} if event else {"id": ticket.event_id},
        }
    if verdict.first_entry is not None:
        response["first_checkin"] = {
            "at": verdict.first_entry.at,
            "gate": verdict.first_entry.gate,
            "device_id": verdict.first_entry.device_id,
        }
    return response


async def redeem_scan(request: web.Request) -> web.Response:
    claims = staff_claims(request)
    body = await decode_body(request, ScanRequest)
    payload = await record_scan(request.app, body, claims, datetime.now(UTC))
    return web.Response(body=payload, content_type="application/json")


def check_gate(claims: StaffClaims, gate: str) -> None:
    if claims.gate is not None and gate != claims.gate:
        raise ProblemError(
            403, "gate_not_covered", f"This door token is for gate {claims.gate!r} only."
        )


async def record_scan(
    app: web.Application, body: ScanRequest, claims: StaffClaims, scanned_at: datetime
) -> bytes:
    """Decide and record one scan made at ``scanned_at``; the verdict as JSON bytes.

    A scan_id already recorded gets its first verdict back, whatever else it carries now.
    """
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
    outcome = await app[SCAN_BATCHER].submit(body, key, claims, code, scanned_at)
    if outcome.payload is not None:
        return outcome.payload
    body = msgspec.structs.replace(body, list=outcome.list_slug)
    # Anything unusual, or a race lost just now: decided again with the ticket's row locked.
    try:
        return await _record_valid(app, body, claims, code, scanned_at)
    except _Replay:
        return await _original(app, body.scan_id)


def _plain(context: db.ScanContext, claims: StaffClaims, body: ScanRequest) -> bool:
    """Whether the scan needs no lock: a known ticket of a known event, scanned on an
    existing list by a token covering it, and no occupancy limit to enforce."""
    return (
        context.known is True
        and context.event_slug is not None
        and context.list_id is not None
        and (claims.covers(context.event_slug))
        and (body.event is None or body.event == context.event_slug)
        and not (context.enforce_limit and context.limit is not None and body.direction == "in")
    )


def plan_plain(pending: Pending, context: db.ScanContext) -> tuple[bytes, db.Planned, str] | None:
    """Decide a plain scan from its context, without locks: its verdict, what to write and
    the result; None when it is not plain. The unique indexes on scan_id and on accepted
    entries arbitrate races when it is written."""
    body: ScanRequest = msgspec.structs.replace(pending.body, list=context.list_slug)
    if not _plain(context, pending.claims, body):
        return None
    code, scanned_at = pending.code, pending.scanned_at
    assert context.list_id is not None and context.policy is not None
    first = rules.FirstEntry(*context.first) if context.first else None
    last = rules.FirstEntry(*context.last) if context.last else None
    policy: rules.Policy = context.policy  # type: ignore[assignment]
    facts = rules.ScanFacts(
        code_valid=True,
        ticket_status=context.ticket_status,
        on_list=rules.on_list(
            context.list_ticket_types or [],
            context.list_sessions or [],
            context.ticket_type,
            context.confirmed_sessions,
        ),
        first_entry=first,
        policy=policy,
        direction=body.direction,
        now=scanned_at,
        last_entry=last,
        inside=context.inside,
        valid_from=context.valid_from,
        valid_until=context.valid_until,
        limit=context.limit,
        enforce_limit=bool(context.enforce_limit),
    )
    verdict = rules.decide(facts)
    ticket = db.TicketRow(
        id=code.ticket_id,
        event_id=code.event_id,
        registration_id=context.registration_id,
        holder_name=context.holder_name,
        status=context.ticket_status or "valid",
        known=True,
    )
    assert context.event_slug is not None and context.event_name is not None
    event = db.EventRow(
        id=code.event_id,
        slug=context.event_slug,
        name=msgspec.json.decode(context.event_name, type=events.LocalizedText),
    )
    payload = msgspec.json.encode(_response(body, verdict, scanned_at, ticket, event))
    entry_key = rules.entry_key(policy, scanned_at, context.entries)
    scan = _scan(
        body,
        pending.claims,
        scanned_at,
        verdict,
        payload,
        ticket_id=code.ticket_id,
        event_id=code.event_id,
        list_id=context.list_id,
        entry_key=entry_key if verdict.accepted else "",
    )
    recorded = _checkin_event(body, ticket, scanned_at) if _is_checkin(verdict) else None
    prepared = outbox.prepare(recorded, ticket.id, context.seq) if recorded else None
    return payload, db.Planned(context.seq, scan, prepared), verdict.result


async def batcher_context(app: web.Application) -> AsyncIterator[None]:
    """The scan batcher (see batcher.py), run for the app's life."""
    scans = app[SCANS_TOTAL]
    async with batch_pool(app[SETTINGS], "scans", WORKERS, db.warm_batch_statements) as pool:
        batcher = ScanBatcher(pool, plan_plain, lambda result: scans.labels(result).inc())
        app[SCAN_BATCHER] = batcher
        tasks = [
            asyncio.create_task(supervise(batcher.run, "scan-batcher")) for _ in range(WORKERS)
        ]
        yield
        for task in tasks:
            await stop_task(task)
        batcher.fail_waiting(RuntimeError("checkin is shutting down"))


def _is_checkin(verdict: rules.Verdict) -> bool:
    return verdict.result in ("accepted", "exited")


def _checkin_event(
    body: ScanRequest, ticket: db.TicketRow, scanned_at: datetime
) -> events.CheckinRecorded:
    return events.CheckinRecorded(
        scan_id=body.scan_id,
        ticket_id=ticket.id,
        event_id=ticket.event_id,
        list=body.list or MAIN_LIST,
        gate=body.gate,
        device_id=body.device_id,
        direction=body.direction,
        scanned_at=scanned_at,
        holder_name=ticket.holder_name,
    )


def _scan(
    body: ScanRequest,
    claims: StaffClaims,
    scanned_at: datetime,
    verdict: rules.Verdict,
    payload: bytes,
    entry_key: str = "",
    **refs: uuid.UUID | None,
) -> db.Scan:
    return db.Scan(
        scan_id=body.scan_id,
        result=verdict.result,
        gate=body.gate,
        device_id=body.device_id,
        token_id=claims.jti,
        scanned_at=scanned_at,
        response=payload,
        direction=body.direction,
        entry_key=entry_key,
        **refs,
    )


async def _record_invalid(
    app: web.Application, body: ScanRequest, claims: StaffClaims, scanned_at: datetime
) -> bytes:
    pool = app[DB_POOL]
    # No event can be read from a forged code, so no gate mapping either.
    body = msgspec.structs.replace(body, list=body.list or MAIN_LIST)
    verdict = rules.decide(rules.ScanFacts(code_valid=False))
    payload = msgspec.json.encode(_response(body, verdict, scanned_at))
    scan = _scan(
        body, claims, scanned_at, verdict, payload, event_id=await _door_event(app, body, claims)
    )
    inserted = await db.insert_scan(pool, scan)
    if inserted is None:
        return await _original(app, body.scan_id)
    app[SCANS_TOTAL].labels(verdict.result).inc()
    return payload


async def _door_event(
    app: web.Application, body: ScanRequest, claims: StaffClaims
) -> uuid.UUID | None:
    """The event a code that names none was shown for: the one the scanner says it is
    scanning for, or the only one its token covers; so that a forged or garbled code
    appears, refused, on that event's dashboard (its feed, its gate's refusals)."""
    slug = body.event
    if slug is None and len(claims.events) == 1 and claims.events[0] != ALL_EVENTS:
        slug = claims.events[0]
    if slug is None or not claims.covers(slug):
        return None
    event = await db.select_event_by_slug(app[DB_POOL], slug)
    return event.id if event else None


async def _original(app: web.Application, scan_id: uuid.UUID) -> bytes:
    original = await db.select_scan_response(app[DB_POOL], scan_id)
    if original is None:  # pragma: no cover - the conflicting row is committed by now
        raise ProblemError(409, "scan_in_progress", "This scan_id is being recorded; retry.")
    return original


async def _record_valid(
    app: web.Application,
    body: ScanRequest,
    claims: StaffClaims,
    code: TicketCode,
    scanned_at: datetime,
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
        event = await db.select_event(conn, code.event_id)
        covered = (event is not None and claims.covers(event.slug)) or "*" in claims.events
        if body.event is not None:
            covered = covered and event is not None and event.slug == body.event
        listed: lists_db.ListRow | None = None
        if covered:
            if body.list == MAIN_LIST:
                await db.insert_list_if_missing(conn, code.event_id, MAIN_LIST, "Main entrance")
            listed = await lists_db.select_list(conn, code.event_id, body.list)
            if listed is None:
                # A device set up for a list that does not exist: its setup is wrong, not
                # the ticket, so no verdict and nothing recorded.
                raise ProblemError(
                    404, "list_not_found", f"This event has no check-in list {body.list!r}."
                )
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
        payload = msgspec.json.encode(_response(body, verdict, scanned_at, ticket, event))
        inserted = await db.insert_scan(
            conn,
            _scan(
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
        if _is_checkin(verdict):
            await outbox.enqueue(
                conn,
                _checkin_event(body, ticket, scanned_at),
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
    facts = rules.ScanFacts(
        code_valid=True,
        ticket_status=ticket.status,
        on_list=rules.on_list(
            listed.ticket_types,
            listed.sessions,
            entitlement.ticket_type if entitlement else None,
            entitlement.sessions if entitlement else None,
        ),
        first_entry=entries.first,
        policy=listed.policy,
        direction=body.direction,
        now=scanned_at,
        last_entry=entries.last,
        inside=entries.inside,
        valid_from=listed.valid_from,
        valid_until=listed.valid_until,
        inside_count=inside_count,
        limit=listed.limit,
        enforce_limit=listed.enforce_limit,
    )
    return facts, entries.count


class _Replay(Exception):
    pass


async def get_attendance(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    pool = request.app[DB_POOL]
    event = await db.select_event_by_slug(pool, slug) if is_slug(slug) else None
    if event is None:
        raise ProblemError(404, "event_not_found", f"There is no event {slug!r}.")
    attendance = await db.select_attendance(pool, event.id)
    body = msgspec.to_builtins(attendance)
    return json_response(
        {"event": slug, **body, "no_shows": attendance.tickets - attendance.checked_in}
    )
