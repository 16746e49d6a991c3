"""Offline scans uploaded in batches, applied in scan-time order; their conflicts.

Each scan goes through scanning.record_scan with its own scan time, so a retried upload
replays the first verdicts. The first scan of an entry wins: an uploaded scan earlier than
an entry recorded from an earlier upload takes that entry over (one transaction, the
ticket's row locked), and the later scan becomes the conflict.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

import msgspec
from aiohttp import web
from nacl.signing import VerifyKey

from services.checkin.lists import db as lists_db
from services.checkin.lists.db import MAIN_LIST
from services.checkin.offline import db
from services.checkin.scans import rules, scanning
from services.checkin.scans.requests import Label, ScanRequest
from services.checkin.scans.texts import MESSAGES
from services.checkin.staff import db as staff_db
from services.checkin.staff.keyring import VERIFY_KEYS
from shared.auth import StaffClaims
from shared.codes import InvalidCode, verify_code
from shared.db import DB_POOL
from shared.refusals import VALIDATION_FAILED, FieldError
from shared.slugs import SLUG_PATTERN

MAX_SCANS = 1000
MAX_BATCH_BYTES = 1024 * 1024
CLOCK_SKEW = timedelta(minutes=5)  # how far ahead of ours a device's clock may run


class UploadedScan(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    scan_id: uuid.UUID
    code: Annotated[str, msgspec.Meta(max_length=1024)]
    gate: Label
    scanned_at: Annotated[datetime, msgspec.Meta(tz=True)]
    list: Annotated[str, msgspec.Meta(pattern=SLUG_PATTERN)] = MAIN_LIST
    direction: Literal["in", "out"] = "in"
    device_id: Label | None = None
    event: Annotated[str, msgspec.Meta(max_length=63)] | None = None
    local_result: rules.Result | None = None

    def request(self) -> ScanRequest:
        return ScanRequest(
            code=self.code,
            gate=self.gate,
            scan_id=self.scan_id,
            list=self.list,
            event=self.event,
            device_id=self.device_id,
            direction=self.direction,
        )


class BatchRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    scans: Annotated[list[UploadedScan], msgspec.Meta(min_length=1, max_length=MAX_SCANS)]


async def _validate(
    app: web.Application, claims: StaffClaims, scans: list[UploadedScan]
) -> tuple[dict[int, uuid.UUID], dict[uuid.UUID, str]]:
    """Refuse the whole batch for any bad scan. The event of each validly signed code (by
    the scan's index), and the slugs of those events."""
    errors: list[FieldError] = []
    latest = datetime.now(UTC) + CLOCK_SKEW
    seen: set[uuid.UUID] = set()
    events: dict[int, uuid.UUID] = {}
    keys: dict[int, VerifyKey] = app[VERIFY_KEYS]
    for i, scan in enumerate(scans):
        scanning.check_gate(claims, scan.gate)
        if scan.scanned_at > latest:
            errors.append(FieldError(f"scans[{i}].scanned_at", "Lies in the future."))
        if scan.scan_id in seen:
            errors.append(FieldError(f"scans[{i}].scan_id", "Appears twice in this batch."))
        seen.add(scan.scan_id)
        try:
            events[i] = verify_code(scan.code.strip(), keys).event_id
        except InvalidCode:
            pass  # recorded as an invalid scan, like online
    pool = app[DB_POOL]
    slugs = await db.select_event_slugs(pool, sorted(set(events.values())))
    # record_scan answers 404 for a list the event lacks; here that is a bad item, found
    # before anything is recorded.
    known_lists: dict[tuple[uuid.UUID, str], bool] = {}
    for i, event_id in events.items():
        scan = scans[i]
        slug = slugs.get(event_id)
        covered = (slug is not None and claims.covers(slug)) or "*" in claims.events
        if scan.event is not None:
            covered = covered and scan.event == slug
        if not covered or scan.list == MAIN_LIST:
            continue
        key = (event_id, scan.list)
        if key not in known_lists:
            known_lists[key] = await lists_db.select_list(pool, event_id, scan.list) is not None
        if not known_lists[key]:
            errors.append(
                FieldError(f"scans[{i}].list", f"The event has no check-in list {scan.list!r}.")
            )
    if errors:
        raise VALIDATION_FAILED(errors=errors)
    return events, slugs


def _rewrite(
    response: str,
    result: rules.Result,
    first: db.Recorded | None = None,
    replaced: db.Recorded | None = None,
) -> bytes:
    verdict = msgspec.json.decode(response)
    verdict["result"] = result
    verdict["message"] = MESSAGES[result]
    verdict.pop("first_checkin", None)
    verdict.pop("replaced_entry", None)
    if first is not None:
        verdict["first_checkin"] = {
            "at": first.scanned_at,
            "gate": first.gate,
            "device_id": first.device_id,
        }
    if replaced is not None:
        verdict["replaced_entry"] = {
            "scan_id": replaced.scan_id,
            "at": replaced.scanned_at,
            "gate": replaced.gate,
            "device_id": replaced.device_id,
        }
    return msgspec.json.encode(verdict)


async def _supersede(app: web.Application, scan_id: uuid.UUID) -> bytes | None:
    """Make a refused uploaded scan the entry, if it is earlier than the accepted entry of
    an earlier upload under the same entry key; its new verdict, or None."""
    async with app[DB_POOL].acquire() as conn, conn.transaction():
        scan = await db.select_recorded(conn, scan_id)
        if scan is None or scan.policy not in ("single", "daily"):
            return None
        # The same lock as record_scan's: no scan of this ticket is decided meanwhile.
        await db.lock_ticket(conn, scan.ticket_id)
        scan = await db.select_recorded(conn, scan_id)
        if scan is None or scan.result != "already_checked_in" or scan.direction != "in":
            return None
        key = rules.entry_key(scan.policy, scan.scanned_at, 0)  # type: ignore[arg-type]
        found = await db.select_entry(conn, scan.list_id, scan.ticket_id, key)
        if (
            found is None
            or not found.uploaded
            or found.exited_since  # who is inside goes by recording order: leave it be
            or found.entry.scanned_at <= scan.scanned_at
        ):
            return None
        entry = found.entry
        accepted = _rewrite(scan.response, "accepted", replaced=entry)
        # The entry's key is freed first: the unique index on accepted entries holds.
        await db.update_scan_verdict(
            conn,
            entry.seq,
            "already_checked_in",
            "",
            _rewrite(entry.response, "already_checked_in", first=scan),
        )
        await db.update_scan_verdict(conn, scan.seq, "accepted", key, accepted)
        await db.update_conflicts_moved(conn, scan.scan_id, entry.scan_id)
        if found.local_result in (None, "accepted"):
            await db.upsert_conflict_with(conn, entry.scan_id, scan.scan_id)
    return accepted


async def _record_conflict(app: web.Application, scan_id: uuid.UUID, first_at: datetime) -> None:
    """Link a lost uploaded scan to the entry it lost to. Under the ticket's lock, like
    _supersede: an upload running at the same time may have taken ``first_at``'s entry
    over since this scan was decided, and then the entry standing now is the other one."""
    async with app[DB_POOL].acquire() as conn, conn.transaction():
        scan = await db.select_recorded(conn, scan_id)
        if scan is None:
            return
        await db.lock_ticket(conn, scan.ticket_id)
        key = (
            rules.entry_key(scan.policy, scan.scanned_at, 0)  # type: ignore[arg-type]
            if scan.policy in ("single", "daily")
            else None
        )
        await db.insert_conflict(conn, scan_id, first_at, key)


async def _apply(app: web.Application, claims: StaffClaims, scan: UploadedScan) -> dict[str, Any]:
    payload = await scanning.record_scan(app, scan.request(), claims, scan.scanned_at)
    verdict: dict[str, Any] = msgspec.json.decode(payload)
    first = verdict.get("first_checkin")
    conflict = False
    if verdict["result"] == "already_checked_in" and isinstance(first, dict):
        first_at = datetime.fromisoformat(first["at"])
        superseded = await _supersede(app, scan.scan_id) if first_at > scan.scanned_at else None
        if superseded is not None:
            verdict = msgspec.json.decode(superseded)
        elif scan.local_result in (None, "accepted"):
            await _record_conflict(app, scan.scan_id, first_at)
            conflict = True
    verdict["conflict"] = conflict
    return verdict


async def apply_upload(
    app: web.Application, claims: StaffClaims, scans: list[UploadedScan]
) -> dict[str, Any]:
    """Record a device's uploaded scans in scan-time order, or none if any is bad."""
    events, slugs = await _validate(app, claims, scans)
    pool = app[DB_POOL]
    await db.insert_uploaded_scans(pool, [(s.scan_id, s.local_result) for s in scans])
    results: list[dict[str, Any]] = [{}] * len(scans)
    for i in sorted(range(len(scans)), key=lambda i: (scans[i].scanned_at, i)):
        results[i] = await _apply(app, claims, scans[i])
    devices = {(events[i], scans[i].device_id or "") for i in events if events[i] in slugs}
    if devices:
        await staff_db.upsert_devices_upload(pool, claims.jti, sorted(devices))
    return {
        "results": results,
        "accepted": sum(r["result"] == "accepted" for r in results),
        "conflicts": sum(r["conflict"] for r in results),
    }
