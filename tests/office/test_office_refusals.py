"""A refused back-office form answers with a page in the person's language, never with
problem+json: the page it came from with the reason, or the office's message page."""

from __future__ import annotations

import uuid
from typing import Any

from tests.factories import auth, event_body, eventually, form
from tests.office_session import sign_in


def _is_page(r: Any) -> None:
    assert r.headers["Content-Type"].startswith("text/html"), r.headers["Content-Type"]


async def test_checkin_buttons_refused_come_back_as_their_page(
    service_client: Any, servers: Any
) -> None:
    registration = await service_client("registration")
    checkin = await service_client("checkin")
    event = event_body()
    slug = event["slug"]
    organizer = auth(servers.token())
    r = await registration.post("/api/v1/events", json=event, headers=organizer)
    assert r.status == 201, await r.text()

    async def known() -> bool:
        r = await checkin.get(f"/api/v1/events/{slug}/lists", headers=organizer)
        return r.status == 200

    await eventually(known)
    sign_in(checkin, {slug: "organizer"}, lang="pl")
    base = f"/office/events/{slug}"

    r = await checkin.post(f"{base}/lists/main/delete", data=form(checkin, {}))
    page = await r.text()
    assert r.status == 409, page
    _is_page(r)
    assert f'action="{base}/lists"' in page  # the lists page again, its add form too
    assert '<p class="warning" role="alert">Listy głównej ani list sesji nie można usunąć' in page

    r = await checkin.post(f"{base}/devices/{uuid.uuid4()}/revoke", data=form(checkin, {}))
    page = await r.text()
    assert r.status == 404, page
    _is_page(r)
    assert 'role="alert">Żadne urządzenie tego wydarzenia nie używa tego tokenu.' in page
    r = await checkin.post(f"{base}/devices/not-a-token/revoke", data=form(checkin, {}))
    assert r.status == 400
    _is_page(r)


async def test_any_other_refusal_is_the_office_message_page(service_client: Any) -> None:
    registration = await service_client("registration")
    sign_in(registration, {"*": "organizer"}, lang="pl")
    # No CSRF field: read_form refuses, no handler catches it.
    r = await registration.post("/office/events/new", data={"name_pl": "X"})
    page = await r.text()
    assert r.status == 403, page
    _is_page(r)
    assert "<h1>Formularz wygasł</h1>" in page and "Ten formularz wygasł" in page
    assert '<a href="/office/events/new">Wróć</a>' in page
    sign_in(registration, {"*": "organizer"}, lang="en")
    r = await registration.post("/office/account", data={"name": "Y"})
    page = await r.text()
    assert r.status == 403 and "<h1>This form has expired</h1>" in page
