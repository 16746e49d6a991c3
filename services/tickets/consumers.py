"""Event handlers of the tickets service: each calls its use case (issuing.py)."""

from __future__ import annotations

import asyncpg
from aiohttp import web

from services.tickets import issuing
from services.tickets.signing.signer import SIGNER
from shared import events
from shared.bus import Handler


async def issue_ticket(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationConfirmed,
) -> None:
    await issuing.issue_ticket(conn, app[SIGNER].signer, data)


async def revoke_ticket(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationCancelled,
) -> None:
    await issuing.revoke_ticket(conn, data)


async def erase_holder(
    app: web.Application,
    conn: asyncpg.Connection,
    env: events.Envelope,
    data: events.RegistrationErased,
) -> None:
    await issuing.erase_holder(conn, data)


HANDLERS: dict[type[events.EventData], Handler] = {
    events.RegistrationErased: erase_holder,
    events.RegistrationConfirmed: issue_ticket,
    events.RegistrationCancelled: revoke_ticket,
}
