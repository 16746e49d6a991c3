"""What a staff token changes through the API is in the audit log too, as from the pages."""

from __future__ import annotations

from typing import Any

from tests.factories import auth, event_body, eventually
from tests.journey import register
from tests.office_session import sign_in


async def test_a_cancellation_by_an_organizer_token_is_audited(
    service_client: Any, servers: Any
) -> None:
    registration = await service_client("registration")
    organizer = auth(servers.token(subject="script-cancel", events=["*"]))
    event = event_body()
    r = await registration.post("/api/v1/events", json=event, headers=organizer)
    assert r.status == 201, await r.text()
    person = await register(registration, event["slug"])
    r = await registration.delete(f"/api/v1/registrations/{person['id']}", headers=organizer)
    assert r.status == 200, await r.text()
    # The attendee's own cancellation is theirs, not a staff action.
    other = await register(registration, event["slug"])
    r = await registration.delete(
        f"/api/v1/registrations/{other['id']}", headers=auth(other["manage_token"])
    )
    assert r.status == 200, await r.text()

    sign_in(registration, {"*": "admin"})

    async def logged() -> str | None:
        text = await (await registration.get(f"/office/events/{event['slug']}/audit")).text()
        return text if "registration.cancelled" in text else None

    text = await eventually(logged)
    assert "script-cancel" in text and text.count("registration.cancelled") == 1
