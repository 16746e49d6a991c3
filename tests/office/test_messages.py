"""Messages to attendees: previewed per language with the recipients counted, sent once to
each person of the audience, in their language, naming the event."""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any

from shared.db import DB_POOL
from shared.timefmt import format_when
from tests.factories import auth, event_body, eventually, registration_body
from tests.notifications.pipeline import deliveries
from tests.office_session import csrf_of, sign_in

NAME = {"pl": "Dzień Otwarty InnHUB", "en": "InnHUB Open Day"}
TEXTS = {
    "subject_pl": "Zmiana sali",
    "body_pl": "Spotykamy się w sali 2.15.\n\nDo zobaczenia!",
    "subject_en": "Room change",
    "body_en": "We meet in room 2.15.\n\nSee you!",
}


async def messages_sent(
    notifications: Any, servers: Any, expected: list[dict[str, Any]], *others: dict[str, Any]
) -> dict[str, list[str]]:
    """The delivery templates of each registration once every one ``expected`` to get a
    message has it sent. Not the whole pipeline settled: in a full run the tickets
    consumer may still be working through earlier tests' registrations."""

    async def sent() -> dict[str, list[str]] | None:
        found = {}
        for reg in [*expected, *others]:
            log = await deliveries(notifications, servers, reg)
            messages = [d for d in log if d["template"] == "message"]
            if any(d["status"] == "pending" for d in messages):
                return None
            if reg in expected and not messages:
                return None
            found[reg["id"]] = [d["template"] for d in log if d["status"] != "withdrawn"]
        return found

    return await eventually(sent)


async def _services(service_client: Any) -> tuple[Any, Any]:
    # Notifications first: its public key is in the bucket before registration seals.
    notifications = await service_client("notifications")
    registration = await service_client("registration")
    await service_client("tickets")
    return notifications, registration


