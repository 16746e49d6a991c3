"""A group refused for addresses already registered names nobody: each owner is told by
email instead, in their language, once, and only if they are still registered."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from typing import Any

from tests.factories import auth, event_body, eventually, registration_body
from tests.notifications.pipeline import settled_deliveries

NAME = {"pl": "Warsztaty InnHUB", "en": "InnHUB Workshops"}
SUBJECT = {
    "pl": f"Ktoś próbował ponownie zarejestrować Twój adres: {NAME['pl']}",
    "en": f"Someone tried to register your address again: {NAME['en']}",
}


def _text(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return " ".join(part.get_content().split())


async def test_each_registered_owner_is_told_once_in_their_language(
    service_client: Any, servers: Any
) -> None:
    # Notifications first: its public key is in the bucket before registration seals.
    notifications = await service_client("notifications")
    registration = await service_client("registration")
    await service_client("tickets")
    body = event_body(name=NAME, capacity=1)
    r = await registration.post("/api/v1/events", json=body, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    url = f"/api/v1/events/{body['slug']}/registrations"

    async def register(lang: str) -> dict[str, Any]:
        r = await registration.post(url, json=registration_body(lang=lang))
        assert r.status == 201, await r.text()
        return dict(await r.json())

    seated, waiting, gone = await register("pl"), await register("en"), await register("pl")
    assert (seated["status"], waiting["status"]) == ("confirmed", "waitlisted")
    r = await registration.delete(
        f"/api/v1/registrations/{gone['id']}", headers=auth(gone["manage_token"])
    )
    assert r.status == 200, await r.text()
    contact = f"{uuid.uuid4().hex[:10]}@example.org"
    group = registration_body(
        email=contact,
        attendees=[
            {"name": "Ola", "email": seated["email"].upper(), "lang": "en"},
            {"name": "Ben", "email": waiting["email"], "lang": "pl"},
            {"name": "Carl", "email": gone["email"], "lang": "en"},
        ],
    )
    # Twice: the second refusal the same day writes to nobody again.
    for _ in range(2):
        r = await registration.post(url, json=group)
        assert (r.status, (await r.json())["code"]) == (409, "group_not_registered")

    delivered = await settled_deliveries(servers, notifications, seated, waiting, gone)
    # The ticket comes through tickets, a step longer: it may come after.
    assert sorted(delivered[seated["id"]]) == ["attempt_refused", "ticket"]
    assert sorted(delivered[waiting["id"]]) == ["attempt_refused", "waitlisted"]
    assert "attempt_refused" not in delivered[gone["id"]]  # cancelled: not registered
    assert servers.mailbox.to(contact) == []

    for reg, lang, standing in (
        (seated, "pl", "Twoja rejestracja i bilet pozostają ważne."),
        (waiting, "en", "You are still on the waitlist."),
    ):

        async def told(reg: dict[str, Any] = reg, lang: str = lang) -> list[EmailMessage]:
            mails = servers.mailbox.to(reg["email"])
            return [m for m in mails if m["Subject"] == SUBJECT[lang]]

        [msg] = await eventually(told)
        text = _text(msg)
        assert NAME[lang] in text and standing in text
        assert {"pl": "w zgłoszeniu grupowym", "en": "as part of a group"}[lang] in text
        for other in (contact, seated["email"], waiting["email"], gone["email"]):
            assert other.split("@")[0] not in text  # nobody else's address
