"""Changing and removing ticket types and questions from the event pages: the API's use
cases, their refusals at the fields of the form that was sent, in the person's language."""

from __future__ import annotations

import re
from typing import Any

from tests.factories import auth, event_body, registration_body
from tests.office_session import csrf_of, sign_in

FIELD_ERROR = re.compile(r'<p class="error" id="e-([^"]+)">')
TYPES = [
    {"slug": "press", "name": {"pl": "Prasa", "en": "Press"}, "quota": 3},
    {"slug": "guest", "name": {"pl": "Gość", "en": "Guest"}, "access_code": "GUEST-2030"},
]
DIET = {
    "key": "diet",
    "kind": "single",
    "label": {"pl": "Dieta", "en": "Diet"},
    "options": [
        {"value": "any", "label": {"pl": "Dowolna", "en": "Any"}},
        {"value": "vegan", "label": {"pl": "Wegańska", "en": "Vegan"}},
    ],
}
NOTE = {"key": "note", "kind": "text", "label": {"pl": "Uwagi", "en": "Notes"}}


async def _event(client: Any, servers: Any) -> str:
    body = event_body()
    organizer = auth(servers.token())
    r = await client.post("/api/v1/events", json=body, headers=organizer)
    assert r.status == 201, await r.text()
    slug = str(body["slug"])
    for path, part in [
        *(("ticket-types", t) for t in TYPES),
        ("questions", DIET),
        ("questions", NOTE),
    ]:
        r = await client.post(f"/api/v1/events/{slug}/{path}", json=part, headers=organizer)
        assert r.status == 201, await r.text()
    r = await client.post(
        f"/api/v1/events/{slug}/registrations",
        json=registration_body(ticket_type="press", answers={"diet": "vegan"}),
    )
    assert r.status == 201, await r.text()
    return slug


async def _post(client: Any, page: str, action: str, fields: dict[str, str]) -> Any:
    csrf = await csrf_of(client, page)
    return await client.post(action, data=fields | {"csrf": csrf}, allow_redirects=False)


async def test_ticket_types_are_changed_and_removed_from_the_page(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers)
    sign_in(client, {slug: "organizer"}, lang="pl")
    page = f"/office/events/{slug}/ticket-types"
    html = await (await client.get(page)).text()
    assert "Zmień lub usuń: Prasa" in html and 'id="f-e_guest_open"' in html
    press = {"e_press_name_pl": "Media", "e_press_name_en": "Media", "e_press_quota": "0"}
    r = await _post(client, page, f"{page}/press", press)
    html = await r.text()
    assert r.status == 400 and FIELD_ERROR.findall(html) == ["e_press_quota"]
    assert "Podaj liczbę od 1 do 100 000 albo zostaw puste." in html
    guest = {"e_guest_name_pl": "Gość", "e_guest_name_en": "Guest", "e_guest_quota": ""}
    r = await _post(
        client,
        page,
        f"{page}/guest",
        guest | {"e_guest_access_code": "NEW-CODE", "e_guest_open": "1"},
    )
    html = await r.text()
    assert r.status == 400 and FIELD_ERROR.findall(html) == ["e_guest_access_code"]
    assert "Wpisz nowy kod albo zaznacz jego usunięcie" in html

    r = await _post(client, page, f"{page}/press", press | {"e_press_quota": "5"})
    assert r.status == 303 and r.headers["Location"] == f"{page}?done=saved"
    r = await _post(client, page, f"{page}/guest", guest | {"e_guest_open": "1"})
    assert r.status == 303, await r.text()
    r = await client.get(f"/api/v1/events/{slug}/ticket-types")
    assert [
        (t["name"]["en"], t["quota"], t["restricted"]) for t in (await r.json())["ticket_types"]
    ] == [
        ("Media", 5, False),
        ("Guest", None, False),
    ]

    # The type a registration has stays, with the reason at its button.
    r = await _post(client, page, f"{page}/press/remove", {})
    html = await r.text()
    assert r.status == 409 and FIELD_ERROR.findall(html) == ["r_press"]
    assert 'href="#f-r_press"' in html and 'id="f-r_press"' in html
    assert "Ten rodzaj biletu mają już rejestracje (liczba: 1)" in html
    r = await _post(client, page, f"{page}/guest/remove", {})
    assert r.status == 303 and r.headers["Location"] == f"{page}?done=removed"
    r = await client.get(f"/api/v1/events/{slug}/ticket-types")
    assert [t["slug"] for t in (await r.json())["ticket_types"]] == ["press"]

    sign_in(client, {slug: "viewer"})
    html = await (await client.get(page)).text()
    assert "/press/remove" not in html
    r = await client.post(f"{page}/press/remove", data={"csrf": "x"}, cookies={"cnk_csrf": "x"})
    assert r.status == 403


async def test_questions_are_changed_and_removed_from_the_page(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers)
    sign_in(client, {slug: "organizer"})
    page = f"/office/events/{slug}/questions"
    html = await (await client.get(page)).text()
    assert "Change or remove: Diet" in html and 'id="f-e_diet_o1_label_pl"' in html
    diet = {
        "e_diet_label_pl": "Dieta na obiad",
        "e_diet_label_en": "Lunch diet",
        "e_diet_q_required": "1",
        "e_diet_o0_value": "any",
        "e_diet_o0_label_pl": "Dowolna",
        "e_diet_o0_label_en": "Any",
        "e_diet_o1_value": "vegan",
        "e_diet_o1_label_pl": "Wegańska",
        "e_diet_o1_label_en": "Vegan (plant-based)",
        "e_diet_options": "Mięsna | Meat",
    }
    # Vegan was chosen by a registration: it stays, the reason at its box.
    r = await _post(client, page, f"{page}/diet", diet | {"e_diet_o1_remove": "1"})
    html = await r.text()
    assert r.status == 400 and FIELD_ERROR.findall(html) == ["e_diet_o1_remove"]
    assert "The choice &#39;vegan&#39; is in answers already given" in html
    assert 'value="Lunch diet"' in html  # what was typed comes back
    r = await _post(
        client, page, f"{page}/diet", diet | {"e_diet_o0_remove": "1", "e_diet_options": ""}
    )
    html = await r.text()
    assert r.status == 400 and FIELD_ERROR.findall(html) == ["e_diet_options"]
    r = await _post(client, page, f"{page}/diet", diet | {"e_diet_o0_remove": "1"})
    assert r.status == 303 and r.headers["Location"] == f"{page}?done=saved"
    r = await client.get(f"/api/v1/events/{slug}/questions")
    asked = (await r.json())["questions"][0]
    assert (asked["label"]["en"], asked["required"]) == ("Lunch diet", True)
    assert [(o["value"], o["label"]["en"]) for o in asked["options"]] == [
        ("vegan", "Vegan (plant-based)"),
        ("meat", "Meat"),
    ]
    note = {"e_note_label_pl": "Uwagi", "e_note_label_en": ""}
    r = await _post(client, page, f"{page}/note", note)
    assert r.status == 400 and FIELD_ERROR.findall(await r.text()) == ["e_note_label_en"]

    r = await _post(client, page, f"{page}/diet/remove", {})
    html = await r.text()
    assert r.status == 409 and FIELD_ERROR.findall(html) == ["r_diet"]
    r = await _post(client, page, f"{page}/note/remove", {})
    assert r.status == 303 and r.headers["Location"] == f"{page}?done=removed"
    html = await (await client.get(r.headers["Location"])).text()
    assert "Removed." in html and "Change or remove: Notes" not in html
