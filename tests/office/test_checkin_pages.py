"""Checkin's back-office pages: check-in lists, door devices, manual check-in, certificates,
exports and the live dashboard, reached with a back-office session."""

from __future__ import annotations

import base64
import html
import io
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import jwt
import zxingcpp
from PIL import Image

from tests.factories import auth, event_body, eventually, form
from tests.journey import Ticketed, ticketed
from tests.office_session import sign_in


@dataclass
class Office:
    registration: Any
    tickets: Any
    checkin: Any
    servers: Any
    slug: str

    @property
    def organizer(self) -> dict[str, str]:
        return auth(self.servers.token())

    @property
    def base(self) -> str:
        return f"/office/events/{self.slug}"

    async def post(self, path: str, fields: dict[str, Any] | list[tuple[str, Any]]) -> Any:
        """A form posted as one of the pages posts it (with the CSRF field)."""
        return await self.checkin.post(path, data=form(self.checkin, fields), allow_redirects=False)

    async def lists(self) -> dict[str, dict[str, Any]]:
        r = await self.checkin.get(f"/api/v1/events/{self.slug}/lists", headers=self.organizer)
        assert r.status == 200, await r.text()
        return {entry["slug"]: entry for entry in (await r.json())["lists"]}

    async def people(self, *names: str) -> list[Ticketed]:
        return await ticketed(
            (self.registration, self.tickets, self.checkin),
            self.slug,
            self.organizer,
            *({"name": n} for n in names),
        )


