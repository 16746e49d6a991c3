"""A change made by a person in the back office, written to the audit log (shared.audit)
inside the change's own transaction; use cases take one where staff may act."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from shared import audit
from shared.auth import StaffClaims

SERVICE = "registration"


@dataclass(frozen=True)
class ByStaff:
    claims: StaffClaims
    event_slug: str

    async def record(
        self,
        conn: asyncpg.Connection,
        action: str,
        *,
        registration_id: uuid.UUID | None = None,
        before: Any = None,
        after: Any = None,
    ) -> None:
        await audit.record(
            conn,
            SERVICE,
            self.claims,
            action,
            event_slug=self.event_slug,
            registration_id=registration_id,
            before=before,
            after=after,
        )
