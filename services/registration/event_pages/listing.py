"""The events a person sees in the back office, in three groups: upcoming, past, drafts."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import msgspec

from services.registration.events import db
from services.registration.records import Event, EventStats
from shared.auth import StaffClaims


class Listed(msgspec.Struct, frozen=True):
    event: Event
    stats: EventStats
    may_open: bool  # the person's role there reaches the event's page


async def events_for(pool: asyncpg.Pool, claims: StaffClaims) -> dict[str, list[Listed]]:
    """Every event for an admin or a person with a role at all events, else the events of
    their grants; drafts apart, the rest by whether they have ended."""
    now = datetime.now(UTC)
    groups: dict[str, list[Listed]] = {"upcoming": [], "past": [], "drafts": []}
    for event, stats in await db.select_all_events_with_stats(pool):
        if not claims.covers(event.slug):
            continue
        listed = Listed(event, stats, claims.may("viewer", event.slug))
        if event.status == "draft":
            groups["drafts"].append(listed)
        else:
            groups["upcoming" if event.ends_at > now else "past"].append(listed)
    groups["past"].reverse()  # the latest first
    return groups