async def _office(service_client: Any, servers: Any, **event: Any) -> Office:
    registration = await service_client("registration")
    tickets = await service_client("tickets")
    checkin = await service_client("checkin")
    body = event_body(**event)
    r = await registration.post("/api/v1/events", json=body, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    office = Office(registration, tickets, checkin, servers, body["slug"])

    async def known() -> bool:
        r = await checkin.get(f"/api/v1/events/{office.slug}/lists", headers=office.organizer)
        return r.status == 200

    await eventually(known)
    return office


def _error_of(page: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="e-{field}">(.*?)</p>', page, re.S)
    assert match, f"no error at {field}"
    return html.unescape(re.sub(r"<[^>]+>", "", match[1]))


async def test_lists_are_added_edited_and_deleted_from_the_page(
    service_client: Any, servers: Any
) -> None:
    o = await _office(service_client, servers)
    sign_in(o.checkin, {o.slug: "organizer"})
    r = await o.checkin.get(o.base + "/lists")
    assert r.status == 200, await r.text()
    page = await r.text()
    assert "Check-in lists" in page and 'data-list="main"' in page and 'name="slug"' in page

    # Bad input: the page again with each field's error, nothing saved.
    r = await o.post(
        o.base + "/lists",
        {
            "slug": "Bad Slug",
            "name": "",
            "policy": "single",
            "limit": "many",
            "valid_from": "2030-01-02T10:00",
            "valid_until": "yesterday",
        },  # fmt: skip
    )
    assert r.status == 400, await r.text()
    page = await r.text()
    assert "<title>Error:" in page and 'value="Bad Slug"' in page
    assert _error_of(page, "limit").endswith("from 1 to 1,000,000.")
    assert _error_of(page, "valid_until").startswith("Error: Enter a date and time later")
    r = await o.post(o.base + "/lists", {"slug": "Bad Slug", "name": "", "policy": "single"})
    page = await r.text()
    assert r.status == 400 and "Enter an identifier" in _error_of(page, "slug")
    assert "Enter a name" in _error_of(page, "name")
    r = await o.post(
        o.base + "/lists",
        {
            "slug": "late",
            "name": "Late",
            "policy": "daily",
            "valid_from": "2030-01-02T10:00",
            "valid_until": "2030-01-02T09:00",
        },  # fmt: skip
    )
    assert r.status == 400 and "later than the start" in _error_of(await r.text(), "valid_until")
    assert list(await o.lists()) == ["main"]

    r = await o.post(
        o.base + "/lists",
        {
            "slug": "vip",
            "name": "VIP lounge",
            "policy": "reentry",
            "limit": "20",
            "enforce_limit": "1",
            "gates": "Lounge, Lounge B",
            "valid_from": "2030-01-02T10:00",
        },  # fmt: skip
    )
    assert r.status == 303, await r.text()
    assert r.headers["Location"] == o.base + "/lists?done=saved"
    vip = (await o.lists())["vip"]
    assert vip["policy"] == "reentry" and vip["limit"] == 20 and vip["enforce_limit"] is True
    assert vip["gates"] == ["Lounge", "Lounge B"]
    assert vip["valid_from"].startswith("2030-01-02T09:00:00")  # 10:00 in Warsaw, winter
    # The same slug again, and a gate another list has: the fields say so.
    r = await o.post(o.base + "/lists", {"slug": "vip", "name": "Again", "policy": "single"})
    assert r.status == 400 and "already has a list" in _error_of(await r.text(), "slug")
    r = await o.post(o.base + "/lists", {"slug": "other", "name": "O", "gates": "Lounge"})
    assert r.status == 400 and "another list" in _error_of(await r.text(), "gates")

    # Edit: the form holds the list; a bad limit comes back, then a good change is saved.
    r = await o.checkin.get(o.base + "/lists/vip")
    assert r.status == 200 and 'value="VIP lounge"' in await r.text()
    r = await o.post(o.base + "/lists/vip", {"name": "VIP", "policy": "single", "limit": "0"})
    assert r.status == 400 and "from 1 to" in _error_of(await r.text(), "limit")
    r = await o.post(
        o.base + "/lists/vip",
        {"slug": "vip", "name": "VIP", "policy": "single", "limit": "", "gates": "Lounge"},
    )
    assert r.status == 303, await r.text()
    vip = (await o.lists())["vip"]
    assert (vip["name"], vip["policy"], vip["limit"]) == ("VIP", "single", None)
    assert vip["gates"] == ["Lounge"]
    # The main list keeps its slug: its form has none; its name changes.
    r = await o.checkin.get(o.base + "/lists/main")
    assert 'name="slug"' not in await r.text()
    r = await o.post(o.base + "/lists/main", {"name": "Hall", "policy": "single"})
    assert r.status == 303, await r.text()

    r = await o.post(o.base + "/lists/vip/delete", {})
    assert r.status == 303 and r.headers["Location"].endswith("done=deleted")
    r = await o.checkin.get(o.base + "/lists")
    page = await r.text()
    assert 'data-list="vip"' not in page and "Hall" in page

    # A viewer sees the lists, not the forms; may not post.
    sign_in(o.checkin, {o.slug: "viewer"})
    r = await o.checkin.get(o.base + "/lists")
    assert r.status == 200 and 'name="slug"' not in await r.text()
    r = await o.checkin.get(o.base + "/lists/main")
    assert r.status == 403
    o.checkin.session.cookie_jar.clear()
    r = await o.checkin.get(o.base + "/lists", allow_redirects=False)
    assert r.status == 303 and r.headers["Location"].startswith("/office/sign-in?next=")


def _qr_text(page: str) -> str:
    match = re.search(r'id="pairing-qr" src="data:image/png;base64,([^"]+)"', page)
    assert match, "no pairing QR"
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(base64.b64decode(match[1]))))
    return str(found.text)


