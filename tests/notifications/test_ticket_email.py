from __future__ import annotations

from typing import Any

import nats
import numpy
import png
import zxingcpp

from tests.factories import auth, event_body, eventually, registration_body
from tests.pdfs import pdf_qr, pdf_text


def decode_qr(png_bytes: bytes) -> str:
    width, height, rows, info = png.Reader(bytes=png_bytes).asDirect()
    planes = info["planes"]
    pixels = numpy.vstack([numpy.asarray(row, dtype=numpy.uint8) for row in rows])
    image = pixels.reshape(height, width, planes)[:, :, 0] if planes > 1 else pixels
    image = (image * (255 // max(1, (1 << info["bitdepth"]) - 1))).astype(numpy.uint8)
    found = zxingcpp.read_barcodes(image)
    assert found, "no QR code found in the image"
    return str(found[0].text)


def ticket_pdf(msg: Any, filename: str) -> str:
    """The text of the email's printable ticket, after checking it is a proper attachment."""
    [part] = [p for p in msg.walk() if p.get_content_type() == "application/pdf"]
    assert part.get_content_disposition() == "attachment"
    assert part.get_filename() == filename
    pdf = part.get_content()
    assert pdf_qr(pdf) in msg.get_body(("plain",)).get_content()
    return pdf_text(pdf)


async def _register(
    service_client: Any, servers: Any, **reg: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    registration = await service_client("registration")
    await service_client("tickets")
    event = event_body(name={"pl": "Targi Pracy PB", "en": "PB Job Fair"}, kind="fair")
    r = await registration.post("/api/v1/events", json=event, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    r = await registration.post(
        f"/api/v1/events/{event['slug']}/registrations", json=registration_body(**reg)
    )
    assert r.status == 201, await r.text()
    return event, await r.json()


async def test_ticket_email_in_polish(service_client: Any, servers: Any) -> None:
    notifications = await service_client("notifications")
    event, reg = await _register(service_client, servers, lang="pl", name="Zażółć Gęślą Jaźń")

    async def mail() -> list[Any]:
        return servers.mailbox.to(reg["email"])

    [msg] = await eventually(mail)
    assert msg["Subject"] == "Twój bilet: Targi Pracy PB"
    assert "Zażółć Gęślą Jaźń" in str(msg["To"])
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Zażółć Gęślą Jaźń" in text and "Targi Pracy PB" in text
    assert "CNK, ul. Zwierzyniecka 16, Białystok" in text
    assert "czasu polskiego" in text
    [qr] = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert f"cid:{qr['Content-ID'].strip('<>')}" in html
    assert qr.get_content_disposition() == "inline"
    [ics] = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    ics_text = ics.get_content()
    if isinstance(ics_text, bytes):
        ics_text = ics_text.decode()
    assert "BEGIN:VEVENT" in ics_text and "SUMMARY:Targi Pracy PB" in ics_text
    code = decode_qr(qr.get_content())
    assert code.startswith("CNK1") and code in text
    pdf = ticket_pdf(msg, f"bilet-{event['slug']}.pdf")
    assert "Zażółć Gęślą Jaźń" in pdf and "Targi Pracy PB" in pdf and "UCZESTNIK" in pdf, pdf
    assert "bilet do wydruku (PDF)" in text

    async def sent() -> list[dict[str, Any]] | None:
        # The SMTP server has the message a moment before the delivery is marked sent.
        r = await notifications.get(
            f"/api/v1/deliveries?registration_id={reg['id']}", headers=auth(servers.token())
        )
        found = (await r.json())["deliveries"]
        return found if found and found[0]["status"] == "sent" else None

    [delivery] = await eventually(sent)
    assert delivery["template"] == "ticket" and delivery["attempts"] == 1
    assert delivery["message_id"] == msg["Message-ID"]


async def test_english_email_and_redelivery_sends_once(service_client: Any, servers: Any) -> None:
    await service_client("notifications")
    event, reg = await _register(service_client, servers, lang="en", name="O'Brien-Łukasiewicz")

    async def mail() -> list[Any]:
        return servers.mailbox.to(reg["email"])

    [msg] = await eventually(mail)
    assert msg["Subject"] == "Your ticket: PB Job Fair"
    assert "Polish time" in msg.get_body(("plain",)).get_content()
    pdf = ticket_pdf(msg, f"ticket-{event['slug']}.pdf")
    assert "O'Brien-Łukasiewicz" in pdf and "PB Job Fair" in pdf and "ATTENDEE" in pdf, pdf

    # Publish the very same ticket.issued event again, past JetStream's de-duplication,
    # as a redelivery after a crash would: the inbox must swallow it.
    nc = await nats.connect(servers.nats_url)
    js = nc.jetstream()
    found = None
    for seq in range((await js.stream_info("TICKETS")).state.last_seq, 0, -1):
        stored = await js.get_msg("TICKETS", seq)
        if reg["id"].encode() in stored.data:
            found = stored
            break
    assert found is not None
    await js.publish(found.subject, found.data, headers={"Nats-Msg-Id": "replay-" + reg["id"]})

    async def drained() -> bool:
        info = await js.consumer_info("TICKETS", "notifications")
        return info.num_pending == 0 and info.num_ack_pending == 0

    await eventually(drained)
    await nc.close()
    assert len(servers.mailbox.to(reg["email"])) == 1


async def test_no_ticket_email_after_a_cancellation_that_overtook_the_ticket(
    service_client: Any, servers: Any
) -> None:
    # The cancellation reaches notifications straight from registration, the ticket over
    # tickets: started late here, tickets issues (and revokes) the ticket only after
    # notifications has sent the "Registration cancelled" email.
    notifications = await service_client("notifications")
    registration = await service_client("registration")
    event = event_body(name={"pl": "Targi Pracy PB", "en": "PB Job Fair"}, kind="fair")
    r = await registration.post("/api/v1/events", json=event, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    r = await registration.post(
        f"/api/v1/events/{event['slug']}/registrations", json=registration_body(lang="en")
    )
    assert r.status == 201, await r.text()
    reg = await r.json()
    r = await registration.delete(
        f"/api/v1/registrations/{reg['id']}", headers=auth(reg["manage_token"])
    )
    assert r.status == 200, await r.text()

    async def mail() -> list[Any]:
        return servers.mailbox.to(reg["email"])

    [msg] = await eventually(mail)
    assert msg["Subject"] == "Registration cancelled: PB Job Fair"

    await service_client("tickets")
    nc = await nats.connect(servers.nats_url)
    js = nc.jetstream()

    async def issued_and_applied() -> bool:
        stream = await js.stream_info("TICKETS")
        subjects = []
        for seq in range(max(1, stream.state.first_seq), stream.state.last_seq + 1):
            stored = await js.get_msg("TICKETS", seq)
            if reg["id"].encode() in stored.data:
                subjects.append(stored.subject)
        info = await js.consumer_info("TICKETS", "notifications")
        caught_up = info.num_pending == 0 and info.num_ack_pending == 0
        return "ticket.issued" in subjects and caught_up

    await eventually(issued_and_applied)
    await nc.close()
    r = await notifications.get(
        f"/api/v1/deliveries?registration_id={reg['id']}", headers=auth(servers.token())
    )
    assert [d["template"] for d in (await r.json())["deliveries"]] == ["cancelled"]
    assert len(servers.mailbox.to(reg["email"])) == 1
