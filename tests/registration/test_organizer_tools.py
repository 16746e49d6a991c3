"""Organizer tools: list, search and export an event's registrations."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.factories import auth, event_body, registration_body


async def test_list_search_and_export(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    organizer = auth(servers.token())
    body = event_body(capacity=2)
    await client.post("/api/v1/events", json=body, headers=organizer)
    slug = body["slug"]
    names = ["Zażółć Gęślą Jaźń", "王芳", "O'Brien-Łukasiewicz", "100% Kowalski_Nowak"]
    regs = []
    for name in names:
        r = await client.post(
            f"/api/v1/events/{slug}/registrations", json=registration_body(name=name)
        )
        regs.append(await r.json())

    r = await client.get(f"/api/v1/events/{slug}/registrations", headers=organizer)
    assert r.status == 200, await r.text()
    listed = await r.json()
    assert listed["total"] == 4
    assert [x["name"] for x in listed["registrations"]] == names
    assert [x["status"] for x in listed["registrations"]] == ["confirmed"] * 2 + ["waitlisted"] * 2

    r = await client.get(
        f"/api/v1/events/{slug}/registrations?status=waitlisted&q=%25", headers=organizer
    )
    found = await r.json()
    assert [x["name"] for x in found["registrations"]] == ["100% Kowalski_Nowak"]
    r = await client.get(f"/api/v1/events/{slug}/registrations?q=gęślą", headers=organizer)
    assert [x["id"] for x in (await r.json())["registrations"]] == [regs[0]["id"]]
    r = await client.get(f"/api/v1/events/{slug}/registrations?limit=1&offset=1", headers=organizer)
    page = await r.json()
    assert (page["total"], [x["name"] for x in page["registrations"]]) == (4, ["王芳"])

    r = await client.get(f"/api/v1/events/{slug}/registrations.csv", headers=organizer)
    assert r.status == 200 and r.content_type == "text/csv"
    text = (await r.read()).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["name"] for row in rows] == names
    assert rows[0]["status"] == "confirmed" and rows[0]["email"] == regs[0]["email"]


async def test_listing_needs_an_organizer_and_valid_parameters(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    body = event_body()
    await client.post("/api/v1/events", json=body, headers=auth(servers.token()))
    url = f"/api/v1/events/{body['slug']}/registrations"
    assert (await client.get(url)).status == 401
    assert (await client.get(url, headers=auth(servers.token("door")))).status == 403
    r = await client.get(f"{url}?limit=0", headers=auth(servers.token()))
    problem = await r.json()
    assert r.status == 400 and problem["errors"][0]["field"] == "limit"
    r = await client.get(f"{url}?status=lost", headers=auth(servers.token()))
    assert r.status == 400 and (await r.json())["errors"][0]["field"] == "status"
    r = await client.get(f"{url}?color=red", headers=auth(servers.token()))
    assert r.status == 400 and (await r.json())["errors"][0]["field"] == "color"


async def test_the_export_never_hands_a_spreadsheet_a_formula(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    organizer = auth(servers.token())
    body = event_body()
    await client.post("/api/v1/events", json=body, headers=organizer)
    formula = '=HYPERLINK("http://example.org/x","Kliknij")'
    r = await client.post(
        f"/api/v1/events/{body['slug']}/registrations",
        json=registration_body(name="@SUM(A1:A9)", organization=formula),
    )
    assert r.status == 201, await r.text()
    r = await client.get(f"/api/v1/events/{body['slug']}/registrations.csv", headers=organizer)
    [row] = list(csv.DictReader(io.StringIO((await r.read()).decode("utf-8-sig"))))
    # An apostrophe first: the spreadsheet shows the text instead of running it.
    assert (row["name"], row["organization"]) == ("'@SUM(A1:A9)", "'" + formula)