async def test_a_device_token_pairs_by_qr_and_works_until_revoked_from_the_page(
    service_client: Any, servers: Any
) -> None:
    o = await _office(service_client, servers)
    [anna] = await o.people("Anna Nowak")
    sign_in(o.checkin, {o.slug: "organizer"}, name="Olga Organizer")
    r = await o.checkin.get(o.base + "/devices")
    assert r.status == 200 and "No token has been issued yet." in await r.text()

    for fields, field, text in (
        ({"name": "", "gate": "Hall", "days": "7"}, "name", "Enter the device's name"),
        ({"name": "Phone 1", "gate": "", "days": "7"}, "gate", "Enter the gate"),
        ({"name": "Phone 1", "gate": "Hall", "days": "31"}, "days", "from 1 to 30."),
        ({"name": "Phone 1", "gate": "Hall", "days": "soon"}, "days", "from 1 to 30."),
    ):
        r = await o.post(o.base + "/devices", fields)
        assert r.status == 400, await r.text()
        page = await r.text()
        assert text in _error_of(page, field) and 'id="pairing-qr"' not in page
    r = await o.checkin.get(o.base + "/devices")
    assert "No token has been issued yet." in await r.text()

    r = await o.post(o.base + "/devices", {"name": "Phone 1", "gate": "Hall", "days": "3"})
    assert r.status == 200, await r.text()
    page = await r.text()
    url = _qr_text(page)
    checkin_url = servers.settings("checkin").checkin_url
    assert url.startswith(f"{checkin_url}/door#token=")
    token = url.partition("#token=")[2]
    assert f">{token}</textarea>" in page and "Token issued: Phone 1" in page
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["role"], claims["events"], claims["gate"]) == ("door", [o.slug], "Hall")
    assert claims["sub"] == "Phone 1" and claims["exp"] - claims["iat"] == 3 * 86400
    assert "kid" in jwt.get_unverified_header(token)

    # The same form sent again (a reload of the page with the QR) issues nothing more.
    issue_id = re.search(
        r'name="issue_id" value="([^"]+)"', await (await o.checkin.get(o.base + "/devices")).text()
    )[1]  # type: ignore[index]
    twice = {"name": "Phone 2", "gate": "Hall", "days": "3", "issue_id": issue_id}
    r = await o.post(o.base + "/devices", twice)
    assert r.status == 200 and 'id="pairing-qr"' in await r.text()
    r = await o.post(o.base + "/devices", twice)
    assert r.status == 409 and 'id="pairing-qr"' not in await r.text()
    assert "This form was sent already" in await r.text()

    # Listed before its first scan; once it scans, its last scan shows.
    r = await o.checkin.get(o.base + "/devices")
    page = await r.text()
    assert f'data-token="{claims["jti"]}"' in page and "Olga Organizer" in page
    assert 'id="pairing-qr"' not in page and token not in page
    door = auth(token)
    scan = {"code": anna.code, "gate": "Hall", "scan_id": str(uuid.uuid4())}
    r = await o.checkin.post("/api/v1/scans", json=scan, headers=door)
    assert r.status == 200 and (await r.json())["result"] == "accepted", await r.text()
    r = await o.checkin.get(f"/api/v1/events/{o.slug}/offline-pack", headers=door)
    assert r.status == 200, await r.text()
    row = re.search(
        rf'data-token="{claims["jti"]}">(.*?)</tr>',
        await (await o.checkin.get(o.base + "/devices")).text(),
        re.S,
    )
    assert row and row[1].count("not yet") == 0 and "active" in row[1]

    # Revoked from the page: refused at once.
    r = await o.post(o.base + f"/devices/{claims['jti']}/revoke", {})
    assert r.status == 303 and r.headers["Location"].endswith("done=revoked")
    r = await o.checkin.post(
        "/api/v1/scans", json={**scan, "scan_id": str(uuid.uuid4())}, headers=door
    )
    assert r.status == 401 and (await r.json())["code"] == "token_revoked"
    r = await o.checkin.get(o.base + "/devices")
    assert "revoked (" in await r.text()
    # Another event's device page cannot revoke it; a viewer sees no forms.
    r = await o.post(f"/office/events/{o.slug}/devices/{uuid.uuid4()}/revoke", {})
    assert r.status == 404
    sign_in(o.checkin, {o.slug: "viewer"})
    r = await o.checkin.get(o.base + "/devices")
    assert r.status == 200 and 'name="gate"' not in await r.text()
    r = await o.post(o.base + "/devices", {"name": "X", "gate": "Hall", "days": "1"})
    assert r.status == 403


