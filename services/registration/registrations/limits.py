"""How many registrations a client address and an email address may attempt: shared by every
instance through PostgreSQL (shared/ratelimit.py)."""

from __future__ import annotations

import asyncpg

from services.registration.records import Event
from services.registration.refusals import EMAIL_RATE_LIMITED, RATE_LIMITED
from services.registration.schemas import RegisterRequest
from shared import ratelimit
from shared.config import Settings

MINUTE, HOUR = 60, 3600


async def check(
    pool: asyncpg.Pool, settings: Settings, client: str, event: Event, body: RegisterRequest
) -> None:
    """Count this attempt: the seats it asks for against the client's address (a group of 20
    takes 20; a group larger than the limit takes the whole minute), and one attempt against
    each email address in it for this event; 429 past a limit, and then nothing is counted."""
    emails = [body.email, *(a.email for a in body.attendees or [])]
    seats = min(len(emails), settings.registration_rate_limit)
    limits = [
        ratelimit.Limit(
            ratelimit.address_key(client), seats, settings.registration_rate_limit, MINUTE
        )
    ]
    limits += [
        ratelimit.Limit(key, 1, settings.registration_email_limit, HOUR)
        for key in dict.fromkeys(ratelimit.email_key(str(event.id), e) for e in emails)
    ]
    over = await ratelimit.take(pool, limits)
    if over is None:
        return
    limit, retry = over
    headers = {"Retry-After": str(retry)}
    if limit.key.startswith("ip:"):
        raise RATE_LIMITED(retry=retry, headers=headers)
    raise EMAIL_RATE_LIMITED(minutes=max(1, retry // 60), headers=headers)
