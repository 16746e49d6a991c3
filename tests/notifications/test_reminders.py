"""Reminders before an event: once per confirmed registration, in its language, none to
waitlisted or cancelled ones, withdrawn and written again when the event moves, and none at
all with REMINDER_HOURS=0."""

from __future__ import annotations

import asyncio
import html
import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from services.notifications.reminders.scheduling import queue_reminders
from shared.config import ConfigError, Settings
from shared.db import DB_POOL
from shared.timefmt import format_when, local_time
from tests.factories import auth, event_body, eventually, registration_body
from tests.infra import free_port
from tests.notifications.pipeline import deliveries, settled_deliveries

NAME = {"pl": "Dzień Otwarty InnHUB", "en": "InnHUB Open Day"}
WORKSHOP = {"pl": "Warsztat druku 3D", "en": "3D printing workshop"}
WINDOW = timedelta(hours=24)
# Reminders 24 h ahead (the default, which tests turn off), looked for every 50 ms.
REMINDERS = {"reminder_hours": 24, "reminder_sweep_seconds": 0.05}


def _soon(hours: float) -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=hours)


async def _event(registration: Any, servers: Any, starts: datetime, **kw: Any) -> dict[str, Any]:
    body = event_body(
        name=NAME,
        starts_at=starts.isoformat(),
        ends_at=(starts + timedelta(hours=6)).isoformat(),
        room="1.01",
        **kw,
    )
    r = await registration.post("/api/v1/events", json=body, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    return body


async def _move(registration: Any, servers: Any, slug: str, starts: datetime) -> None:
    r = await registration.patch(
        f"/api/v1/events/{slug}",
        json={
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=6)).isoformat(),
        },
        headers=auth(servers.token()),
    )
    assert r.status == 200, await r.text()


async def _register(registration: Any, slug: str, **overrides: Any) -> dict[str, Any]:
    r = await registration.post(
        f"/api/v1/events/{slug}/registrations", json=registration_body(**overrides)
    )
    assert r.status == 201, await r.text()
    return dict(await r.json())


async def _deliveries(notifications: Any, servers: Any, reg: dict[str, Any]) -> list[str]:
    """The registration's deliveries as ``template:status``, oldest first."""
    return [f"{d['template']}:{d['status']}" for d in await deliveries(notifications, servers, reg)]


async def _reminders(servers: Any, reg: dict[str, Any]) -> list[EmailMessage]:
    return [
        m
        for m in servers.mailbox.to(reg["email"])
        if str(m["Subject"]).startswith(("Przypomnienie:", "Reminder:"))
    ]


def _parts(msg: EmailMessage) -> tuple[str, str]:
    text, body = msg.get_body(("plain",)), msg.get_body(("html",))
    assert text is not None and body is not None
    return text.get_content().replace("\r\n", "\n"), body.get_content().replace("\r\n", "\n")


def _link(text: str, body: str, pattern: str) -> str:
    [url] = re.findall(pattern, text)
    assert f'href="{html.escape(url)}"' in body
    return str(url)


