"""A scan's facts, verdict and records, assembled the same way whether it is decided in a
batch without locks or alone under its ticket's row lock (scanning.py)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from services.checkin.attendees.db import EventRow
from services.checkin.lists.db import MAIN_LIST, Entitlement, Entries, ListRow
from services.checkin.scans import db, rules
from services.checkin.scans.requests import PendingScan, ScanRequest
from services.checkin.scans.texts import MESSAGES
from shared import events, outbox
from shared.auth import StaffClaims


class ListTerms(msgspec.Struct, frozen=True):
    """What a list says about who may enter, and when."""

    policy: rules.Policy
    ticket_types: list[str]
    sessions: list[str]
    valid_from: datetime | None
    valid_until: datetime | None
    limit: int | None
    enforce_limit: bool

    @classmethod
    def of(cls, listed: ListRow) -> ListTerms:
        return cls(
            listed.policy,
            listed.ticket_types,
            listed.sessions,
            listed.valid_from,
            listed.valid_until,
            listed.limit,
            listed.enforce_limit,
        )


def list_facts(
    ticket_status: str | None,
    terms: ListTerms,
    entitlement: Entitlement | None,
    entries: Entries,
    direction: rules.Direction,
    now: datetime,
    inside_count: int = 0,
) -> rules.ScanFacts:
    """The facts of a validly signed code scanned on a list of an event its token covers."""
    return rules.ScanFacts(
        code_valid=True,
        ticket_status=ticket_status,
        on_list=rules.on_list(
            terms.ticket_types,
            terms.sessions,
            entitlement.ticket_type if entitlement else None,
            entitlement.sessions if entitlement else None,
        ),
        first_entry=entries.first,
        policy=terms.policy,
        direction=direction,
        now=now,
        last_entry=entries.last,
        inside=entries.inside,
        valid_from=terms.valid_from,
        valid_until=terms.valid_until,
        inside_count=inside_count,
        limit=terms.limit,
        enforce_limit=terms.enforce_limit,
    )


def is_plain(context: db.ScanContext, claims: StaffClaims, body: ScanRequest) -> bool:
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


def plan_plain(pending: PendingScan, context: db.ScanContext) -> db.Planned | None:
    """Decide a plain scan from its context, without locks: what to write; None when it is
    not plain. The unique indexes on scan_id and on accepted entries arbitrate races when
    it is written."""
    body = msgspec.structs.replace(pending.body, list=context.list_slug)
    if not is_plain(context, pending.claims, body):
        return None
    code, scanned_at = pending.code, pending.scanned_at
    assert context.list_id is not None and context.policy is not None
    policy: rules.Policy = context.policy  # type: ignore[assignment]
    terms = ListTerms(
        policy,
        context.list_ticket_types or [],
        context.list_sessions or [],
        context.valid_from,
        context.valid_until,
        context.limit,
        bool(context.enforce_limit),
    )
    entitlement = Entitlement(context.ticket_type, context.confirmed_sessions or [])
    entries = Entries(
        context.entries,
        context.inside,
        rules.FirstEntry(*context.first) if context.first else None,
        rules.FirstEntry(*context.last) if context.last else None,
    )
    facts = list_facts(
        context.ticket_status, terms, entitlement, entries, body.direction, scanned_at
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
    event = EventRow(
        id=code.event_id,
        slug=context.event_slug,
        name=msgspec.json.decode(context.event_name, type=events.LocalizedText),
    )
    payload = msgspec.json.encode(response(body, verdict, scanned_at, ticket, event))
    entry_key = rules.entry_key(policy, scanned_at, context.entries)
    scan = scan_row(
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
    recorded = checkin_event(body, ticket, scanned_at) if is_checkin(verdict) else None
    prepared = outbox.prepare(recorded, ticket.id, context.seq) if recorded else None
    return db.Planned(context.seq, scan, prepared)


def response(
    body: ScanRequest,
    verdict: rules.Verdict,
    scanned_at: datetime,
    ticket: db.TicketRow | None = None,
    event: EventRow | None = None,
) -> dict[str, Any]:
    """The verdict as the scanner is answered (and as a retried scan_id is answered again)."""
    answer: dict[str, Any] = {
        "scan_id": body.scan_id,
        "result": verdict.result,
        "message": MESSAGES[verdict.result],
        "scanned_at": scanned_at,
        "gate": body.gate,
        "list": body.list,
        "direction": body.direction,
        "device_id": body.device_id,
        "ticket": None,
    }
    if ticket is not None:
        answer["ticket"] = {
            "id": ticket.id,
            "holder_name": ticket.holder_name,
            "status": ticket.status,
            "event": {"slug": event.slug, "name": event.name} if event else {"id": ticket.event_id},
        }
    if verdict.first_entry is not None:
        answer["first_checkin"] = {
            "at": verdict.first_entry.at,
            "gate": verdict.first_entry.gate,
            "device_id": verdict.first_entry.device_id,
        }
    return answer


def is_checkin(verdict: rules.Verdict) -> bool:
    return verdict.result in ("accepted", "exited")


def checkin_event(
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
        registration_id=ticket.registration_id,
    )


def scan_row(
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
