"""The audit log of staff actions: each change a person (or a script's token) makes is
published, in the change's own transaction, as ``audit.recorded``; registration keeps the
log and shows it per event and per registration (services/registration/audit/)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import msgspec

from shared import outbox
from shared.auth import StaffClaims
from shared.events import StaffActionRecorded


async def record(
    conn: asyncpg.Connection,
    service: str,
    claims: StaffClaims,
    action: str,
    *,
    event_slug: str | None = None,
    registration_id: uuid.UUID | None = None,
    before: Any = None,
    after: Any = None,
) -> None:
    """Log ``action`` by the person of ``claims``, inside the caller's transaction.
    ``before`` and ``after``: the state changed (structs or dicts; None where there was
    none)."""
    entry = StaffActionRecorded(
        service=service,
        actor_id=claims.sub,
        actor_name=claims.name or claims.sub,
        action=action,
        at=datetime.now(UTC),
        event_slug=event_slug,
        registration_id=registration_id,
        before=_plain(before),
        after=_plain(after),
    )
    await outbox.enqueue(conn, entry, uuid.uuid4(), 1)


def _plain(state: Any) -> dict[str, object] | None:
    if state is None:
        return None
    plain = msgspec.to_builtins(state)
    return plain if isinstance(plain, dict) else {"value": plain}