async def test_reminder_goes_once_to_each_confirmed_attendee_in_their_language(
    service_client: Any, servers: Any
) -> None:
    # Reminders off in the instance that takes in the registrations (REMINDER_HOURS=0),
    # with a fast scheduler that would have queued them many times over otherwise.
    quiet = await service_client("notifications", reminder_hours=0, reminder_sweep_seconds=0.05)
    registration = await service_client("registration")
    tickets = await service_client("tickets")
    starts = _soon(23)
    event = await _event(registration, servers, starts, capacity=3)
    session_starts = starts + timedelta(hours=1)
    r = await registration.post(
        f"/api/v1/events/{event['slug']}/sessions",
        json={
            "slug": "druk-3d",
            "name": WORKSHOP,
            "starts_at": session_starts.isoformat(),
            "ends_at": (session_starts + timedelta(hours=2)).isoformat(),
            "capacity": 5,
            "room": "2.15",
        },
        headers=auth(servers.token()),
    )
    assert r.status == 201, await r.text()
    seated = {
        "pl": await _register(registration, event["slug"], lang="pl", sessions=["druk-3d"]),
        "en": await _register(registration, event["slug"], lang="en"),
    }
    gone = await _register(registration, event["slug"], lang="pl")
    offered = await _register(registration, event["slug"], lang="en")
    waiting = await _register(registration, event["slug"], lang="pl")
    assert (offered["status"], waiting["status"]) == ("waitlisted", "waitlisted")

    async def has_ticket() -> bool:
        # Sent: one still queued when the registration is cancelled would be withdrawn.
        return "ticket:sent" in await _deliveries(quiet, servers, gone)

    await eventually(has_ticket)
    r = await registration.delete(
        f"/api/v1/registrations/{gone['id']}", headers=auth(gone["manage_token"])
    )
    assert r.status == 200, await r.text()
    # Confirmed an hour before its event: the ticket email just told them everything.
    late_event = await _event(registration, servers, _soon(1))
    late = await _register(registration, late_event["slug"], lang="pl")

    everyone = (seated["pl"], seated["en"], gone, offered, waiting, late)
    before = {
        seated["pl"]["id"]: ["ticket"],
        seated["en"]["id"]: ["ticket"],
        gone["id"]: ["ticket", "cancelled"],
        offered["id"]: ["waitlisted", "offer"],
        waiting["id"]: ["waitlisted"],
        late["id"]: ["ticket"],
    }
    assert await settled_deliveries(servers, quiet, *everyone) == before

    # Several instances scanning at once queue each reminder once.
    pool = quiet.app[DB_POOL]
    await asyncio.gather(*(queue_reminders(pool, WINDOW) for _ in range(4)))
    for reg in seated.values():
        assert await _deliveries(quiet, servers, reg) in (
            ["ticket:sent", "reminder:pending"],
            ["ticket:sent", "reminder:sent"],
        )

    # And an instance with reminders on finds nothing more to do.
    await service_client("notifications", **REMINDERS)
    for lang, reg in seated.items():
        [msg] = await eventually(lambda reg=reg: _reminders(servers, reg))
        reminder = {"pl": "Przypomnienie", "en": "Reminder"}[lang]
        assert msg["Subject"] == f"{reminder}: {NAME[lang]}, {local_time(starts)}"
        assert msg["Content-Language"] == lang
        text, body = _parts(msg)
        when = format_when(starts, starts + timedelta(hours=6), lang)
        labels = {"pl": ("Kiedy", "Gdzie", "sala"), "en": ("When", "Where", "room")}[lang]
        assert f"{labels[0]}: {when}" in text
        assert f"{labels[1]}: {event['venue']}, {labels[2]} 1.01" in text
        assert f"<strong>{NAME[lang]}</strong>" in body
        workshop = (
            f"- {WORKSHOP['pl']}, "
            f"{format_when(session_starts, session_starts + timedelta(hours=2), 'pl')}, "
            "sala 2.15: miejsce potwierdzone"
        )
        assert (workshop in text.splitlines()) == (lang == "pl"), text
        assert {
            "pl": "pokaż kod QR z wiadomości z biletem",
            "en": "show the QR code from the email with your ticket",
        }[lang] in text

        manage = _link(text, body, rf"\S+/registrations/{reg['id']}\?\S+")
        assert parse_qs(urlsplit(manage).query) == {"token": [reg["manage_token"]], "lang": [lang]}
        r = await registration.get(
            f"/api/v1/registrations/{reg['id']}", params={"token": reg["manage_token"]}
        )
        assert r.status == 200, await r.text()

        ticket = _link(text, body, rf"\S+/registrations/{reg['id']}/ticket\.html\?\S+")
        tickets_url = servers.settings("notifications").tickets_url
        assert ticket.startswith(f"{tickets_url}/registrations/{reg['id']}/ticket.html?")
        r = await tickets.get(ticket.removeprefix(tickets_url))
        assert r.status == 200, await r.text()

    await queue_reminders(pool, WINDOW)
    assert await settled_deliveries(servers, quiet, *everyone) == before | {
        seated["pl"]["id"]: ["ticket", "reminder"],
        seated["en"]["id"]: ["ticket", "reminder"],
    }
    for reg in everyone:
        assert len(await _reminders(servers, reg)) == (1 if reg in seated.values() else 0)


