"""How many registrations a client address and an email address may attempt: shared by every
instance through PostgreSQL (shared/ratelimit.py)."""

from __future__ import annotations

from aiohttp import web

from services.registration.schemas import Event, RegisterRequest
from shared import ratelimit
from shared.http import ProblemError
from shared.keys import DB_POOL, SETTINGS
from shared.proxies import TRUSTED_PROXIES

MINUTE, HOUR = 60, 3600


async def check(request: web.Request, event: Event, body: RegisterRequest) -> None:
    """Count this attempt: the seats it asks for against the client's address (a group of 20
    takes 20; a group larger than the limit takes the whole minute), and one attempt against
    each email address in it for this event; 429 past a limit, and then nothing is counted."""
    settings = request.app[SETTINGS]
    client = request.app[TRUSTED_PROXIES].client_address(request)
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
    over = await ratelimit.take(request.app[DB_POOL], limits)
    if over is None:
        return
    limit, retry = over
    headers = {"Retry-After": str(retry)}
    if limit.key.startswith("ip:"):
        raise ProblemError(
            429,
            "rate_limited",
            f"Too many registrations from this address; try again in {retry} s.",
            headers=headers,
        )
    raise ProblemError(
        429,
        "email_rate_limited",
        "Too many registration attempts for this email address; try again in"
        f" {max(1, retry // 60)} min.",
        headers=headers,
    )
