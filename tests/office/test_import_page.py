"""The back office's CSV import: a preview with each line's result stores nothing, the
confirmation stores every line (once), a wrong file is reported line by line."""

from __future__ import annotations

import io
from typing import Any

import aiohttp

from tests.conftest import AppClient, Infra
from tests.factories import auth, event_body
from tests.office_session import csrf_of, sign_in


def _upload(csrf: str, content: str | bytes) -> aiohttp.FormData:
    raw = content.encode() if isinstance(content, str) else content
    form = aiohttp.FormData()
    form.add_field("csrf", csrf)
    form.add_field("file", io.BytesIO(raw), filename="people.csv", content_type="text/csv")
    return form


async def _count(client: Any, slug: str, servers: Infra) -> int:
    r = await client.get(f"/api/v1/events/{slug}/registrations", headers=auth(servers.token()))
    return int((await r.json())["total"])


async def test_preview_stores_nothing_then_confirm_stores(
    service_client: AppClient, servers: Infra
) -> None:
    client = await service_client("registration")
    body = event_body(capacity=1)
    r = await client.post("/api/v1/events", json=body, headers=auth(servers.token()))
    assert r.status == 201
    slug = body["slug"]
    sign_in(client, {slug: "organizer"}, lang="pl")
    page = f"/office/events/{slug}/import"
    csrf = await csrf_of(client, page)
    content = (
        f"name,email,organization\nAda,ada-{slug}@example.org,ACME\nBob,bob-{slug}@example.org,\n"
    )
    r = await client.post(page, data=_upload(csrf, content))
    assert r.status == 200, await r.text()
    text = await r.text()
    assert "Wszystkie wiersze (2) są poprawne" in text and "Zaimportuj 2 osób" in text
    assert await _count(client, slug, servers) == 0
    draft = text.split('name="draft" value="')[1].split('"')[0]

    r = await client.post(
        f"{page}/confirm", data={"csrf": csrf, "draft": draft}, allow_redirects=False
    )
    assert r.status == 303, await r.text()
    r = await client.get(r.headers["Location"])
    assert "Zaimportowano 2 osób: potwierdzonych 1, na liście oczekujących 1." in await r.text()
    assert await _count(client, slug, servers) == 2
    # The same confirmation again imports nothing more.
    r = await client.post(f"{page}/confirm", data={"csrf": csrf, "draft": draft})
    assert r.status == 410 and "Podgląd wygasł" in await r.text()
    assert await _count(client, slug, servers) == 2


async def test_a_wrong_file_is_reported_line_by_line(
    service_client: AppClient, servers: Infra
) -> None:
    client = await service_client("registration")
    body = event_body()
    await client.post("/api/v1/events", json=body, headers=auth(servers.token()))
    slug = body["slug"]
    taken = f"taken-{slug}@example.org"
    r = await client.post(
        f"/api/v1/events/{slug}/registrations",
        json={"name": "Taken", "email": taken, "lang": "pl", "consent": True},
    )
    assert r.status == 201
    sign_in(client, {slug: "organizer"})
    page = f"/office/events/{slug}/import"
    csrf = await csrf_of(client, page)
    content = (
        "name,email,country\n"
        f"Ada,ada-{slug}@example.org,PL\n"
        ",nobody@example.org,\n"
        f"Again,ada-{slug}@example.org,\n"
        f"Taken,{taken},\n"
        f"Bad Country,c-{slug}@example.org,Poland\n"
    )
    r = await client.post(page, data=_upload(csrf, content))
    assert r.status == 400
    text = await r.text()
    assert "The file has wrong lines: 4." in text and 'name="draft"' not in text
    for said in (
        "no name, or longer than 200 characters",
        "same email as line 2",
        "this email is already registered for the event",
        "the country must be a two-letter ISO code such as PL",
        "<td>ok</td>",
    ):
        assert said in text, said
    assert await _count(client, slug, servers) == 1

    r = await client.post(page, data=_upload(csrf, "who,what\nx,y\n"))
    assert r.status == 400 and "The first line must name the columns" in await r.text()
    r = await client.post(page, data=_upload(csrf, "name,email\n\xff".encode("latin-1")))
    assert r.status == 400 and "The file must be UTF-8." in await r.text()
    r = await client.post(page, data={"csrf": csrf})
    assert r.status == 400 and "Choose a CSV file." in await r.text()
    big = "name,email\n" + "x" * (1024 * 1024)
    r = await client.post(page, data=_upload(csrf, big))
    assert r.status == 413 and "The file is too large" in await r.text()
