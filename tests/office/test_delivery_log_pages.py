"""The delivery log page: a registration's emails, each sent again on request (the ticket
too), for organizers of the registration's event."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

from tests.factories import auth, event_body, eventually, registration_body
from tests.notifications.pipeline import settled_deliveries
from tests.office_session import csrf_of, sign_in

NAME = {"pl": "Dzień Otwarty InnHUB", "en": "InnHUB Open Day"}


async def _services(service_client: Any) -> tuple[Any, Any]:
    notifications = await service_client("notifications")
    registration = await service_client("registration")
    await service_client("tickets")
    return notifications, registration


async def _registered(registration: Any, servers: Any) -> tuple[str, dict[str, Any]]:
    body = event_body(name=NAME)
    r = await registration.post("/api/v1/events", json=body, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    r = await registration.post(
        f"/api/v1/events/{body['slug']}/registrations", json=registration_body(lang="en")
    )
    assert r.status == 201, await r.text()
    return body["slug"], dict(await r.json())


async def _open(notifications: Any, path: str) -> str:
    """The page, once notifications knows the key registration signed the session with."""

    async def opened() -> str | None:
        r = await notifications.get(path, allow_redirects=False)
        return await r.text() if r.status == 200 else None

    return await eventually(opened)


def _tickets(servers: Any, reg: dict[str, Any]) -> list[Any]:
    subject = f"Your ticket: {NAME['en']}"
    return [m for m in servers.mailbox.to(reg["email"]) if m["Subject"] == subject]


async def test_the_log_lists_the_emails_and_resends_the_ticket(
    service_client: Any, servers: Any
) -> None:
    notifications, registration = await _services(service_client)
    slug, reg = await _registered(registration, servers)
    assert (await settled_deliveries(servers, notifications, reg))[reg["id"]] == ["ticket"]
    assert len(_tickets(servers, reg)) == 1
    sign_in(notifications, {slug: "organizer"}, signer_client=registration)
    path = f"/office/registrations/{reg['id']}/emails"
    page = await _open(notifications, path)
    assert f"Emails to: {html.escape(reg['name'])}" in page
    assert "<td>Ticket</td>" in page
    assert html.escape(f"Your ticket: {NAME['en']}") in page
    assert '<td class="status-sent">sent</td>' in page
    assert f'href="/office/registrations/{reg["id"]}"' in page
    [ticket_id] = re.findall(rf'action="{path}/([0-9a-f-]+)/resend"', page)[:1]
    assert "Resend the ticket" in page

    csrf = await csrf_of(notifications, path)
    r = await notifications.post(
        f"{path}/{ticket_id}/resend", data={"csrf": csrf}, allow_redirects=False
    )
    assert r.status == 303, await r.text()
    assert r.headers["Location"] == f"{path}?resent=1"
    await eventually(lambda: _async(len(_tickets(servers, reg)) == 2))
    delivered = await settled_deliveries(servers, notifications, reg)
    assert delivered[reg["id"]] == ["ticket", "ticket"]
    page = await (await notifications.get(f"{path}?resent=1")).text()
    assert "Sent again: the email is on its way." in page
    assert page.count('<td class="status-sent">sent</td>') == 2


async def test_only_the_events_staff_see_the_log_and_only_organizers_resend(
    service_client: Any, servers: Any
) -> None:
    notifications, registration = await _services(service_client)
    slug, reg = await _registered(registration, servers)
    await settled_deliveries(servers, notifications, reg)
    path = f"/office/registrations/{reg['id']}/emails"
    sign_in(notifications, {slug: "viewer"}, signer_client=registration, lang="pl")
    page = await _open(notifications, path)
    assert "<td>Bilet</td>" in page and "Wyślij ponownie" not in page
    [delivery] = (
        await (
            await notifications.get(
                "/api/v1/deliveries",
                params={"registration_id": reg["id"]},
                headers=auth(servers.token()),
            )
        ).json()
    )["deliveries"]
    csrf = await csrf_of(notifications, "/office/registrations/{}/emails".format(reg["id"]))
    r = await notifications.post(f"{path}/{delivery['id']}/resend", data={"csrf": csrf})
    assert r.status == 403
    sign_in(notifications, {"another-event": "organizer"}, signer_client=registration)
    r = await notifications.get(path)
    assert r.status == 403
    sign_in(notifications, {"*": "admin"}, signer_client=registration)
    r = await notifications.get(f"/office/registrations/{uuid.uuid4()}/emails")
    assert r.status == 404
    r = await notifications.get("/office/registrations/not-an-id/emails")
    assert r.status == 404
    r = await notifications.post(f"{path}/{uuid.uuid4()}/resend", data={"csrf": csrf})
    assert r.status == 404
    assert len(_tickets(servers, reg)) == 1


async def _async(value: bool) -> bool:
    return value
