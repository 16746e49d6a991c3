"""The session forms of the public pages without a browser: what a form post that the
page would never send gets back, full sessions, and accepting a freed session seat."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.factories import auth, event_body, form, registration_body

START = datetime.now(UTC).replace(microsecond=0) + timedelta(days=12)


def _session(slug: str, hour: float, capacity: int = 20) -> dict[str, Any]:
    starts = START + timedelta(hours=hour)
    return {
        "slug": slug,
        "name": {"pl": f"Warsztat {slug}", "en": f"Workshop {slug}"},
        "room": f"Sala {slug}",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
        "capacity": capacity,
    }


async def _event(client: Any, servers: Any, sessions: list[dict[str, Any]], **kw: Any) -> str:
    body = event_body(
        starts_at=START.isoformat(),
        ends_at=(START + timedelta(hours=10)).isoformat(),
        sessions=sessions,
        **kw,
    )
    r = await client.post("/api/v1/events", json=body, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    return str(body["slug"])


async def _register(client: Any, slug: str, **kw: Any) -> dict[str, Any]:
    r = await client.post(f"/api/v1/events/{slug}/registrations", json=registration_body(**kw))
    assert r.status == 201, await r.text()
    return dict(await r.json())


async def _places(client: Any, reg: dict[str, Any]) -> dict[str, str]:
    r = await client.get(f"/api/v1/registrations/{reg['id']}", headers=auth(reg["manage_token"]))
    assert r.status == 200, await r.text()
    return {s["slug"]: s["status"] for s in (await r.json())["sessions"]}


async def _open_manage_link(client: Any, reg: dict[str, Any]) -> None:
    """Open the manage link as an email does: its token becomes the client's cookie."""
    r = await client.get(f"/registrations/{reg['id']}", params={"token": reg["manage_token"]})
    assert r.status == 200, await r.text()
    assert "token=" not in str(r.url)


def _error(page: str) -> str:
    found = re.search(r'id="sessions-error"[^>]*>([^<]*)<', page)
    assert found, page
    return found.group(1)


