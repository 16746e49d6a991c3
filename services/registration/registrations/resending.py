"""'Send me my ticket again': an address that lost its email asks for it, and the
registration's latest ticket (or waitlist) email, with its manage link, goes out again.
The answer is the same whether or not the address is registered; a few asks per address
an hour."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

import asyncpg
import msgspec
from email_validator import EmailNotValidError

from services.registration.records import Event
from services.registration.refusals import RATE_LIMITED, RESEND_RATE_LIMITED
from services.registration.registrations import db
from services.registration.schemas import normalize_email
from shared import outbox, ratelimit
from shared.events import RegistrationLinkRequested
from shared.refusals import VALIDATION_FAILED, FieldError
from shared.slugs import PRINTABLE

ADDRESS_LIMIT, ADDRESS_WINDOW = 3, 3600  # asks per address and event
CLIENT_LIMIT, CLIENT_WINDOW = 30, 600  # asks per client address


class ResendLinkRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(min_length=1, max_length=254, pattern=PRINTABLE)]


def email_key(email: str) -> str:
    """The address as registrations are keyed by; a 400 at ``email`` when it is none."""
    try:
        return normalize_email(email.strip()).casefold()
    except EmailNotValidError:
        raise VALIDATION_FAILED(
            errors=[
                FieldError("email", "`email` must be an email address such as name@example.org")
            ]
        ) from None


async def resend_link(pool: asyncpg.Pool, event: Event, email: str, client: str) -> None:
    """Queue the registration's latest email again if the address has one for the event;
    nothing tells the caller whether it had."""
    key = email_key(email)
    over = await ratelimit.take(
        pool,
        [
            ratelimit.Limit(ratelimit.address_key(client), 1, CLIENT_LIMIT, CLIENT_WINDOW),
            ratelimit.Limit(
                ratelimit.email_key(f"resend:{event.id}", key), 1, ADDRESS_LIMIT, ADDRESS_WINDOW
            ),
        ],
    )
    if over is not None:
        limit, retry = over
        headers = {"Retry-After": str(retry)}
        if limit.key.startswith("ip:"):
            raise RATE_LIMITED(retry=retry, headers=headers)
        raise RESEND_RATE_LIMITED(minutes=max(1, -(-retry // 60)), headers=headers)
    async with pool.acquire() as conn, conn.transaction():
        found = await db.select_registration_ids_by_email(conn, event.id, [key])
        if key in found:
            asked = RegistrationLinkRequested(
                registration_id=found[key], requested_at=datetime.now(UTC)
            )
            await outbox.enqueue(conn, asked, uuid.uuid4(), 1)
