"""Back-office event pages: a two-day conference set up through the pages alone, bad input
on each form, who may see and change what, and what publishing and cancelling will do."""

from __future__ import annotations

import re
from typing import Any

from tests.factories import auth, event_body, registration_body, unique
from tests.office_session import csrf_of, sign_in

FIELD_ERROR = re.compile(r'<p class="error" id="e-([^"]+)">')


def errors_of(html: str) -> list[str]:
    return FIELD_ERROR.findall(html)


def event_form(slug: str, **overrides: str) -> dict[str, str]:
    fields = {
        "name_pl": "Konferencja InnHUB 2030",
        "name_en": "InnHUB Conference 2030",
        "kind": "conference",
        "slug": slug,
        "starts_at": "2030-05-06T09:00",
        "ends_at": "2030-05-07T17:00",
        "venue": "CNK, ul. Zwierzyniecka 16, Białystok",
        "room": "Aula",
        "capacity": "120",
        "description_pl": "Dwa dni o innowacjach.",
        "description_en": "Two days on innovation.",
        "registration_opens_at": "",
        "registration_closes_at": "2030-05-05T23:59",
        "waitlist": "1",
        "group_limit": "10",
        "retention_days": "365",
        "profile_organization": "required",
        "profile_country": "optional",
        "profile_role": "hidden",
    }
    return fields | overrides


async def post(client: Any, path: str, fields: dict[str, str]) -> Any:
    csrf = await csrf_of(client, path)
    return await client.post(path, data=fields | {"csrf": csrf}, allow_redirects=False)


async def test_a_conference_is_set_up_through_the_pages(service_client: Any) -> None:
    client = await service_client("registration")
    sign_in(client, {"*": "organizer"})
    r = await client.get("/office/")
    assert r.status == 200 and 'href="/office/events/new"' in await r.text()
    slug = unique("conf")
    r = await post(client, "/office/events/new", event_form(slug))
    assert r.status == 303, await r.text()
    assert r.headers["Location"] == f"/office/events/{slug}?done=created"
    base = f"/office/events/{slug}"

    day = {"s0_": "2030-05-06T", "s1_": "2030-05-06T", "s2_": "2030-05-07T"}
    rows: dict[str, str] = {"rows": "3"}
    for i, (prefix, date) in enumerate(day.items()):
        rows |= {
            f"{prefix}name_pl": f"Warsztat {i + 1}",
            f"{prefix}name_en": f"Workshop {i + 1}",
            f"{prefix}starts_at": f"{date}1{i}:00",
            f"{prefix}ends_at": f"{date}1{i}:45",
            f"{prefix}room": f"Sala {i + 1}",
            f"{prefix}capacity": "20",
        }
    r = await post(client, f"{base}/sessions", rows)
    assert r.status == 303, await r.text()
    types = {
        "rows": "2",
        "t0_name_pl": "Zwykły",
        "t0_name_en": "Standard",
        "t1_name_pl": "Gość",
        "t1_name_en": "Guest",
        "t1_slug": "guest",
        "t1_quota": "10",
        "t1_access_code": "INVITED-2030",
    }
    r = await post(client, f"{base}/ticket-types", types)
    assert r.status == 303, await r.text()
    question = {
        "label_pl": "Dieta",
        "label_en": "Diet",
        "q_kind": "single",
        "options": "Dowolna | Any\nWegańska | Vegan",
        "q_required": "1",
    }
    r = await post(client, f"{base}/questions", question)
    assert r.status == 303, await r.text()
    html = await (await client.get(r.headers["Location"])).text()
    assert "Added." in html and "<td>Any, Vegan</td>" in html
    html = await (await client.get(base)).text()
    assert "Sessions and workshops</a>: 3" in html
    html = await (await client.get(f"{base}/publish")).text()
    assert f"/events/{slug}" in html and "Registration opens as soon as it is published." in html
    r = await post(client, f"{base}/publish", {})
    assert r.status == 303 and r.headers["Location"] == f"{base}?done=published"

    event = await (await client.get(f"/api/v1/events/{slug}")).json()
    assert (event["status"], event["capacity"], event["kind"]) == ("published", 120, "conference")
    assert event["starts_at"] == "2030-05-06T07:00:00Z"  # 9:00 in Warsaw, summer time
    assert event["registration_closes_at"] == "2030-05-05T21:59:00Z"
    assert event["profile_fields"] == {
        "organization": "required",
        "country": "optional",
        "role": "hidden",
    }
    assert (event["room"], event["retention_days"], event["group_limit"]) == ("Aula", 365, 10)
    assert [(s["slug"], s["capacity"]) for s in event["sessions"]] == [
        ("workshop-1", 20),
        ("workshop-2", 20),
        ("workshop-3", 20),
    ]
    r = await client.get(f"/api/v1/events/{slug}/ticket-types")
    assert [(t["slug"], t["quota"], t["restricted"]) for t in (await r.json())["ticket_types"]] == [
        ("standard", None, False),
        ("guest", 10, True),
    ]
    r = await client.get(f"/api/v1/events/{slug}/questions")
    [asked] = (await r.json())["questions"]
    assert (asked["key"], asked["kind"], asked["required"]) == ("diet", "single", True)
    assert [o["value"] for o in asked["options"]] == ["any", "vegan"]

    # Changing a session and the event's details.
    r = await post(
        client,
        f"{base}/sessions",
        {
            "session": "workshop-2",
            "e_workshop-2_name_pl": "Warsztat 2",
            "e_workshop-2_name_en": "Workshop 2",
            "e_workshop-2_starts_at": "2030-05-06T11:00",
            "e_workshop-2_ends_at": "2030-05-06T12:30",
            "e_workshop-2_room": "Sala 2",
            "e_workshop-2_capacity": "25",
        },
    )
    assert r.status == 303, await r.text()
    r = await post(client, f"{base}/edit", event_form(slug, capacity="150", room=""))
    assert r.status == 303, await r.text()
    event = await (await client.get(f"/api/v1/events/{slug}")).json()
    assert (event["capacity"], event["room"]) == (150, None)
    assert [s["capacity"] for s in event["sessions"]] == [20, 25, 20]
    html = await (await client.get("/office/")).text()
    assert f'href="/office/events/{slug}"' in html


