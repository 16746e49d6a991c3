"""Which profile fields an event asks (organization, country, role): set through the events
API, enforced by the registrations API and the public form."""

from __future__ import annotations

import re
from typing import Any

from tests.factories import auth, event_body, registration_body
from tests.factories import form as with_csrf
from tests.office_session import sign_in

ASKED = {"organization": "required", "country": "optional", "role": "hidden"}


async def test_profile_fields_are_set_and_enforced(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    organizer = auth(servers.token())
    plain = event_body()
    r = await client.post("/api/v1/events", json=plain, headers=organizer)
    assert (await r.json())["profile_fields"] == {
        "organization": "optional",
        "country": "optional",
        "role": "optional",
    }
    body = event_body(profile_fields=ASKED)
    r = await client.post("/api/v1/events", json=body, headers=organizer)
    assert r.status == 201, await r.text()
    slug = body["slug"]
    assert (await (await client.get(f"/api/v1/events/{slug}")).json())["profile_fields"] == ASKED

    url = f"/api/v1/events/{slug}/registrations"
    r = await client.post(url, json=registration_body())
    assert r.status == 400, await r.text()
    assert [e["field"] for e in (await r.json())["errors"]] == ["organization"]
    r = await client.post(url, json=registration_body(organization="PB", role="student"))
    assert r.status == 201, await r.text()
    got = await r.json()
    assert (got["organization"], got["role"]) == ("PB", None)  # hidden: not stored

    # An event without the setting behaves as before: nothing required.
    r = await client.post(f"/api/v1/events/{plain['slug']}/registrations", json=registration_body())
    assert r.status == 201, await r.text()

    r = await client.patch(
        f"/api/v1/events/{slug}",
        json={"profile_fields": {"role": "required"}},
        headers=organizer,
    )
    assert r.status == 200, await r.text()
    assert (await r.json())["profile_fields"] == {
        "organization": "optional",
        "country": "optional",
        "role": "required",
    }
    r = await client.patch(
        f"/api/v1/events/{slug}", json={"profile_fields": {"role": "maybe"}}, headers=organizer
    )
    assert r.status == 400 and (await r.json())["errors"][0]["field"] == "profile_fields.role"


async def test_the_form_asks_as_the_event_says(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    body = event_body(profile_fields=ASKED)
    await client.post("/api/v1/events", json=body, headers=auth(servers.token()))
    page = f"/events/{body['slug']}?lang=en"
    html = await (await client.get(page)).text()
    assert 'name="organization"' in html and 'id="organization"' in html
    assert 'name="country"' in html and 'name="role"' not in html
    assert 'autocomplete="organization" maxlength="200" required' in html

    fields = {"name": "Ola Nowak", "email": "ola@example.org", "lang": "en", "consent": "on"}
    r = await client.post(page, data=with_csrf(client, fields))
    assert r.status == 400
    html = await r.text()
    assert 'id="organization-error">Give the name of your organization' in html
    r = await client.post(
        page,
        data=with_csrf(client, fields | {"organization": "PB", "country": "XX", "role": "teacher"}),
    )
    assert r.status == 400 and 'id="country-error"' in await r.text()
    r = await client.post(
        page,
        data=with_csrf(client, fields | {"organization": "PB", "country": "DE", "role": "teacher"}),
        allow_redirects=False,
    )
    assert r.status == 303, await r.text()
    registration_id = r.headers["Location"].split("/")[2].split("?")[0]
    r = await client.get(f"/api/v1/registrations/{registration_id}", headers=auth(servers.token()))
    got = await r.json()
    assert (got["organization"], got["country"], got["role"]) == ("PB", "DE", None)


async def test_countries_are_named_and_sorted_in_the_pages_language(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    body = event_body(profile_fields=ASKED)
    await client.post("/api/v1/events", json=body, headers=auth(servers.token()))
    options = re.compile(r'<option value="([A-Z]{2})"(?: selected)?>([^<]+)</option>')
    page = f"/events/{body['slug']}"
    polish = options.findall(await (await client.get(f"{page}?lang=pl")).text())
    english = options.findall(await (await client.get(f"{page}?lang=en")).text())
    assert polish[:3] == [("PL", "Polska"), ("AF", "Afganistan"), ("AL", "Albania")]
    assert english[:3] == [("PL", "Poland"), ("AF", "Afghanistan"), ("AX", "Åland Islands")]
    names = [name for _, name in polish]
    # Polish order: Ł after L, ł before o (code points would put both after Z and o).
    assert names.index("Luksemburg") < names.index("Łotwa") < names.index("Macedonia Północna")
    assert names.index("Sint Maarten") < names.index("Słowacja") < names.index("Somalia")
    assert names[-1] == "Zjednoczone Emiraty Arabskie"
    assert dict(polish)["DE"] == "Niemcy" and dict(english)["DE"] == "Germany"
    assert len(polish) == len(english) == len(set(dict(polish)))

    r = await client.post(
        f"/api/v1/events/{body['slug']}/registrations",
        json=registration_body(organization="PB", country="DE"),
    )
    assert r.status == 201, await r.text()
    sign_in(client, {body["slug"]: "viewer"}, lang="pl")
    html = await (await client.get(f"/office/registrations/{(await r.json())['id']}")).text()
    assert "<dd>Niemcy (DE)</dd>" in html
