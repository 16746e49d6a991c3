"""Manage links and forms: the link's token is exchanged for a cookie at the first visit,
the cookie opens the attendee's pages and files but changes nothing through the API, and
forms need their CSRF token."""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.factories import CSRF, auth, event_body, form, registration_body


async def _registered(client: Any, servers: Any, **event: Any) -> tuple[str, dict[str, Any]]:
    body = event_body(**event)
    r = await client.post("/api/v1/events", json=body, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    r = await client.post(
        f"/api/v1/events/{body['slug']}/registrations", json=registration_body(lang="en")
    )
    assert r.status == 201, await r.text()
    return str(body["slug"]), dict(await r.json())


async def test_a_manage_link_becomes_a_cookie_and_leaves_the_address(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    _, reg = await _registered(client, servers)
    page = f"/registrations/{reg['id']}"
    r = await client.get(page, params={"token": reg["manage_token"], "lang": "en"},
                         allow_redirects=False)  # fmt: skip
    assert r.status == 303 and r.headers["Location"] == f"{page}?lang=en"
    cookie = r.headers["Set-Cookie"]
    name = f"cnk_m_{uuid.UUID(reg['id']).hex}"
    assert cookie.startswith(f"{name}={reg['manage_token']};")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=" in cookie
    assert "Secure" not in cookie  # plain HTTP here; behind the HTTPS proxy it is (tests/origin)

    r = await client.get(f"{page}?lang=en")
    assert r.status == 200 and reg["name"] in await r.text()
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert "?token=" not in await r.text()
    r = await client.get(f"/api/v1/registrations/{reg['id']}/data")
    assert r.status == 200 and (await r.json())["registration"]["id"] == reg["id"]

    # The cookie cancels nothing through the API: that takes the header (or a page's form).
    r = await client.delete(f"/api/v1/registrations/{reg['id']}")
    assert r.status == 401, await r.text()
    r = await client.post(f"/api/v1/registrations/{reg['id']}/erase")
    assert r.status == 401, await r.text()
    r = await client.get(f"/api/v1/registrations/{reg['id']}", headers=auth(reg["manage_token"]))
    assert (await r.json())["status"] == "confirmed"

    # Another registration's cookie opens nothing of this one.
    client.session.cookie_jar.clear()
    client.session.cookie_jar.update_cookies({name[:-4] + "0000": reg["manage_token"]})
    r = await client.get(f"{page}?lang=en")
    assert r.status == 404


async def test_a_form_without_its_csrf_token_changes_nothing(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    _, reg = await _registered(client, servers)
    page = f"/registrations/{reg['id']}"
    r = await client.get(page, params={"token": reg["manage_token"]})
    assert r.status == 200
    html = await r.text()
    assert 'name="csrf" value="' in html and 'name="token"' not in html

    browser = {"Accept": "text/html,application/xhtml+xml", "Accept-Language": "pl"}
    for fields in ({"confirm": "on"}, {"confirm": "on", "csrf": "guessed"}):
        r = await client.post(f"{page}/cancel", data=fields, headers=browser)
        assert r.status == 403 and r.content_type == "text/html"
        assert "Formularz wygasł" in await r.text()
    r = await client.post(f"{page}/cancel", data={"confirm": "on", "csrf": CSRF})
    assert r.status == 403 and (await r.json())["code"] == "form_expired"
    r = await client.get(f"/api/v1/registrations/{reg['id']}", headers=auth(reg["manage_token"]))
    assert (await r.json())["status"] == "confirmed"

    r = await client.post(f"{page}/cancel?lang=en", data=form(client, {"confirm": "on"}))
    assert r.status == 200, await r.text()
    r = await client.get(f"/api/v1/registrations/{reg['id']}", headers=auth(reg["manage_token"]))
    assert (await r.json())["status"] == "cancelled"


async def test_drafts_show_only_to_organizers_of_their_event(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    draft = event_body(status="draft")
    r = await client.post("/api/v1/events", json=draft, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    own = auth(servers.token("organizer", [draft["slug"]]))
    other = auth(servers.token("organizer", ["another-event"]))
    for headers, shown in (({}, False), (other, False), (own, True)):
        r = await client.get("/api/v1/events", headers=headers)
        slugs = [e["slug"] for e in (await r.json())["events"]]
        assert (draft["slug"] in slugs) is shown, headers
        r = await client.get(f"/api/v1/events/{draft['slug']}", headers=headers)
        assert r.status == (200 if shown else 404), headers


async def test_a_page_gives_the_token_its_form_sends(service_client: Any, servers: Any) -> None:
    """What a browser does: the page sets the CSRF cookie and writes the same token in its
    form; posting the form as the page wrote it works."""
    client = await service_client("registration")
    slug, _ = await _registered(client, servers)
    r = await client.get(f"/events/{slug}?lang=en")
    cookie = r.cookies["cnk_csrf"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    html = await r.text()
    # Every form of the page (register, send my ticket again) carries the same token.
    [sent] = set(re.findall(r'name="csrf" value="([^"]+)"', html))
    assert sent == cookie.value
    person = {"name": "Jan", "email": "jan-csrf@example.org", "lang": "en", "consent": "on"}
    r = await client.post(
        f"/events/{slug}?lang=en", data={**person, "csrf": sent}, allow_redirects=False
    )
    assert r.status == 303, await r.text()
    # The page for the next form keeps the browser's token.
    r = await client.get(f"/events/{slug}?lang=en")
    assert "Set-Cookie" not in r.headers or "cnk_csrf" not in r.headers["Set-Cookie"]


async def test_a_bad_link_does_not_replace_a_good_cookie(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    _, reg = await _registered(client, servers)
    page = f"/registrations/{reg['id']}"
    r = await client.get(page, params={"token": reg["manage_token"]})
    assert r.status == 200
    r = await client.get(page, params={"token": "not-the-token"}, allow_redirects=False)
    assert r.status == 404 and "Set-Cookie" not in r.headers
    r = await client.get(page)
    assert r.status == 200 and reg["name"] in await r.text()
