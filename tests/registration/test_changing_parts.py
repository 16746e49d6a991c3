"""Organizers change and remove ticket types and questions through the API: a quota never
below what is taken, access codes set and removed, answers already given stay readable,
nothing in use is removed, and each change is announced and audited."""

from __future__ import annotations

from typing import Any

import asyncpg

from tests.factories import auth, event_body, eventually, registration_body

PRESS = {"slug": "press", "name": {"pl": "Prasa", "en": "Press"}, "quota": 1}
PARTICIPANT = {"slug": "participant", "name": {"pl": "Uczestnik", "en": "Participant"}}
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


async def _event(client: Any, servers: Any, path: str, *parts: dict[str, Any], **kw: Any) -> str:
    body = event_body(**kw)
    organizer = auth(servers.token())
    r = await client.post("/api/v1/events", json=body, headers=organizer)
    assert r.status == 201, await r.text()
    for part in parts:
        r = await client.post(f"/api/v1/events/{body['slug']}/{path}", json=part, headers=organizer)
        assert r.status == 201, await r.text()
    return str(body["slug"])


async def _register(client: Any, slug: str, **fields: Any) -> dict[str, Any]:
    r = await client.post(f"/api/v1/events/{slug}/registrations", json=registration_body(**fields))
    assert r.status == 201, await r.text()
    return dict(await r.json())


async def _audited(servers: Any, slug: str, wanted: dict[str, int]) -> None:
    """Wait until the audit log (fed through the outbox) holds so many of each action."""

    async def logged() -> bool:
        db = await asyncpg.connect(servers.database_url)
        try:
            rows = await db.fetch(
                "SELECT action FROM registration.audit_log WHERE event_slug = $1", slug
            )
        finally:
            await db.close()
        found = [r["action"] for r in rows]
        return all(found.count(action) == n for action, n in wanted.items())

    await eventually(logged)