async def test_sessions_form_refuses_what_the_page_never_sends(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    slug = await _event(
        client, servers, [_session("aa", 1), _session("bb", 1.5), _session("cc", 4)]
    )
    reg = await _register(client, slug, sessions=["aa"])
    url = f"/registrations/{reg['id']}/sessions"

    # Without the manage link's cookie, there is no such registration to change.
    r = await client.post(f"{url}?lang=pl", data=form(client, {"sessions": "cc"}))
    assert r.status == 404
    assert "Nie znaleziono" in await r.text()
    r = await client.post("/registrations/not-a-uuid/sessions", data=form(client, {}))
    assert r.status == 404

    await _open_manage_link(client, reg)
    token = reg["manage_token"]
    for sent, status, error in [
        (["nope"], 400, "Nie ma takiej sesji – wybierz sesje z listy."),
        (["A!"], 400, "Nie ma takiej sesji – wybierz sesje z listy."),
        (
            ["aa", "bb"],
            400,
            "Sesje „Warsztat aa” i „Warsztat bb” odbywają się w tym samym czasie"
            " – wybierz jedną z nich.",
        ),
    ]:
        fields = [("sessions", s) for s in sent]
        r = await client.post(f"{url}?lang=pl", data=form(client, fields))
        assert r.status == status, await r.text()
        page = await r.text()
        assert r.content_type == "text/html"
        assert _error(page) == error
        # The choice is kept, to be corrected rather than made again.
        checked = re.findall(r'value="([a-z-]+)" checked', page)
        assert checked == [s for s in sent if s in ("aa", "bb")], page
        assert f'<a href="/registrations/{reg["id"]}?lang=en"' in page
    assert await _places(client, reg) == {"aa": "confirmed"}

    r = await client.post(f"{url}?lang=en", data=form(client, [("sessions", "cc")]))
    assert r.status == 200, await r.text()
    assert "Your choice of sessions is saved." in await r.text()
    assert await _places(client, reg) == {"cc": "confirmed"}

    # Not a session form, but the same answer: the page again, with the error.
    r = await client.post(f"/registrations/{reg['id']}/cancel?lang=en", data=form(client, {}))
    assert r.status == 200, await r.text()
    assert "Tick the box to confirm the cancellation." in await r.text()

    r = await client.delete(f"/api/v1/registrations/{reg['id']}", headers=auth(token))
    assert r.status == 200, await r.text()
    r = await client.post(f"{url}?lang=en", data=form(client, [("sessions", "aa")]))
    assert r.status == 409
    page = await r.text()
    assert _error(page) == "This registration is cancelled."
    assert f'action="{url}' not in page


async def test_event_form_tells_a_full_session_of_an_event_without_waitlist(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers, [_session("solo", 1, capacity=1)], waitlist=False)
    await _register(client, slug, sessions=["solo"])

    r = await client.get(f"/events/{slug}?lang=pl")
    page = await r.text()
    assert re.search(r'value="solo" disabled>', page), page
    assert "brak miejsc<" in page

    person = {"name": "Anna Nowak", "email": "anna@example.org", "lang": "pl", "consent": "on"}
    r = await client.post(
        f"/events/{slug}?lang=pl", data=form(client, {**person, "sessions": "solo"})
    )
    assert r.status == 409, await r.text()
    page = await r.text()
    assert _error(page) == "W sesji „Warsztat solo” nie ma już wolnych miejsc."
    assert 'value="solo" checked>' in page
    r = await client.post(
        f"/events/{slug}?lang=en", data=form(client, {**person, "sessions": "NOT A SLUG"})
    )
    assert r.status == 400, await r.text()
    assert _error(await r.text()) == "Choose sessions from the list."

    r = await client.get(f"/api/v1/events/{slug}/stats", headers=auth(servers.token()))
    stats = await r.json()
    assert (stats["confirmed"], stats["sessions"][0]["confirmed"]) == (1, 1)


async def test_a_freed_session_seat_is_taken_on_the_manage_page(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers, [_session("solo", 1, capacity=1)])
    first = await _register(client, slug, sessions=["solo"])
    second = await _register(client, slug)
    url = f"/registrations/{second['id']}"
    await _open_manage_link(client, second)
    fields = {"sessions": "solo", "waitlist": "on"}
    r = await client.post(f"{url}/sessions?lang=en", data=form(client, fields))
    assert r.status == 200, await r.text()
    assert "on the waiting list, place 1" in await r.text()

    r = await client.delete(
        f"/api/v1/registrations/{first['id']}", headers=auth(first["manage_token"])
    )
    assert r.status == 200, await r.text()
    r = await client.get(url, params={"lang": "en"})
    page = await r.text()
    assert "seat held for you until" in page
    assert "your seat in the session “Workshop solo” (until" in page
    assert ">Take the session seat</button>" in page

    r = await client.post(f"{url}/accept?lang=en", data=form(client, {}))
    assert r.status == 200, await r.text()
    page = await r.text()
    assert "Take the session seat" not in page
    assert await _places(client, second) == {"solo": "confirmed"}


async def test_event_form_with_a_tampered_ticket_type_shows_the_form(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers, [])
    person = {"name": "Jan", "email": "jan-tt@example.org", "lang": "pl", "consent": "on"}
    for tampered in ({"ticket_type": "Not A Slug!"}, {"access_code": "x" * 65}):
        r = await client.post(f"/events/{slug}?lang=pl", data=form(client, person | tampered))
        assert r.status == 400
        assert r.content_type == "text/html"
        page = await r.text()
        assert "Wybierz rodzaj biletu z listy." in page or "kodu dostępu" in page
    r = await client.post(
        f"/events/{slug}?lang=pl", data=form(client, person), allow_redirects=False
    )
    assert r.status == 303  # nothing was stored by the refused ones