async def test_bad_input_comes_back_with_each_fields_error(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    sign_in(client, {"*": "admin"}, lang="pl")
    slug = unique("bad")
    bad = event_form(slug, name_pl=" ", capacity="dużo", starts_at="jutro", profile_role="maybe")
    r = await post(client, "/office/events/new", bad)
    assert r.status == 400
    html = await r.text()
    assert errors_of(html) == ["name_pl", "starts_at", "capacity", "profile_role"]
    assert "Podaj liczbę miejsc od 1 do 100 000." in html and "<title>Błąd:" in html
    assert 'value="dużo"' in html  # what was typed stays
    r = await post(client, "/office/events/new", event_form(slug, ends_at="2030-05-06T08:00"))
    assert r.status == 400 and errors_of(await r.text()) == ["ends_at"]
    assert (await client.get(f"/api/v1/events/{slug}", headers=auth(servers.token()))).status == 404

    r = await post(client, "/office/events/new", event_form(slug))
    assert r.status == 303
    r = await post(client, "/office/events/new", event_form(slug))
    assert r.status == 400 and errors_of(await r.text()) == ["slug"]
    base = f"/office/events/{slug}"
    r = await post(client, f"{base}/edit", event_form(slug, capacity="0", venue=""))
    assert r.status == 400 and errors_of(await r.text()) == ["venue", "capacity"]

    rows = {
        "rows": "3",
        "s0_name_pl": "Alfa",
        "s0_name_en": "Alpha",
        "s0_starts_at": "2030-05-06T10:00",
        "s0_ends_at": "2030-05-06T11:00",
        "s0_capacity": "10",
        "s2_name_pl": "Beta",
        "s2_name_en": "Beta",
        "s2_starts_at": "2030-05-06T10:00",
        "s2_ends_at": "2030-05-06T09:00",
        "s2_capacity": "10",
    }
    r = await post(client, f"{base}/sessions", rows)
    assert r.status == 400 and errors_of(await r.text()) == ["s2_ends_at"]
    r = await post(client, f"{base}/ticket-types", {"t0_name_pl": "X", "t0_access_code": "ab"})
    assert r.status == 400 and errors_of(await r.text()) == ["t0_name_en", "t0_access_code"]
    r = await post(client, f"{base}/ticket-types", {"t0_name_pl": "Ą", "t0_name_en": "Ą"})
    assert r.status == 400 and errors_of(await r.text()) == ["t0_slug"]
    question = {"label_pl": "Dieta", "label_en": "Diet", "q_kind": "single", "options": "Tak"}
    r = await post(client, f"{base}/questions", question)
    assert r.status == 400 and errors_of(await r.text()) == ["options"]
    r = await post(client, f"{base}/cancel", {})
    assert r.status == 400 and errors_of(await r.text()) == ["sure"]

    event = await (await client.get(f"/api/v1/events/{slug}", headers=auth(servers.token()))).json()
    assert (event["status"], event["capacity"], event["sessions"]) == ("draft", 120, [])
    assert (await post(client, f"{base}/publish", {})).status == 303
    for part in ("ticket_types", "questions"):
        r = await client.get(f"/api/v1/events/{slug}/{part.replace('_', '-')}")
        assert (await r.json())[part] == []


async def test_viewers_read_and_others_are_refused(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    body = event_body()
    await client.post("/api/v1/events", json=body, headers=auth(servers.token()))
    slug = body["slug"]
    base = f"/office/events/{slug}"
    sign_in(client, {slug: "viewer"})
    html = await (await client.get("/office/")).text()
    assert f'href="{base}"' in html and "/office/events/new" not in html
    for path in (base, f"{base}/sessions", f"{base}/ticket-types", f"{base}/questions"):
        r = await client.get(path)
        assert r.status == 200, path
        assert f'action="{base}' not in await r.text(), path
    for path in (f"{base}/edit", f"{base}/publish", f"{base}/cancel", "/office/events/new"):
        assert (await client.get(path)).status == 403, path
    csrf = await csrf_of(client, base)
    r = await client.post(f"{base}/sessions", data={"csrf": csrf, "s0_name_pl": "X"})
    assert r.status == 403

    sign_in(client, {"other-event": "organizer"})
    html = await (await client.get("/office/")).text()
    assert base not in html
    assert (await client.get(base)).status == 403
    r = await client.post(f"{base}/edit", data={"csrf": csrf, **event_form(slug)})
    assert r.status == 403
    r = await client.post("/office/events/new", data={"csrf": csrf, **event_form(unique())})
    assert r.status == 403


async def test_cancel_says_who_gets_which_email(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    body = event_body(capacity=1)
    await client.post("/api/v1/events", json=body, headers=auth(servers.token()))
    slug = body["slug"]
    url = f"/api/v1/events/{slug}/registrations"
    for lang in ("pl", "en", "en"):
        r = await client.post(url, json=registration_body(lang=lang))
        assert r.status == 201, await r.text()
    sign_in(client, {slug: "organizer"})
    base = f"/office/events/{slug}"
    html = await (await client.get(f"{base}/cancel")).text()
    assert (
        "1 confirmed, 2 waitlisted and 0 with an open offer get the cancellation email, each in"
        " their language (1 in Polish, 2 in English)." in html
    )
    r = await post(client, f"{base}/cancel", {"sure": "1"})
    assert r.status == 303 and r.headers["Location"] == f"{base}?done=cancelled_done"
    event = await (await client.get(f"/api/v1/events/{slug}")).json()
    assert event["status"] == "cancelled"
    html = await (await client.get(r.headers["Location"])).text()
    assert "The event is cancelled." in html and f'href="{base}/cancel"' not in html


async def test_every_error_of_the_event_form_shows_at_the_first_submit(
    service_client: Any,
) -> None:
    """A field left empty and an end before the start are both told at once."""
    client = await service_client("registration")
    sign_in(client, {"*": "organizer"})
    form = event_form(unique("conf"), name_en="", ends_at="2030-05-05T17:00")
    r = await post(client, "/office/events/new", form)
    assert r.status == 400
    found = errors_of(await r.text())
    assert "name_en" in found and "ends_at" in found, found
