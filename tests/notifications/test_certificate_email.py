"""Sending certificates (`cnk certificates send`): each attendee who checked in gets one
email in their language, with the PDF attached and a link that downloads it; never twice."""

from __future__ import annotations

import asyncio
import html
import re
import uuid
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import msgspec
import nats
import pytest

from cnk import cli
from shared import wire
from shared.events import CertificateIssued, RegistrationConfirmed
from tests.factories import auth, eventually, started_event_body
from tests.journey import register, ticket
from tests.pdfs import pdf_qr, pdf_text

NAME = {"pl": "Dzień Otwarty InnHUB", "en": "InnHUB Open Day"}
SUBJECT = {
    "pl": f"Zaświadczenie o uczestnictwie: {NAME['pl']}",
    "en": f"Your certificate of attendance: {NAME['en']}",
}


async def _registered(
    registration: Any, tickets: Any, checkin: Any, organizer: str, slug: str, **person: Any
) -> dict[str, Any]:
    reg = await register(registration, slug, **person)
    reg["code"] = (await ticket(tickets, reg))["code"]

    async def known() -> bool:
        r = await checkin.get(
            f"/api/v1/registrations/{reg['id']}/certificate.pdf", headers=auth(reg["manage_token"])
        )
        return bool(r.status == 404)

    async def ticket_known() -> bool:
        # A code scanned before checkin has its ticket is accepted (it is signed), but
        # counts for nobody's certificate until ticket.issued names its registration.
        r = await checkin.get(f"/api/v1/events/{slug}/attendance", headers=auth(organizer))
        body = await r.json()
        return bool(r.status == 200 and body["tickets"] == body["registered"])

    await eventually(known)  # the registration: checkin counts it among the registered
    await eventually(ticket_known)
    return reg


def _certificate_mails(servers: Any, reg: dict[str, Any]) -> list[EmailMessage]:
    return [m for m in servers.mailbox.to(reg["email"]) if m["Subject"] in SUBJECT.values()]


async def _settled(servers: Any) -> None:
    nc = await nats.connect(servers.nats_url)
    js = nc.jetstream()

    async def done() -> bool:
        info = await js.consumer_info("CHECKIN", "notifications")
        return not info.num_pending and not info.num_ack_pending

    try:
        await eventually(done)
    finally:
        await nc.close()


