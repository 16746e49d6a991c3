"""'Send me my ticket again': the same answer for any address, the ticket email again for a
registered one, limited per address; on the event page too."""

from __future__ import annotations

import re
from typing import Any

from tests.factories import auth, event_body, eventually, form, registration_body, unique
from tests.notifications.pipeline import deliveries


async def _stack(service_client: Any, servers: Any) -> tuple[Any, Any, dict[str, Any]]:
    # Notifications first: its public key is in the bucket before registration seals.
    notifications = await service_client("notifications")
    registration = await service_client("registration")
    await service_client("tickets")
    event = event_body()
    r = await registration.post("/api/v1/events", json=event, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    return registration, notifications, event


async def _ticket_sent(notifications: Any, servers: Any, reg: dict[str, Any]) -> None:
    """The ticket email is marked sent (an ask while it is on its way resends nothing)."""

    async def sent() -> bool:
        log = await deliveries(notifications, servers, reg)
        return any(d["template"] == "ticket" and d["status"] == "sent" for d in log)

    await eventually(sent, timeout=30)


async def _emails(servers: Any, address: str, count: int) -> list[Any]:
    async def arrived() -> list[Any] | None:
        found = servers.mailbox.to(address)
        return found if len(found) >= count else None

    return await eventually(arrived, timeout=30)


async def test_the_answer_is_the_same_and_the_ticket_comes_again(
    service_client: Any, servers: Any
) -> None:
    registration, notifications, event = await _stack(service_client, servers)
    path = f"/api/v1/events/{event['slug']}/resend-link"
    person = registration_body(email=f"{unique('lost')}@example.org")
    r = await registration.post(f"/api/v1/events/{event['slug']}/registrations", json=person)
    assert r.status == 201, await r.text()
    await _ticket_sent(notifications, servers, await r.json())
    [ticket] = await _emails(servers, person["email"], 1)

    stranger = f"{unique('nobody')}@example.org"
    answers = []
    for address in (person["email"].upper(), stranger):
        r = await registration.post(path, json={"email": address})
        answers.append((r.status, r.headers["Content-Type"], await r.read()))
    assert answers[0] == answers[1] and answers[0][0] == 202, answers

    [_, again] = await _emails(servers, person["email"], 2)
    assert again["Subject"] == ticket["Subject"]
    assert servers.mailbox.to(stranger) == []

    # A few asks per address an hour, registered or not.
    for _ in range(2):
        r = await registration.post(path, json={"email": stranger})
        assert r.status == 202
    r = await registration.post(path, json={"email": stranger})
    assert r.status == 429 and (await r.json())["code"] == "resend_rate_limited"
    r = await registration.post(path, json={"email": "not an address"})
    assert r.status == 400 and (await r.json())["errors"][0]["field"] == "email"


async def test_the_event_page_offers_it_where_the_address_is_taken(
    service_client: Any, servers: Any
) -> None:
    registration, notifications, event = await _stack(service_client, servers)
    page = f"/events/{event['slug']}"
    person = registration_body(email=f"{unique('twice')}@example.org")
    r = await registration.post(f"/api/v1/events/{event['slug']}/registrations", json=person)
    assert r.status == 201, await r.text()
    await _ticket_sent(notifications, servers, await r.json())

    r = await registration.get(f"{page}?lang=en")
    html = await r.text()
    assert 'action="/events/' in html and 'id="resend"' in html
    fields = {"name": "Anna Nowak", "email": person["email"], "lang": "en", "consent": "on"}
    r = await registration.post(f"{page}?lang=en", data=form(registration, fields))
    assert r.status == 409 or r.status == 400, await r.text()
    assert 'href="#resend"' in await r.text()

    resend = f"{page}/resend-link?lang=en"
    r = await registration.post(resend, data=form(registration, {"email": person["email"]}))
    html = await r.text()
    assert r.status == 200 and "the ticket and the link are on their way" in html
    await _emails(servers, person["email"], 2)
    r = await registration.post(resend, data=form(registration, {"email": "nope"}))
    html = await r.text()
    assert r.status == 400 and re.search(r'id="resend-email-error"', html)
