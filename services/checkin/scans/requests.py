"""What a scanner sends, and a scan on its way to being decided."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from services.checkin.scans import db
from shared.auth import StaffClaims
from shared.codes import TicketCode
from shared.slugs import PRINTABLE, SLUG_PATTERN

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


@dataclass(frozen=True, slots=True)
class PendingScan:
    """A validly signed scan waiting for its batch, and what its context is looked up by."""

    body: ScanRequest
    key: db.ScanKey
    claims: StaffClaims
    code: TicketCode
    scanned_at: datetime


@dataclass(frozen=True, slots=True)
class Outcome:
    """The verdict (JSON) when decided; else the resolved list to decide it on, locked."""

    payload: bytes | None
    list_slug: str