async def test_a_moved_event_is_reminded_of_at_its_new_time(
    service_client: Any, servers: Any
) -> None:
    # The SMTP server is down at first: queued emails stay pending, so a reminder queued
    # for the old time can be seen to be withdrawn.
    down = await service_client(
        "notifications", smtp_url=f"smtp://127.0.0.1:{free_port()}", **REMINDERS
    )
    registration = await service_client("registration")
    await service_client("tickets")
    event = await _event(registration, servers, _soon(23))
    coming = await _register(registration, event["slug"], lang="en")
    leaving = await _register(registration, event["slug"], lang="pl")

    async def holds(reg: dict[str, Any], *expected: str) -> bool:
        """The registration's deliveries are these (in any order: the ticket comes from
        the tickets service, the reminder from the scheduler)."""
        return sorted(await _deliveries(down, servers, reg)) == sorted(expected)

    for reg in (coming, leaving):
        await eventually(lambda reg=reg: holds(reg, "ticket:pending", "reminder:pending"))

    r = await registration.delete(
        f"/api/v1/registrations/{leaving['id']}", headers=auth(leaving["manage_token"])
    )
    assert r.status == 200, await r.text()
    # Its ticket email, still queued, is withdrawn: the ticket no longer opens the door.
    await eventually(lambda: holds(leaving, "ticket:withdrawn", "cancelled:pending"))
    assert await holds(coming, "ticket:pending", "reminder:pending")

    await _move(registration, servers, event["slug"], _soon(72))
    await eventually(lambda: holds(coming, "ticket:pending", "event_changed:pending"))
    # Three days away: nothing is due, however often the scheduler looks.
    await queue_reminders(down.app[DB_POOL], WINDOW)
    assert await holds(coming, "ticket:pending", "event_changed:pending")

    starts = _soon(20)
    await _move(registration, servers, event["slug"], starts)
    await eventually(
        lambda: holds(coming, "ticket:pending", *["event_changed:pending"] * 2, "reminder:pending")
    )

    # The SMTP server is back.
    await down.close()
    notifications = await service_client("notifications", **REMINDERS)
    await notifications.app[DB_POOL].execute(
        "UPDATE deliveries SET next_attempt_at = now(), claimed_until = NULL"
        " WHERE registration_id = ANY($1::uuid[])",
        [coming["id"], leaving["id"]],
    )
    [msg] = await eventually(lambda: _reminders(servers, coming))
    text, _ = _parts(msg)
    assert f"When: {format_when(starts, starts + timedelta(hours=6), 'en')}" in text

    # Moved again after its reminder went out: the new time gets one of its own.
    starts = _soon(22)
    await _move(registration, servers, event["slug"], starts)

    async def second() -> list[EmailMessage]:
        found = await _reminders(servers, coming)
        return found if len(found) > 1 else []

    [_, msg] = await eventually(second)
    text, _ = _parts(msg)
    assert f"When: {format_when(starts, starts + timedelta(hours=6), 'en')}" in text

    delivered = await settled_deliveries(servers, notifications, coming, leaving)
    assert delivered == {
        coming["id"]: [
            *("ticket", "event_changed", "event_changed", "reminder"),
            *("event_changed", "reminder"),
        ],
        leaving["id"]: ["cancelled"],
    }
    assert await _reminders(servers, leaving) == []
    assert len(servers.mailbox.to(leaving["email"])) == 1


def test_reminder_hours_is_a_whole_number_of_hours_from_zero() -> None:
    env = {"DATABASE_URL": "postgresql://x", "NATS_URL": "nats://x", "STAFF_TOKEN_PUBLIC_KEY": "k"}
    assert Settings.from_env("notifications", env).reminder_hours == 24
    assert Settings.from_env("notifications", env | {"REMINDER_HOURS": "0"}).reminder_hours == 0
    for bad in ("-1", "1.5", "day"):
        with pytest.raises(ConfigError, match="REMINDER_HOURS"):
            Settings.from_env("notifications", env | {"REMINDER_HOURS": bad})
