"""Waiting until what a test set off has gone all the way to the emails."""

from __future__ import annotations

from typing import Any

import asyncpg
import nats

from tests.factories import auth, eventually


async def deliveries(notifications: Any, servers: Any, reg: dict[str, Any]) -> list[Any]:
    """The registration's delivery log, oldest first."""
    r = await notifications.get(
        "/api/v1/deliveries",
        params={"registration_id": reg["id"]},
        headers=auth(servers.token()),
    )
    assert r.status == 200, await r.text()
    return list((await r.json())["deliveries"])


async def settled_deliveries(
    servers: Any, notifications: Any, *regs: dict[str, Any]
) -> dict[str, list[str]]:
    """Once every event written so far has reached notifications (with registration and
    tickets running) and every email it queued is sent or failed: the templates delivered
    to each registration, oldest first (not the ones withdrawn by a cancellation).

    Checked upstream first, since an event only moves downstream: registration's outbox,
    the REGISTRATION stream's consumers, tickets' outbox, the TICKETS stream's consumer,
    the deliveries. An event still waiting in an outbox (a relay takes a steady trickle
    every BATCH_INTERVAL_MS) is seen there, not missed between two stages.
    """
    nc = await nats.connect(servers.nats_url)
    js = nc.jetstream()
    db = await asyncpg.connect(servers.database_url)
    delivered: dict[str, list[str]] = {}

    async def caught_up(stream: str, *durables: str) -> bool:
        for durable in durables:
            info = await js.consumer_info(stream, durable)
            if info.num_pending or info.num_ack_pending:
                return False
        return True

    async def done() -> bool:
        if await db.fetchval("SELECT count(*) FROM registration.outbox"):
            return False
        if not await caught_up("REGISTRATION", "tickets", "notifications"):
            return False
        if await db.fetchval("SELECT count(*) FROM tickets.outbox"):
            return False
        if not await caught_up("TICKETS", "notifications"):
            return False
        for reg in regs:
            found = await deliveries(notifications, servers, reg)
            if any(d["status"] == "pending" for d in found):
                return False
            delivered[reg["id"]] = [d["template"] for d in found if d["status"] != "withdrawn"]
        return True

    try:
        # A tickets app a test starts late in a run first works through every earlier
        # test's registrations (its durable consumer is the worker's): a longer deadline.
        await eventually(done, timeout=45)
    finally:
        await nc.close()
        await db.close()
    return delivered
