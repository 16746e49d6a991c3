"""MAIL_RATE spreads a burst of emails out instead of sending them all at once."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.factories import auth, event_body, eventually, registration_body


async def test_a_burst_is_sent_no_faster_than_the_mail_rate(
    service_client: Any, servers: Any
) -> None:
    await service_client("notifications", mail_rate=2)
    registration = await service_client("registration")
    await service_client("tickets")
    event = event_body(capacity=1)
    r = await registration.post("/api/v1/events", json=event, headers=auth(servers.token()))
    assert r.status == 201
    emails = []
    for _ in range(6):  # one confirmed (ticket email), five waitlisted (waitlist emails)
        body = registration_body(lang="en")
        r = await registration.post(f"/api/v1/events/{event['slug']}/registrations", json=body)
        assert r.status == 201, await r.text()
        emails.append(body["email"])

    def arrived() -> int:
        return sum(len(servers.mailbox.to(e)) for e in emails)

    await eventually(lambda: asyncio.sleep(0, arrived() == 6), timeout=20)
    # Two a second, not six at once: the six go out in three batches a second apart.
    # (Told by when each arrived, not by when this test looked: other tests' mail may
    # share the batches, and a busy machine may look late.)
    times = servers.mailbox.arrival_times(emails)
    assert max(times) - min(times) >= 1.5, times