async def test_ticket_types_change_and_go(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    checkin = await service_client("checkin")
    slug = await _event(client, servers, "ticket-types", PRESS, PARTICIPANT, capacity=2)
    organizer = auth(servers.token())
    types = f"/api/v1/events/{slug}/ticket-types"
    await _register(client, slug, ticket_type="press")
    participant = await _register(client, slug, ticket_type="participant")
    waiting = await _register(client, slug, ticket_type="press")
    assert waiting["status"] == "waitlisted"
    r = await client.delete(f"/api/v1/registrations/{participant['id']}", headers=organizer)
    assert r.status == 200, await r.text()
    r = await client.get(f"/api/v1/registrations/{waiting['id']}", headers=organizer)
    assert (await r.json())["status"] == "waitlisted"  # a seat is free, but press is sold out

    r = await client.patch(
        f"{types}/press", json={"quota": None}, headers=auth(servers.token("viewer"))
    )
    assert r.status == 403
    r = await client.patch(f"{types}/vip", json={"quota": 3}, headers=organizer)
    assert r.status == 404 and (await r.json())["code"] == "ticket_type_not_found"
    r = await client.patch(f"{types}/press", json={"slug": "media"}, headers=organizer)
    assert r.status == 400  # the slug is what tickets and lists know the type by

    # A larger quota offers the free seat to the press person at once.
    name = {"pl": "Media", "en": "Media"}
    r = await client.patch(f"{types}/press", json={"name": name, "quota": 2}, headers=organizer)
    assert r.status == 200, await r.text()
    assert await r.json() == {
        "slug": "press",
        "name": name,
        "quota": 2,
        "available": 0,
        "restricted": False,
    }
    r = await client.get(f"/api/v1/registrations/{waiting['id']}", headers=organizer)
    assert (await r.json())["status"] == "offered"
    r = await client.patch(f"{types}/press", json={"quota": 1}, headers=organizer)
    body = await r.json()
    assert r.status == 409 and body["code"] == "quota_below_taken", body
    assert [e["field"] for e in body["errors"]] == ["quota"]

    # An access code set, then removed.
    r = await client.patch(
        f"{types}/participant", json={"access_code": "VIP-2030"}, headers=organizer
    )
    assert r.status == 200 and (await r.json())["restricted"] is True
    r = await client.post(
        f"/api/v1/events/{slug}/registrations",
        json=registration_body(ticket_type="participant"),
    )
    assert r.status == 403 and (await r.json())["code"] == "access_code_invalid"
    r = await client.patch(f"{types}/participant", json={"access_code": None}, headers=organizer)
    assert r.status == 200 and (await r.json())["restricted"] is False

    # Removing: refused while any registration (a cancelled one too) has the type.
    r = await client.delete(f"{types}/participant", headers=organizer)
    body = await r.json()
    assert r.status == 409 and body["code"] == "ticket_type_in_use" and body["count"] == 1
    assert [e["field"] for e in body["errors"]] == ["ticket_type"]
    spare = {"slug": "spare", "name": {"pl": "Zapas", "en": "Spare"}}
    r = await client.post(types, json=spare, headers=organizer)
    assert r.status == 201
    r = await client.delete(f"{types}/spare", headers=organizer)
    assert r.status == 204, await r.text()
    r = await client.get(types)
    assert [t["slug"] for t in (await r.json())["ticket_types"]] == ["press", "participant"]
    r = await client.delete(f"{types}/spare", headers=organizer)
    assert r.status == 404

    # Checkin heard of the removal (event.updated with the types).
    async def checkin_types() -> list[str] | None:
        db = await asyncpg.connect(servers.database_url)
        try:
            found = await db.fetchval(
                "SELECT ticket_types FROM checkin.events WHERE slug = $1", slug
            )
        finally:
            await db.close()
        return found if found == ["participant", "press"] else None

    await eventually(checkin_types)
    assert checkin is not None
    await _audited(servers, slug, {"ticket_type.updated": 3, "ticket_type.removed": 1})


async def test_questions_change_and_go_keeping_answers_readable(
    service_client: Any, servers: Any
) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers, "questions", DIET, NOTE)
    organizer = auth(servers.token())
    questions = f"/api/v1/events/{slug}/questions"
    person = await _register(client, slug, answers={"diet": "vegan"})

    vegan = DIET["options"][1]
    meat = {"value": "meat", "label": {"pl": "Mięsna", "en": "Meat"}}
    r = await client.patch(
        f"{questions}/diet", json={"options": [meat, DIET["options"][0]]}, headers=organizer
    )
    body = await r.json()
    assert r.status == 409 and body["code"] == "option_in_use" and body["value"] == "vegan"
    assert [e["field"] for e in body["errors"]] == ["options"]
    # The unused choice goes, a new one comes, labels and "required" change.
    label = {"pl": "Dieta na obiad", "en": "Lunch diet"}
    changed = {"label": label, "required": True, "options": [vegan, meat]}
    r = await client.patch(f"{questions}/diet", json=changed, headers=organizer)
    assert r.status == 200, await r.text()
    assert await r.json() == {"key": "diet", "kind": "single", **changed}
    r = await client.patch(f"{questions}/diet", json={"options": [vegan]}, headers=organizer)
    assert r.status == 400 and (await r.json())["errors"][0]["field"] == "options"
    r = await client.patch(f"{questions}/note", json={"options": [vegan, meat]}, headers=organizer)
    assert r.status == 400
    r = await client.patch(f"{questions}/note", json={"kind": "single"}, headers=organizer)
    assert r.status == 400
    r = await client.patch(f"{questions}/size", json={"required": True}, headers=organizer)
    assert r.status == 404 and (await r.json())["code"] == "question_not_found"
    # The new required question is asked of new registrations; the answer given stays.
    r = await client.post(f"/api/v1/events/{slug}/registrations", json=registration_body())
    assert r.status == 400 and (await r.json())["errors"][0]["field"] == "answers.diet"
    r = await client.get(
        f"/api/v1/registrations/{person['id']}/data", headers=auth(person["manage_token"])
    )
    assert (await r.json())["registration"]["answers"] == {"diet": "vegan"}

    r = await client.delete(f"{questions}/diet", headers=organizer)
    body = await r.json()
    assert r.status == 409 and body["code"] == "question_answered" and body["count"] == 1
    r = await client.delete(f"{questions}/note", headers=organizer)
    assert r.status == 204, await r.text()
    r = await client.get(questions)
    assert [q["key"] for q in (await r.json())["questions"]] == ["diet"]
    await _audited(servers, slug, {"question.updated": 1, "question.removed": 1})