async def test_manual_check_in_needs_a_reason_and_follows_the_door_rules(
    service_client: Any, servers: Any
) -> None:
    o = await _office(service_client, servers)
    [anna] = await o.people("Anna Nowak")
    registration_id = anna.reg["id"]
    path = f"/office/registrations/{registration_id}/check-in"
    sign_in(o.checkin, {o.slug: "organizer"}, name="Olga Organizer", lang="pl")
    r = await o.post(path, {"reason": "  ", "list": "main"})
    assert r.status == 400, await r.text()
    page = await r.text()
    assert "Podaj powód" in _error_of(page, "reason") and "Ręczne wpuszczenie" in page
    r = await o.post(path, {"reason": "x", "list": "no-such-list"})
    assert r.status == 400 and "Wybierz listę" in _error_of(await r.text(), "list")
    r = await o.checkin.get(f"/api/v1/events/{o.slug}/attendance", headers=o.organizer)
    assert (await r.json())["checked_in"] == 0

    r = await o.post(path, {"reason": "Telefon się rozładował", "list": "main"})
    assert r.status == 303, await r.text()
    assert r.headers["Location"] == f"/office/registrations/{registration_id}?check_in=accepted"
    r = await o.checkin.get(f"/api/v1/events/{o.slug}/attendance", headers=o.organizer)
    assert (await r.json())["checked_in"] == 1
    conn = await asyncpg.connect(servers.database_url)
    try:
        row = await conn.fetchrow(
            "SELECT m.reason, m.recorded_by_name, s.result, s.gate FROM checkin.manual_scans m"
            " JOIN checkin.scans s USING (scan_id) WHERE m.registration_id = $1",
            uuid.UUID(registration_id),
        )
    finally:
        await conn.close()
    assert dict(row) == {
        "reason": "Telefon się rozładował",
        "recorded_by_name": "Olga Organizer",
        "result": "accepted",
        "gate": "office",
    }
    # Again: already checked in, said as the door says it.
    r = await o.post(path, {"reason": "Jeszcze raz", "list": "main"})
    assert r.status == 409, await r.text()
    page = await r.text()
    assert 'data-result="already_checked_in"' in page and "bramka office" in page
    # The door sees the manual entry too.
    r = await o.checkin.post(
        "/api/v1/scans",
        json={"code": anna.code, "gate": "Hall", "scan_id": str(uuid.uuid4())},
        headers=auth(servers.token("door", [o.slug])),
    )
    assert (await r.json())["result"] == "already_checked_in"

    # Only an organizer of the registration's event.
    sign_in(o.checkin, {o.slug: "viewer"})
    r = await o.post(path, {"reason": "x"})
    assert r.status == 403
    sign_in(o.checkin, {"another-event": "organizer"})
    r = await o.post(path, {"reason": "x"})
    assert r.status == 403
    r = await o.post(f"/office/registrations/{uuid.uuid4()}/check-in", {"reason": "x"})
    assert r.status == 404


