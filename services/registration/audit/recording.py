"""Keeping the audit log: each audit.recorded event of any service becomes one entry, in the
consumer's transaction (its inbox makes a redelivered event a no-op)."""

from __future__ import annotations

import uuid

import asyncpg

from services.registration.audit import db
from shared.events import StaffActionRecorded


async def keep(conn: asyncpg.Connection, event_id: uuid.UUID, entry: StaffActionRecorded) -> None:
    await db.insert_entry(conn, event_id, entry)
