"""Certificates of attendance: issued only to who checked in, signed, in the attendee's
language, verified by number, by upload and by API; altered copies fail."""

from __future__ import annotations

import base64
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import msgspec
import pypdf
from nacl.signing import SigningKey

from shared import certificates
from tests.factories import auth, event_body, eventually
from tests.journey import ticketed
from tests.pdfs import pdf_qr, pdf_text

NAME = {"pl": "Dzień Otwarty InnHUB", "en": "InnHUB Open Day"}
WORKSHOP = {"pl": "Warsztat druku 3D", "en": "3D printing workshop"}


class Setup(msgspec.Struct):
    registration: Any
    checkin: Any
    event: dict[str, Any]
    people: list[dict[str, Any]]


async def _setup(service_client: Any, servers: Any, *people: dict[str, Any]) -> Setup:
    """An event starting soon with a workshop whose door is open, and its registrants, each
    with a ticket that checkin knows."""
    registration = await service_client("registration")
    tickets = await service_client("tickets")
    checkin = await service_client("checkin")
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=10)
    session = {
        "slug": "druk-3d",
        "name": WORKSHOP,
        "starts_at": (starts + timedelta(minutes=10)).isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "capacity": 10,
        "room": "2.15",
    }
    event = event_body(
        name=NAME,
        starts_at=starts.isoformat(),
        ends_at=(starts + timedelta(hours=6)).isoformat(),
        sessions=[session],
    )
    r = await registration.post("/api/v1/events", json=event, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    organizer = auth(servers.token())
    # A code scanned before checkin has its ticket is accepted (it is signed), but counts for
    # nobody's certificate until ticket.issued names its registration.
    done = await ticketed((registration, tickets, checkin), event["slug"], organizer, *people)
    registered = [{**t.reg, "code": t.code} for t in done]
    for reg in registered:

        async def known(reg: dict[str, Any] = reg) -> bool:
            # Until checkin has the registration, its manage token matches nothing (403).
            r = await checkin.get(
                f"/api/v1/registrations/{reg['id']}/certificate.pdf",
                headers=auth(reg["manage_token"]),
            )
            return r.status == 404 and bool((await r.json())["code"] == "not_attended")

        await eventually(known)
    return Setup(registration, checkin, event, registered)


async def _scan(s: Setup, servers: Any, reg: dict[str, Any], list_slug: str | None = None) -> None:
    r = await s.checkin.post(
        "/api/v1/scans",
        json={"code": reg["code"], "gate": "hall", "scan_id": str(uuid.uuid4()), "list": list_slug},
        headers=auth(servers.token("door", [s.event["slug"]])),
    )
    assert r.status == 200, await r.text()
    assert (await r.json())["result"] == "accepted"


async def _pdf(s: Setup, reg: dict[str, Any], **params: str) -> tuple[bytes, str]:
    r = await s.checkin.get(
        f"/api/v1/registrations/{reg['id']}/certificate.pdf",
        params={"token": reg["manage_token"], **params},
    )
    assert r.status == 200, await r.text()
    assert r.content_type == "application/pdf"
    return await r.read(), r.headers["X-Certificate-Id"]


def _keywords(pdf: bytes) -> str:
    metadata = pypdf.PdfReader(io.BytesIO(pdf)).metadata
    assert metadata is not None
    return str(metadata["/Keywords"])


def _with_keywords(pdf: bytes, token: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(pdf))
    writer.add_metadata({"/Keywords": token})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


async def _api_verdict(s: Setup, pdf: bytes) -> dict[str, Any]:
    r = await s.checkin.post(
        "/api/v1/certificates/verify", data=pdf, headers={"Content-Type": "application/pdf"}
    )
    assert r.status == 200, await r.text()
    return dict(await r.json())


async def test_attendees_get_a_signed_certificate_in_their_language(
    service_client: Any, servers: Any
) -> None:
    s = await _setup(
        service_client,
        servers,
        {"name": "Zażółć Gęślą Jaźń", "lang": "pl"},
        {"name": "Øyvind Ærø", "lang": "en"},
        {"name": "Nie Przyszedł", "lang": "pl"},
    )
    anna, oyvind, absent = s.people
    await _scan(s, servers, anna)
    await _scan(s, servers, oyvind)
    checkin_url = servers.settings("checkin").checkin_url

    pdf, certificate_id = await _pdf(s, anna)
    text = pdf_text(pdf)
    for shown in (
        "ZAŚWIADCZENIE O UCZESTNICTWIE",
        "Zażółć Gęślą Jaźń",
        NAME["pl"],
        "uczestniczył(a) w wydarzeniu",
        certificate_id,
        f"{checkin_url}/verify/{certificate_id}",
    ):
        assert shown in text, (shown, text)
    assert pdf_qr(pdf) == f"{checkin_url}/verify/{certificate_id}"
    token = _keywords(pdf)
    claims = certificates.claims_of(token)
    assert (claims.holder, claims.lang, claims.scope) == ("Zażółć Gęślą Jaźń", "pl", "event")
    assert str(claims.id) == certificate_id and len(claims.attended) == 1

    # The same certificate every time, by header too.
    again, same_id = await _pdf(s, anna)
    assert (again, same_id) == (pdf, certificate_id)
    r = await s.checkin.get(
        f"/api/v1/registrations/{anna['id']}/certificate.pdf",
        headers=auth(servers.token("organizer", [s.event["slug"]])),
    )
    assert r.status == 200 and r.headers["X-Certificate-Id"] == certificate_id

    english, _ = await _pdf(s, oyvind)
    text = pdf_text(english)
    assert "CERTIFICATE OF ATTENDANCE" in text and "Øyvind Ærø" in text and NAME["en"] in text

    r = await s.checkin.get(
        f"/api/v1/registrations/{absent['id']}/certificate.pdf",
        headers={**auth(absent["manage_token"]), "Accept-Language": "pl"},
    )
    assert r.status == 404 and r.content_type == "application/problem+json"
    problem = await r.json()
    assert problem["code"] == "not_attended"
    assert problem["detail"].startswith("Ta osoba nie ma zarejestrowanego wejścia")

    path = f"/api/v1/registrations/{anna['id']}/certificate.pdf"
    s.checkin.session.cookie_jar.clear()  # the manage links opened above left cookies
    for headers, status, code in (
        ({}, 401, "unauthorized"),
        (auth(oyvind["manage_token"]), 403, "forbidden"),
        (auth("not-a-token"), 403, "forbidden"),
        (auth(servers.token("organizer", ["another-event"])), 403, "event_not_covered"),
        (auth(servers.token("door", [s.event["slug"]])), 403, "forbidden"),
    ):
        r = await s.checkin.get(path, headers=headers)
        assert r.status == status, await r.text()
        assert (await r.json())["code"] == code
    organizer = auth(servers.token())
    for bad_id in ("nope", str(uuid.uuid4())):
        r = await s.checkin.get(
            f"/api/v1/registrations/{bad_id}/certificate.pdf", headers=organizer
        )
        assert r.status == 404 and (await r.json())["code"] == "registration_not_found"
    r = await s.checkin.get(path, params={"session": "no-such"}, headers=organizer)
    assert r.status == 404 and (await r.json())["code"] == "session_not_found"


async def test_verification_by_number_by_upload_and_by_api_and_tampered_copies_fail(
    service_client: Any, servers: Any
) -> None:
    s = await _setup(
        service_client,
        servers,
        {"name": "Zażółć Gęślą Jaźń", "lang": "pl"},
        {"name": "Jan Kowalski", "lang": "en"},
    )
    anna, jan = s.people
    await _scan(s, servers, anna)
    await _scan(s, servers, jan)
    pdf, certificate_id = await _pdf(s, anna)
    other, _ = await _pdf(s, jan)

    r = await s.checkin.get(f"/verify/{certificate_id}", headers={"Accept-Language": "en"})
    assert r.status == 200
    page = await r.text()
    assert "Genuine certificate" in page and "Zażółć Gęślą Jaźń" in page
    assert NAME["en"] in page and 'data-reason="genuine"' in page
    r = await s.checkin.get(f"/verify/{certificate_id}", params={"lang": "pl"})
    assert "Zaświadczenie autentyczne" in await r.text() and NAME["pl"] in await r.text()
    for unknown in (str(uuid.uuid4()), "not-a-number"):
        r = await s.checkin.get(f"/verify/{unknown}", headers={"Accept-Language": "en"})
        assert r.status == 404
        assert "No such certificate — this one is not genuine." in await r.text()

    form = aiohttp.FormData()
    form.add_field("certificate", pdf, filename="c.pdf", content_type="application/pdf")
    r = await s.checkin.post("/verify?lang=en", data=form)
    assert r.status == 200
    page = await r.text()
    assert 'data-reason="genuine"' in page and "Zażółć Gęślą Jaźń" in page

    verdict = await _api_verdict(s, pdf)
    assert verdict["genuine"] is True and verdict["reason"] == "genuine"
    assert verdict["certificate"]["holder"] == "Zażółć Gęślą Jaźń"
    r = await s.checkin.post("/api/v1/certificates/verify", json={"token": _keywords(pdf)})
    assert (await r.json())["genuine"] is True

    token = _keywords(pdf)
    prefix, claims_b64, signature_b64 = token.split(".")
    claims = certificates.claims_of(token)
    # The claims rewritten with another name, the signature kept.
    forged_claims = msgspec.structs.replace(claims, holder="Jan Kowalski")
    forged = f"{prefix}.{_b64(certificates.encode_claims(forged_claims))}.{signature_b64}"
    # The signature altered.
    signature = bytearray(base64.urlsafe_b64decode(signature_b64 + "=="))
    signature[0] ^= 1
    altered = f"{prefix}.{claims_b64}.{_b64(bytes(signature))}"
    # Signed, well formed, by a key that is not ours.
    outsider = certificates.sign(claims, SigningKey.generate())
    for copy, reason in (
        (_with_keywords(pdf, forged), "bad_signature"),
        (_with_keywords(pdf, altered), "bad_signature"),
        (_with_keywords(pdf, outsider), "bad_signature"),
        (_with_keywords(pdf, "CNKC1.garbage"), "malformed"),
        # Anna's genuine signature on a page that shows Jan's name.
        (_with_keywords(other, token), "text_altered"),
        (_with_keywords(pdf, ""), "no_token"),
        (b"%PDF-1.4 this is not really a PDF", "not_a_pdf"),
        (b"hello", "not_a_pdf"),
    ):
        verdict = await _api_verdict(s, copy)
        assert (verdict["genuine"], verdict["reason"]) == (False, reason), verdict
        assert "certificate" not in verdict
    form = aiohttp.FormData()
    form.add_field(
        "certificate", _with_keywords(pdf, forged), filename="c.pdf", content_type="application/pdf"
    )
    r = await s.checkin.post("/verify?lang=en", data=form)
    page = await r.text()
    assert 'data-reason="bad_signature"' in page and "Genuine certificate" not in page

    r = await s.checkin.post("/verify", data=aiohttp.FormData({"other": "x"}))
    assert r.status == 400 and "text/html" in r.headers["Content-Type"]
    r = await s.checkin.post(
        "/api/v1/certificates/verify", data=b"x", headers={"Content-Type": "text/plain"}
    )
    assert r.status == 415 and (await r.json())["code"] == "unsupported_media_type"
    r = await s.checkin.post("/api/v1/certificates/verify", json={"tokn": "x"})
    assert r.status == 400 and (await r.json())["code"] == "validation_failed"
    r = await s.checkin.get("/api/v1/certificates/keys")
    [key] = (await r.json())["keys"]
    assert key["algorithm"] == "Ed25519" and key["id"] == claims.key_id


async def test_session_certificates_and_withdrawal_on_erasure(
    service_client: Any, servers: Any
) -> None:
    s = await _setup(
        service_client,
        servers,
        {"name": "Zażółć Gęślą Jaźń", "lang": "pl", "sessions": ["druk-3d"]},
        {"name": "Ewa Nowak", "lang": "en", "sessions": ["druk-3d"]},
    )
    anna, ewa = s.people
    await _scan(s, servers, anna, "druk-3d")
    await _scan(s, servers, ewa)  # the main entrance only

    pdf, certificate_id = await _pdf(s, anna, session="druk-3d")
    text = pdf_text(pdf)
    assert "uczestniczył(a) w sesji" in text and WORKSHOP["pl"] in text and NAME["pl"] in text
    assert "sala 2.15" in text
    claims = certificates.claims_of(_keywords(pdf))
    assert claims.scope == "session:druk-3d" and claims.session is not None
    # The workshop room counts as being at the event.
    _, event_certificate = await _pdf(s, anna)
    assert event_certificate != certificate_id
    r = await s.checkin.get(
        f"/api/v1/registrations/{ewa['id']}/certificate.pdf",
        params={"session": "druk-3d"},
        headers=auth(ewa["manage_token"]),
    )
    assert r.status == 404 and (await r.json())["code"] == "not_attended"
    assert (await _api_verdict(s, pdf))["certificate"]["session"]["slug"] == "druk-3d"

    r = await s.registration.post(
        f"/api/v1/registrations/{anna['id']}/erase", headers=auth(anna["manage_token"])
    )
    assert r.status in (200, 204), await r.text()

    async def withdrawn() -> bool:
        r = await s.checkin.get(f"/verify/{certificate_id}", params={"lang": "en"})
        return r.status == 410 and "has been withdrawn" in await r.text()

    await eventually(withdrawn)
    assert (await _api_verdict(s, pdf))["reason"] == "withdrawn"
    r = await s.checkin.get(
        f"/api/v1/registrations/{anna['id']}/certificate.pdf", headers=auth(servers.token())
    )
    assert r.status == 410 and (await r.json())["code"] == "registration_erased"