async def test_certificates_are_sent_once_the_event_started_and_listed(
    service_client: Any, servers: Any
) -> None:
    early = await _office(service_client, servers)
    sign_in(early.checkin, {early.slug: "organizer"})
    r = await early.checkin.get(early.base + "/certificates")
    assert r.status == 200, await r.text()
    page = await r.text()
    assert 'disabled aria-describedby="not-started"' in page
    assert "Certificates can be sent once it has started." in page
    r = await early.post(early.base + "/certificates", {})
    assert r.status == 409 and "once the event has started" in await r.text()

    started = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    o = await _office(
        service_client,
        servers,
        starts_at=started.isoformat(),
        ends_at=(started + timedelta(hours=8)).isoformat(),
    )
    anna, _absent = await o.people("Anna Nowak", "Nie Przyszedł")
    r = await o.checkin.post(
        "/api/v1/scans",
        json={"code": anna.code, "gate": "Hall", "scan_id": str(uuid.uuid4())},
        headers=auth(servers.token("door", [o.slug])),
    )
    assert (await r.json())["result"] == "accepted"
    sign_in(o.checkin, {o.slug: "organizer"})
    r = await o.checkin.get(o.base + "/certificates")
    page = await r.text()
    assert "Attended: 1. Certificates sent: 0." in page and "disabled" not in page
    r = await o.post(o.base + "/certificates", {})
    assert r.status == 303 and r.headers["Location"].endswith("/certificates?sent=1")
    r = await o.checkin.get(r.headers["Location"])
    page = await r.text()
    assert "New certificates sent: 1." in page and "Attended: 1. Certificates sent: 1." in page
    [row] = re.findall(r'<table id="certificates">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert "Anna Nowak" in row and "Nie Przyszedł" not in row and "not sent" not in row
    r = await o.post(o.base + "/certificates", {})
    assert r.headers["Location"].endswith("/certificates?sent=0")
    # A viewer sees who got one, without the button.
    sign_in(o.checkin, {o.slug: "viewer"})
    r = await o.checkin.get(o.base + "/certificates")
    assert (
        r.status == 200
        and "Anna Nowak" in (page := await r.text())
        and '<button type="submit">Send' not in page
    )


async def test_exports_download_with_the_session(service_client: Any, servers: Any) -> None:
    o = await _office(service_client, servers)
    [anna] = await o.people("Anna Nowak")
    sign_in(o.checkin, {o.slug: "viewer"})
    r = await o.checkin.get(o.base + "/certificates")
    links = re.findall(r'<ul id="exports">(.*?)</ul>', await r.text(), re.S)[0]
    for name, ctype in (
        ("attendance.csv", "text/csv"),
        ("attendance.pdf", "application/pdf"),
        ("statistics.csv", "text/csv"),
        ("inside.pdf", "application/pdf"),
    ):
        assert f'href="{o.base}/{name}"' in links
        r = await o.checkin.get(f"{o.base}/{name}")
        assert r.status == 200, await r.text()
        assert r.content_type == ctype, name
    r = await o.checkin.get(f"{o.base}/attendance.csv")
    assert "Anna Nowak" in await r.text()
    sign_in(o.checkin, {"another-event": "organizer"})
    r = await o.checkin.get(f"{o.base}/attendance.csv")
    assert r.status == 403
    o.checkin.session.cookie_jar.clear()
    r = await o.checkin.get(f"{o.base}/inside.pdf", allow_redirects=False)
    assert r.status == 303


async def test_the_dashboard_takes_the_office_session(service_client: Any, servers: Any) -> None:
    o = await _office(service_client, servers)
    path = f"/dashboard/{o.slug}"
    r = await o.checkin.get(path, allow_redirects=False)
    assert r.status == 303
    assert r.headers["Location"] == f"/office/sign-in?next=/dashboard/{o.slug}"
    sign_in(o.checkin, {o.slug: "viewer"}, lang="pl")
    r = await o.checkin.get(path)
    assert r.status == 200, await r.text()
    page = await r.text()
    assert 'id="checked-in"' in page and f'href="/office/events/{o.slug}"' in page
    assert "/dashboard/sign-out" not in page
    # Its stream and its CSV take the session too.
    r = await o.checkin.get(f"/api/v1/events/{o.slug}/attendance/stream")
    assert r.status == 200 and r.content_type == "text/event-stream"
    r.close()
    r = await o.checkin.get(f"{path}/statistics.csv")
    assert r.status == 200 and r.content_type == "text/csv"
    # A session without a role at the event: a 403 page.
    sign_in(o.checkin, {"another-event": "organizer"})
    r = await o.checkin.get(path)
    assert r.status == 403 and "No access" in await r.text()
    r = await o.checkin.get(f"/api/v1/events/{o.slug}/attendance/stream")
    assert r.status == 401