async def _event(registration: Any, servers: Any, **overrides: Any) -> dict[str, Any]:
    body = event_body(name=NAME, **overrides)
    r = await registration.post("/api/v1/events", json=body, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    return body


async def _register(registration: Any, slug: str, **overrides: Any) -> dict[str, Any]:
    r = await registration.post(
        f"/api/v1/events/{slug}/registrations", json=registration_body(**overrides)
    )
    assert r.status == 201, await r.text()
    return dict(await r.json())


def _message_id(page: str) -> str:
    found = re.search(r'name="message_id" value="([^"]+)"', page)
    assert found, "no send form"
    return found[1]


async def test_a_message_reaches_each_confirmed_attendee_once_in_their_language(
    service_client: Any, servers: Any
) -> None:
    notifications, registration = await _services(service_client)
    event = await _event(registration, servers, capacity=3, room="1.01")
    slug = event["slug"]
    seated = [
        await _register(registration, slug, lang="pl"),
        await _register(registration, slug, lang="pl"),
        await _register(registration, slug, lang="en"),
    ]
    waiting = await _register(registration, slug, lang="en")
    assert waiting["status"] == "waitlisted"
    sign_in(registration, {slug: "organizer"}, name="Ola Organizer")
    path = f"/office/events/{slug}/messages"
    csrf = await csrf_of(registration, path)

    r = await registration.post(
        path, data={**TEXTS, "audience": "confirmed", "action": "preview", "csrf": csrf}
    )
    page = await r.text()
    assert r.status == 200, page
    assert "Recipients in Polish: <strong>2</strong>" in page
    assert "Recipients in English: <strong>1</strong>" in page
    assert "Send to 3 people" in page
    assert html.escape(f"{NAME['pl']}: Zmiana sali") in page
    assert html.escape(f"{NAME['en']}: Room change") in page
    message_id = _message_id(page)

    form = {**TEXTS, "audience": "confirmed", "action": "send", "csrf": csrf}
    form["message_id"] = message_id
    r = await registration.post(path, data=form, allow_redirects=False)
    assert r.status == 303, await r.text()
    assert r.headers["Location"] == f"{path}?sent=3"
    # The same form sent again (a double click) sends nothing more.
    r = await registration.post(path, data=form, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == f"{path}?already=1"

    delivered = await messages_sent(notifications, servers, seated, waiting)
    for reg in seated:
        assert delivered[reg["id"]].count("message") == 1, delivered
    assert "message" not in delivered[waiting["id"]]
    for reg, lang in zip(seated, ["pl", "pl", "en"], strict=True):
        subject = f"{NAME[lang]}: {TEXTS[f'subject_{lang}']}"
        [msg] = [m for m in servers.mailbox.to(reg["email"]) if m["Subject"] == subject]
        assert msg["Content-Language"] == lang
        text = msg.get_body(("plain",))
        assert text is not None
        content = text.get_content().replace("\r\n", "\n")
        assert TEXTS[f"body_{lang}"] in content
        assert NAME[lang] in content
        when = format_when(
            datetime.fromisoformat(event["starts_at"]),
            datetime.fromisoformat(event["ends_at"]),
            lang,
        )
        assert when in content
    assert not [m for m in servers.mailbox.to(waiting["email"]) if "Room change" in m["Subject"]]

    r = await registration.get(f"{path}?sent=3")
    page = await r.text()
    assert "The message was sent to 3 people." in page
    assert "Ola Organizer" in page and "Room change" in page


async def test_bad_input_gives_field_errors_and_sends_nothing(
    service_client: Any, servers: Any
) -> None:
    registration = await service_client("registration")
    event = await _event(registration, servers)
    slug = event["slug"]
    await _register(registration, slug, lang="pl")
    sign_in(registration, {slug: "organizer"}, lang="pl")
    path = f"/office/events/{slug}/messages"
    csrf = await csrf_of(registration, path)
    r = await registration.post(
        path,
        data={"subject_pl": "", "body_pl": " ", "subject_en": "Hi", "action": "send", "csrf": csrf},
    )
    page = await r.text()
    assert r.status == 400, page
    assert page.count('aria-invalid="true"') == 3
    for field in ("subject_pl", "body_pl", "body_en", "audience"):
        assert f'href="#f-{field}"' in page
    assert "Wybierz, do kogo wysłać wiadomość." in page
    assert "Nie wysłano jeszcze żadnej wiadomości." in page
    # A session audience needs a session; a group with nobody in it cannot be written to.
    r = await registration.post(
        path, data={**TEXTS, "audience": "session", "action": "preview", "csrf": csrf}
    )
    assert r.status == 400
    r = await registration.post(
        path, data={**TEXTS, "audience": "waitlisted", "action": "send", "csrf": csrf}
    )
    page = await r.text()
    assert r.status == 400 and "nie ma do kogo wysłać" in page
    assert "Nie wysłano jeszcze żadnej wiadomości." in page
    r = await registration.post(path, data={**TEXTS, "audience": "confirmed", "action": "send"})
    assert r.status == 403  # no CSRF field


async def test_a_viewer_cannot_write_to_attendees(service_client: Any, servers: Any) -> None:
    registration = await service_client("registration")
    event = await _event(registration, servers)
    slug = event["slug"]
    await _register(registration, slug)
    sign_in(registration, {slug: "viewer"})
    path = f"/office/events/{slug}/messages"
    r = await registration.get(path)
    assert r.status == 403
    r = await registration.post(
        path,
        data={**TEXTS, "audience": "confirmed", "action": "send", "csrf": "x"},
        cookies={"cnk_csrf": "x"},
    )
    assert r.status == 403
    sign_in(registration, {"other-event": "organizer"})
    r = await registration.get(path)
    assert r.status == 403


async def test_the_session_audience_counts_its_confirmed_places(
    service_client: Any, servers: Any
) -> None:
    registration = await service_client("registration")
    event = await _event(registration, servers)
    slug = event["slug"]
    session = {
        "slug": "druk-3d",
        "name": {"pl": "Warsztat druku 3D", "en": "3D printing workshop"},
        "starts_at": event["starts_at"],
        "ends_at": event["ends_at"],
        "capacity": 5,
    }
    r = await registration.post(
        f"/api/v1/events/{slug}/sessions", json=session, headers=auth(servers.token())
    )
    assert r.status == 201, await r.text()
    await _register(registration, slug, lang="en", sessions=["druk-3d"])
    await _register(registration, slug, lang="en")
    sign_in(registration, {slug: "organizer"})
    path = f"/office/events/{slug}/messages"
    csrf = await csrf_of(registration, path)
    r = await registration.post(
        path,
        data={**TEXTS, "audience": "session", "session": "druk-3d", "action": "preview"}
        | {"csrf": csrf},
    )
    page = await r.text()
    assert r.status == 200, page
    assert "Recipients in English: <strong>1</strong>" in page and "Send to 1 person" in page


async def test_the_checked_in_audiences_split_the_confirmed_by_their_entry(
    service_client: Any, servers: Any
) -> None:
    notifications, registration = await _services(service_client)
    event = await _event(registration, servers)
    slug = event["slug"]
    inside = await _register(registration, slug, lang="en")
    outside = await _register(registration, slug, lang="en")
    # What checkin's ``checkin.recorded`` writes on a main-entrance scan.
    await registration.server.app[DB_POOL].execute(
        "UPDATE registrations SET first_checked_in_at = now() WHERE id = $1", inside["id"]
    )
    sign_in(registration, {slug: "organizer"})
    path = f"/office/events/{slug}/messages"
    csrf = await csrf_of(registration, path)
    r = await registration.get(path)
    page = await r.text()
    assert "Those who have checked in" in page
    assert "Confirmed people who have not checked in yet" in page
    for audience, subject in (("checked_in", "Welcome"), ("not_checked_in", "We miss you")):
        form = {**TEXTS, "subject_en": subject, "audience": audience, "csrf": csrf}
        r = await registration.post(path, data={**form, "action": "preview"})
        page = await r.text()
        assert r.status == 200, page
        assert "Recipients in English: <strong>1</strong>" in page
        form |= {"action": "send", "message_id": _message_id(page)}
        r = await registration.post(path, data=form, allow_redirects=False)
        assert r.status == 303 and r.headers["Location"] == f"{path}?sent=1"

    delivered = await messages_sent(notifications, servers, [inside, outside])
    assert delivered[inside["id"]].count("message") == 1, delivered
    assert delivered[outside["id"]].count("message") == 1, delivered
    for reg, subject in ((inside, "Welcome"), (outside, "We miss you")):
        subjects = [m["Subject"] for m in servers.mailbox.to(reg["email"])]
        assert f"{NAME['en']}: {subject}" in subjects, subjects
    r = await registration.get(path)
    page = await r.text()
    assert "Those who have checked in</td>" in page


async def test_a_language_nobody_reads_may_stay_empty(service_client: Any, servers: Any) -> None:
    """Only Polish readers: the English text may be left out. Someone reading English who
    registers between the preview and the send stops the send at the English fields."""
    notifications, registration = await _services(service_client)
    event = await _event(registration, servers)
    slug = event["slug"]
    polish = await _register(registration, slug, lang="pl")
    sign_in(registration, {slug: "organizer"})
    path = f"/office/events/{slug}/messages"
    csrf = await csrf_of(registration, path)
    form = {
        "subject_pl": "Zmiana sali",
        "body_pl": "Spotykamy się w sali 2.15.",
        "audience": "confirmed",
        "csrf": csrf,
    }
    r = await registration.post(path, data={**form, "action": "preview"})
    page = await r.text()
    assert r.status == 200, page
    assert "Recipients in English: <strong>0</strong>" in page and 'id="as-en"' not in page
    message_id = _message_id(page)

    english = await _register(registration, slug, lang="en")
    send = {**form, "action": "send", "message_id": message_id}
    r = await registration.post(path, data=send, allow_redirects=False)
    page = await r.text()
    assert r.status == 400, page
    assert 'id="e-subject_en"' in page and 'id="e-body_en"' in page
    assert 'id="e-subject_pl"' not in page

    r = await registration.delete(
        f"/api/v1/registrations/{english['id']}", headers=auth(english["manage_token"])
    )
    assert r.status == 200, await r.text()
    r = await registration.post(path, data=send, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == f"{path}?sent=1"
    delivered = await messages_sent(notifications, servers, [polish])
    assert delivered[polish["id"]].count("message") == 1