async def test_certificates_are_emailed_once_to_each_attendee_in_their_language(
    service_client: Any, servers: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    notifications = await service_client("notifications")
    registration = await service_client("registration")
    tickets = await service_client("tickets")
    checkin = await service_client("checkin")
    event = started_event_body(name=NAME)
    slug = event["slug"]
    r = await registration.post("/api/v1/events", json=event, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    people = [
        await _registered(
            registration,
            tickets,
            checkin,
            servers.token(),
            slug,
            name="Zażółć Gęślą Jaźń",
            lang="pl",
        ),
        await _registered(
            registration, tickets, checkin, servers.token(), slug, name="Øyvind Ærø", lang="en"
        ),
        await _registered(
            registration, tickets, checkin, servers.token(), slug, name="Nie Przyszedł", lang="pl"
        ),
    ]
    door = auth(servers.token("door", [slug]))
    for reg in people[:2]:
        r = await checkin.post(
            "/api/v1/scans",
            json={"code": reg["code"], "gate": "hall", "scan_id": str(uuid.uuid4())},
            headers=door,
        )
        assert (await r.json())["result"] == "accepted"

    # The command-line tool, against this checkin, with a key of the suite's staff keys.
    monkeypatch.setenv("STAFF_TOKEN_PRIVATE_KEY", servers.staff_private_key)
    url = str(checkin.make_url("")).rstrip("/")
    args = ["certificates", "send", "--event", slug, "--url", url]
    assert await asyncio.to_thread(cli.main, args) == 0
    out = capsys.readouterr().out
    assert f"certificates for {slug}: 2 attended, 2 newly issued, 2 emailed now" in out, out

    checkin_url = servers.settings("checkin").checkin_url
    names = ("Zażółć Gęślą Jaźń", "Øyvind Ærø")
    for reg, lang, name in zip(people[:2], ("pl", "en"), names, strict=True):

        async def arrived(reg: dict[str, Any] = reg) -> list[EmailMessage]:
            return _certificate_mails(servers, reg)

        [msg] = await eventually(arrived)
        assert msg["Subject"] == SUBJECT[lang] and msg["Content-Language"] == lang
        text_part, html_part = msg.get_body(("plain",)), msg.get_body(("html",))
        assert text_part is not None and html_part is not None
        text, body = text_part.get_content(), html_part.get_content()
        assert name in text and NAME[lang] in text
        [pdf_part] = [p for p in msg.walk() if p.get_content_type() == "application/pdf"]
        pdf = pdf_part.get_payload(decode=True)
        assert isinstance(pdf, bytes) and name in pdf_text(pdf)
        verify_url = pdf_qr(pdf)
        assert verify_url.startswith(f"{checkin_url}/verify/") and verify_url in text
        # The download link: checkin's PDF, opened by the manage token.
        [link] = re.findall(rf"\S+/registrations/{reg['id']}/certificate\.pdf\?\S+", text)
        assert link.startswith(checkin_url) and f'href="{html.escape(link)}"' in body
        parts = urlsplit(link)
        r = await checkin.get(f"{parts.path}?{parts.query}")
        assert r.status == 200, await r.text()
        assert await r.read() == pdf  # the same document as attached
        # And the verification page behind the QR code says it is genuine.
        r = await checkin.get(urlsplit(verify_url).path, params={"lang": lang})
        assert r.status == 200 and 'data-reason="genuine"' in await r.text()
    assert _certificate_mails(servers, people[2]) == []

    # Again: nothing new to issue or to send.
    r = await checkin.post(
        f"/api/v1/events/{slug}/certificates/send", headers=auth(servers.token("organizer", [slug]))
    )
    assert r.status == 200, await r.text()
    assert await r.json() == {
        "event": slug,
        "session": None,
        "attended": 2,
        "issued": 0,
        "announced": 0,
        "already_sent": 2,
    }
    await _settled(servers)
    r = await notifications.get(
        "/api/v1/deliveries",
        params={"registration_id": people[0]["id"]},
        headers=auth(servers.token()),
    )
    templates = [d["template"] for d in (await r.json())["deliveries"]]
    assert templates.count("certificate_ready") == 1, templates
    for reg in people[:2]:
        assert len(_certificate_mails(servers, reg)) == 1


async def test_send_needs_an_organizer_of_the_event(service_client: Any, servers: Any) -> None:
    checkin = await service_client("checkin")
    registration = await service_client("registration")
    event = started_event_body()
    r = await registration.post("/api/v1/events", json=event, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    path = f"/api/v1/events/{event['slug']}/certificates/send"
    r = await checkin.post(path, headers=auth(servers.token("organizer", ["another-event"])))
    assert r.status == 403 and (await r.json())["code"] == "event_not_covered"
    r = await checkin.post(path, headers=auth(servers.token("door", [event["slug"]])))
    assert r.status == 403

    async def known() -> dict[str, Any] | None:
        r = await checkin.post(path, headers=auth(servers.token()), json={"session": "nope"})
        return (
            dict(await r.json())
            if r.status != 404 or (await r.json())["code"] != "event_not_found"
            else None
        )

    problem = await eventually(known)
    assert problem["code"] == "session_not_found"
    r = await checkin.post(path, headers=auth(servers.token()), json={"sesion": "x"})
    assert r.status == 400 and (await r.json())["code"] == "validation_failed"
    r = await checkin.post(path, headers=auth(servers.token()))
    assert r.status == 200 and (await r.json())["attended"] == 0


async def _stored(js: Any, stream: str, subject: str, registration_id: str) -> Any:
    """The event of ``subject`` about ``registration_id``, decoded from ``stream``."""

    async def found() -> Any:
        for seq in range((await js.stream_info(stream)).state.last_seq, 0, -1):
            stored = await js.get_msg(stream, seq)
            if stored.subject == subject and registration_id.encode() in stored.data:
                return wire.decode(stored.data)[1]
        return None

    return await eventually(found)


async def _waiting(servers: Any, registration_id: uuid.UUID) -> bool:
    """Notifications keeps a certificate for ``registration_id`` until its attendee is known."""
    conn = await asyncpg.connect(servers.database_url)
    try:
        return bool(
            await conn.fetchval(
                "SELECT count(*) FROM notifications.certificates_waiting"
                " WHERE registration_id = $1",
                registration_id,
            )
        )
    finally:
        await conn.close()


async def test_a_certificate_that_arrives_before_its_attendee_waits_for_them(
    service_client: Any, servers: Any
) -> None:
    # The streams are not ordered with each other: a certificate can reach notifications
    # before the registration event that carries the address. It is retried, not dropped.
    await service_client("notifications")
    registration = await service_client("registration")
    tickets = await service_client("tickets")
    checkin = await service_client("checkin")
    event = started_event_body(name=NAME)
    r = await registration.post("/api/v1/events", json=event, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    reg = await _registered(
        registration, tickets, checkin, servers.token(), event["slug"], name="Øyvind Ærø", lang="en"
    )
    r = await checkin.post(
        "/api/v1/scans",
        json={"code": reg["code"], "gate": "hall", "scan_id": str(uuid.uuid4())},
        headers=auth(servers.token("door", [event["slug"]])),
    )
    assert (await r.json())["result"] == "accepted"
    path = f"/api/v1/events/{event['slug']}/certificates/send"
    r = await checkin.post(path, headers=auth(servers.token()))
    assert r.status == 200 and (await r.json())["announced"] == 1

    nc = await nats.connect(servers.nats_url)
    js = nc.jetstream()
    try:
        certificate = await _stored(js, "CHECKIN", CertificateIssued.TYPE, reg["id"])
        confirmed = await _stored(js, "REGISTRATION", RegistrationConfirmed.TYPE, reg["id"])
        # The same two events for somebody else, the certificate first.
        newcomer, address = uuid.uuid4(), f"late-{uuid.uuid4().hex[:8]}@example.org"
        early = msgspec.structs.replace(
            certificate, certificate_id=uuid.uuid4(), registration_id=newcomer
        )
        await js.publish(early.TYPE, wire.encode(wire.envelope(early, early.certificate_id, 1)))
        # Notifications has taken the certificate (it waits for its attendee) and sent nothing.
        await eventually(lambda: _waiting(servers, newcomer))
        assert servers.mailbox.to(address) == []
        late = msgspec.structs.replace(
            confirmed,
            registration_id=newcomer,
            holder=msgspec.structs.replace(confirmed.holder, email=address),
        )
        await js.publish(late.TYPE, wire.encode(wire.envelope(late, newcomer, 1)))
    finally:
        await nc.close()

    async def arrived() -> list[EmailMessage]:
        return [m for m in servers.mailbox.to(address) if m["Subject"] == SUBJECT["en"]]

    [msg] = await eventually(arrived)
    text = msg.get_body(("plain",))
    assert text is not None and "Øyvind Ærø" in text.get_content()
