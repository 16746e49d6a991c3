"""Checking a registration in by hand, from the back office: the registration's ticket
scanned by the same rules as at the door (scanning.py), on the main list or another, with
the reason the person gave."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from aiohttp import web

from services.checkin.attendees import db as attendees_db
from services.checkin.lists.db import MAIN_LIST
from services.checkin.scans import scanning
from services.checkin.scans.requests import ScanRequest
from services.checkin.scans.scanning import ManualNote
from services.checkin.scans.texts import NO_TICKET
from shared.auth import StaffAuth, StaffClaims
from shared.codes import TicketCode
from shared.db import DB_POOL
from shared.refusals import REGISTRATION_NOT_FOUND
from shared.slugs import PRINTABLE, SLUG_PATTERN

# The gate a check-in made by hand is recorded at (the dashboard and evidence show it).
MANUAL_GATE = "office"


class ManualRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=PRINTABLE)]
    list: Annotated[str, msgspec.Meta(pattern=SLUG_PATTERN)] = MAIN_LIST


async def event_of_registration(
    app: web.Application, claims: StaffClaims, registration_id: uuid.UUID
) -> attendees_db.RegistrationTicket:
    """The registration's event and ticket, for an organizer of that event."""
    found = await attendees_db.select_registration_ticket(app[DB_POOL], registration_id)
    if found is None:
        raise REGISTRATION_NOT_FOUND()
    StaffAuth.check(claims, ("organizer",), found.event_slug)
    return found


async def check_in_by_hand(
    app: web.Application, claims: StaffClaims, registration_id: uuid.UUID, body: ManualRequest
) -> dict[str, Any]:
    """The verdict, as a scanner would have been answered."""
    found = await event_of_registration(app, claims, registration_id)
    if found.ticket_id is None:
        raise NO_TICKET()
    scan = ScanRequest(code="", gate=MANUAL_GATE, scan_id=uuid.uuid4(), list=body.list)
    # No code was scanned: the ticket is the one the read model gives the registration.
    code = TicketCode(key_id=0, ticket_id=found.ticket_id, event_id=found.event_id)
    note = ManualNote(registration_id, found.event_slug, body.reason)
    payload = await scanning.record_manual_scan(app, scan, claims, code, note)
    verdict: dict[str, Any] = msgspec.json.decode(payload)
    return verdict
