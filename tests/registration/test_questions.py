"""Organizer-defined questions: defined per event, answered at registration, checked, kept."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.factories import auth, event_body, registration_body
from tests.factories import form as with_csrf

QUESTIONS = [
    {
        "key": "diet",
        "kind": "single",
        "required": True,
        "label": {"pl": "Dieta", "en": "Diet"},
        "options": [
            {"value": "any", "label": {"pl": "Dowolna", "en": "Any"}},
            {"value": "vegan", "label": {"pl": "Wegańska", "en": "Vegan"}},
        ],
    },
    {
        "key": "topics",
        "kind": "multiple",
        "label": {"pl": "Tematy", "en": "Topics"},
        "options": [
            {"value": "ai", "label": {"pl": "SI", "en": "AI"}},
            {"value": "robotics", "label": {"pl": "Robotyka", "en": "Robotics"}},
        ],
    },
    {"key": "note", "kind": "text", "label": {"pl": "Uwagi", "en": "Notes"}},
    {
        "key": "photos",
        "kind": "checkbox",
        "required": True,
        "label": {"pl": "Zgoda na zdjęcia", "en": "Photos allowed"},
    },
]


async def _event(client: Any, servers: Any) -> str:
    body = event_body()
    organizer = auth(servers.token())
    await client.post("/api/v1/events", json=body, headers=organizer)
    for q in QUESTIONS:
        r = await client.post(f"/api/v1/events/{body['slug']}/questions", json=q, headers=organizer)
        assert r.status == 201, await r.text()
    return str(body["slug"])


async def test_answers_are_checked_and_kept(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers)
    r = await client.get(f"/api/v1/events/{slug}/questions")
    assert [q["key"] for q in (await r.json())["questions"]] == ["diet", "topics", "note", "photos"]
    url = f"/api/v1/events/{slug}/registrations"

    r = await client.post(
        url,
        json=registration_body(answers={"diet": "meat", "topics": ["ai", "ai"], "colour": "red"}),
    )
    problem = await r.json()
    assert r.status == 400
    assert sorted(e["field"] for e in problem["errors"]) == [
        "answers.colour",
        "answers.diet",
        "answers.photos",
        "answers.topics",
    ]
    r = await client.get(f"/api/v1/events/{slug}/stats", headers=auth(servers.token()))
    assert (await r.json())["confirmed"] == 0

    answers = {
        "diet": "vegan",
        "topics": ["robotics"],
        "note": "Wózek / wheelchair",
        "photos": True,
    }
    r = await client.post(url, json=registration_body(answers=answers))
    assert r.status == 201, await r.text()
    reg = await r.json()
    r = await client.get(
        f"/api/v1/registrations/{reg['id']}/data", headers=auth(reg["manage_token"])
    )
    assert (await r.json())["registration"]["answers"] == answers
    r = await client.get(f"/api/v1/events/{slug}/registrations.csv", headers=auth(servers.token()))
    rows = list(csv.DictReader(io.StringIO((await r.read()).decode("utf-8-sig"))))
    assert [(x["diet"], x["topics"], x["note"], x["photos"]) for x in rows] == [
        ("vegan", "robotics", "Wózek / wheelchair", "yes")
    ]


async def test_question_definitions_are_checked(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers)
    organizer = auth(servers.token())
    r = await client.post(f"/api/v1/events/{slug}/questions", json=QUESTIONS[0], headers=organizer)
    assert r.status == 409 and (await r.json())["code"] == "question_exists"
    bad = {
        "key": "size",
        "kind": "single",
        "label": {"pl": "Rozmiar", "en": "Size"},
        "options": [{"value": "m", "label": {"pl": "M", "en": "M"}}],
    }
    r = await client.post(f"/api/v1/events/{slug}/questions", json=bad, headers=organizer)
    assert r.status == 400 and (await r.json())["errors"][0]["field"] == "options"


async def test_the_form_asks_the_questions(service_client: Any, servers: Any) -> None:
    client = await service_client("registration")
    slug = await _event(client, servers)
    page = await (await client.get(f"/events/{slug}?lang=en")).text()
    assert "Diet" in page and "Topics (optional)" in page and 'name="q_photos"' in page
    form = {"name": "Jan", "email": "jan-q@example.org", "lang": "en", "consent": "on"}
    r = await client.post(
        f"/events/{slug}?lang=en", data=with_csrf(client, form), allow_redirects=False
    )
    assert r.status == 400
    text = await r.text()
    assert 'id="q_diet-error">Please answer this question.' in text
    form.update({"q_diet": "vegan", "q_photos": "on", "q_topics": "ai"})
    r = await client.post(
        f"/events/{slug}?lang=en", data=with_csrf(client, form), allow_redirects=False
    )
    assert r.status == 303, await r.text()
