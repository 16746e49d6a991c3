"""Through the one origin over HTTPS: the whole journey, every route of the route tables
reaching the service that owns it, and the security headers of every page."""

from __future__ import annotations

import re
import uuid
from email.message import EmailMessage
from typing import Any

from cnk.proxy import route_tables
from shared.db import DB_POOL
from shared.routes import OFFICE_ROLES, Route, Serves, Who
from tests.factories import auth, event_body, eventually, registration_body
from tests.notifications.test_ticket_email import decode_qr
from tests.origin.conftest import Origin
from tests.pdfs import pdf_qr

DOOR_ASSETS = ("app.js", "sw.js", "style.css", "manifest.webmanifest", "icon-192.png")


def _text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


async def _mail(servers: Any, address: str, subject_start: str) -> EmailMessage:
    async def arrived() -> EmailMessage | None:
        found = [m for m in servers.mailbox.to(address) if m["Subject"].startswith(subject_start)]
        return found[0] if found else None

    return await eventually(arrived, timeout=20)


async def test_the_whole_journey_over_https_at_one_origin(origin: Origin, servers: Any) -> None:
    organizer = auth(servers.token())
    event = event_body()
    slug = event["slug"]
    async with origin.client("127.0.0.21") as http:
        r = await http.post(f"{origin.url}/api/v1/events", json=event, headers=organizer)
        assert r.status == 201, await r.text()

        # Register; the manage link of the email opens the page and leaves no token behind.
        person = registration_body(lang="en")
        r = await http.post(f"{origin.url}/api/v1/events/{slug}/registrations", json=person)
        assert r.status == 201, await r.text()
        reg = await r.json()
        mail = await _mail(servers, person["email"], "Your ticket")
        links = re.findall(r"https?://[^\s>\"]+", _text(mail))
        assert links and all(link.startswith(f"{origin.url}/") for link in links), links
        [manage] = [link for link in links if "/registrations/" in link and "token=" in link]
        r = await http.get(manage, allow_redirects=False)
        assert r.status == 303, await r.text()
        assert r.headers["Location"] == f"/registrations/{reg['id']}?lang=en"
        cookie = r.headers["Set-Cookie"]
        assert cookie.startswith(f"cnk_m_{uuid.UUID(reg['id']).hex}={reg['manage_token']};")
        for attribute in ("HttpOnly", "Secure", "SameSite=Lax", "Path=/"):
            assert attribute in cookie, cookie
        r = await http.get(f"{origin.url}{r.headers['Location']}")
        assert r.status == 200 and person["name"] in await r.text()

        # The ticket by the API's header; its QR code, page and PDF by the cookie.
        r = await http.get(
            f"{origin.url}/api/v1/registrations/{reg['id']}/ticket",
            headers=auth(reg["manage_token"]),
        )
        assert r.status == 200, await r.text()
        ticket = await r.json()
        r = await http.get(f"{origin.url}{ticket['qr_png']}")
        assert r.status == 200 and decode_qr(await r.read()) == ticket["code"]
        r = await http.get(f"{origin.url}/registrations/{reg['id']}/ticket.html?lang=en")
        assert r.status == 200 and ticket["code"] in await r.text()
        r = await http.get(f"{origin.url}{ticket['pdf']}")
        assert r.status == 200 and r.content_type == "application/pdf"
        assert pdf_qr(await r.read()) == ticket["code"]

        # The door scans, attendance counts it.
        door = auth(servers.token("door", [slug]))

        async def scan() -> dict[str, Any] | None:
            body = {"code": ticket["code"], "gate": "hall", "scan_id": str(uuid.uuid4())}
            r = await http.post(f"{origin.url}/api/v1/scans", json=body, headers=door)
            assert r.status == 200, await r.text()
            verdict: dict[str, Any] = await r.json()
            return verdict if verdict["result"] != "invalid" else None

        assert (await eventually(scan))["result"] == "accepted"
        r = await http.get(f"{origin.url}/api/v1/events/{slug}/attendance", headers=organizer)
        assert (await r.json())["checked_in"] == 1

        # The certificate: emailed with a link to the origin, verified where its QR leads.
        r = await http.post(
            f"{origin.url}/api/v1/events/{slug}/certificates/send", json={}, headers=organizer
        )
        assert r.status == 200 and (await r.json())["issued"] == 1, await r.text()
        mail = await _mail(servers, person["email"], "Your certificate")
        download = re.search(r"https://\S+/certificate\.pdf\S*", _text(mail))
        assert download and download.group(0).startswith(origin.url), _text(mail)
        r = await http.get(f"{origin.url}/api/v1/registrations/{reg['id']}/certificate.pdf")
        assert r.status == 200 and r.content_type == "application/pdf", await r.text()
        pdf = await r.read()
        verify_url = pdf_qr(pdf)
        assert verify_url.startswith(f"{origin.url}/verify/")
        r = await http.get(verify_url, headers={"Accept-Language": "en"})
        assert r.status == 200 and "genuine" in (await r.text()).lower()
        r = await http.post(
            f"{origin.url}/api/v1/certificates/verify",
            data=pdf,
            headers={"Content-Type": "application/pdf"},
        )
        assert r.status == 200 and (await r.json())["genuine"] is True, await r.text()

        # Plain HTTP only redirects to the origin.
        r = await http.get(f"{origin.http_url}/events/{slug}?lang=en", allow_redirects=False)
        assert r.status in (301, 308)
        assert r.headers["Location"] == f"{origin.url}/events/{slug}?lang=en"


def _sample_path(route: Route) -> str:
    """The route's path with each parameter filled in: what any such request looks like."""
    values = {
        "slug": "walk-event",
        "session": "walk-session",
        "list": "main",
        "key_id": "999999",
        "asset": "dashboard.css" if route.path.startswith("/dashboard/") else "app.js",
    }
    return re.sub(r"\{([^}]+)\}", lambda m: values.get(m.group(1), str(uuid.uuid4())), route.path)


async def test_every_route_reaches_the_service_that_owns_it(origin: Origin) -> None:
    """Each route of the tables, asked through the origin without credentials, is answered
    by its owning service and by no other; staff routes refuse before their handler."""
    async with origin.client("127.0.0.22") as http:
        for service, routes in route_tables().items():
            for route in routes:
                before = {s: origin.served(s) for s in origin.apps}
                r = await http.request(
                    route.method, f"{origin.url}{_sample_path(route)}", allow_redirects=False
                )
                body = await r.read()
                after = {s: origin.served(s) for s in origin.apps}
                served = {
                    s: {k: v - before[s].get(k, 0) for k, v in after[s].items()} for s in after
                }
                served = {s: {k: v for k, v in d.items() if v} for s, d in served.items()}
                what = f"{route.method} {route.path}"
                if not route.on_origin and route.who is not Who.OPERATOR:
                    continue  # another service answers the path on the origin
                if not route.public:
                    assert r.status == 404 and not any(served.values()), (what, served)
                    continue
                assert served[service] == {(route.path, route.method): 1}, (what, served)
                assert not any(v for s, v in served.items() if s != service), (what, served)
                assert r.status < 500, (what, r.status, body[:300])
                staff = (Who.SCANNER, Who.ORGANIZER, Who.ALL_EVENTS, Who.ATTENDEE, Who.VIEWER)
                if route.who in (*staff, Who.ADMIN):
                    assert r.status == 401, (what, r.status, body[:300])
                elif route.who in OFFICE_ROLES:  # a page without a session: sign in first
                    assert r.status == 303, (what, r.status, body[:300])
                    assert r.headers["Location"].startswith("/office/sign-in?next="), what
                elif route.who in (Who.MANAGE, Who.DASHBOARD) and route.method == "GET":
                    # no such registration or event here: its page says so
                    assert r.status in (401, 404), (what, r.status, body[:300])


def _page_paths(reg_id: str, slug: str) -> list[tuple[Route, str]]:
    """Every page and static file of the tables, with real parameters."""
    found = []
    for routes in route_tables().values():
        for route in routes:
            if route.method != "GET" or route.serves not in (Serves.PAGE, Serves.ASSET):
                continue
            if route.path == "/door/{asset}":
                found += [(route, f"/door/{name}") for name in DOOR_ASSETS]
                continue
            path = route.path.replace("{registration_id}", reg_id).replace("{slug}", slug)
            path = path.replace("{asset}", "dashboard.js")
            path = path.replace("{certificate_id}", str(uuid.uuid4()))
            found.append((route, path))
    return found


async def test_every_page_and_static_file_has_the_security_headers(
    origin: Origin, servers: Any
) -> None:
    event = event_body()
    async with origin.client("127.0.0.23") as http:
        r = await http.post(
            f"{origin.url}/api/v1/events", json=event, headers=auth(servers.token())
        )
        assert r.status == 201, await r.text()
        r = await http.post(
            f"{origin.url}/api/v1/events/{event['slug']}/registrations",
            json=registration_body(),
        )
        reg = await r.json()

        async def ticket_issued() -> bool:
            r = await http.get(
                f"{origin.url}/api/v1/registrations/{reg['id']}/ticket",
                headers=auth(reg["manage_token"]),
            )
            return r.status == 200

        await eventually(ticket_issued)
        r = await http.get(
            f"{origin.url}/registrations/{reg['id']}", params={"token": reg["manage_token"]}
        )
        assert r.status == 200, await r.text()

        for route, path in _page_paths(reg["id"], event["slug"]):
            r = await http.get(f"{origin.url}{path}", allow_redirects=False)
            body = await r.read()
            assert r.status in (200, 301, 303, 404), (path, r.status, body[:200])
            assert (r.status == 303) == (route.who in OFFICE_ROLES), (path, r.status)
            assert route.path == "/verify/{certificate_id}" or r.status != 404, path
            policy = r.headers.get("Content-Security-Policy", "")
            assert "frame-ancestors 'none'" in policy, (path, policy)
            directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if " " in d)
            script = directives.get("script-src", directives.get("default-src", ""))
            assert "'unsafe-inline'" not in script and "'self'" in script, (path, policy)
            assert r.headers.get("X-Content-Type-Options") == "nosniff", path
            assert r.headers.get("Referrer-Policy") in ("no-referrer", "same-origin"), path
            if route.who is Who.MANAGE or path.startswith("/door"):
                assert r.headers["Referrer-Policy"] == "no-referrer", path
            assert r.headers.get("Strict-Transport-Security", "").startswith("max-age="), path
            if r.content_type == "text/html":
                html = body.decode()
                assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), (path, "inline script")
                assert not re.search(r"\son\w+=", html), (path, "inline event handler")
                assert ' style="' not in html, (path, "inline style")


async def test_operator_routes_stay_off_the_origin(origin: Origin) -> None:
    async with origin.client() as http:
        for path in ("/healthz", "/readyz", "/metrics", "/nothing-here"):
            r = await http.get(f"{origin.url}{path}")
            assert r.status == 404, path
        r = await http.get(f"{origin.url}/api/v1/events")
        assert r.status == 200


async def test_a_client_cannot_hide_behind_a_forwarded_header(origin: Origin, servers: Any) -> None:
    """What a client writes in X-Forwarded-For and X-Forwarded-Proto is not believed: through
    the proxy (which writes its own) nor straight to a service's port."""
    instance = origin.servers["registration"][0]
    direct = f"http://127.0.0.1:{instance.port}"
    spoof = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    event = event_body()
    async with origin.client("127.0.0.24") as http:
        r = await http.post(
            f"{origin.url}/api/v1/events", json=event, headers=auth(servers.token())
        )
        assert r.status == 201
        for base in (origin.url, direct):
            r = await http.post(
                f"{base}/api/v1/events/{event['slug']}/registrations",
                json=registration_body(),
                headers=spoof,
            )
            assert r.status == 201, await r.text()
        reg = await r.json()
        r = await http.get(
            f"{direct}/registrations/{reg['id']}",
            params={"token": reg["manage_token"]},
            headers=spoof,
            allow_redirects=False,
        )
        assert r.status == 303 and "Secure" not in r.headers["Set-Cookie"]

    pool = origin.apps["registration"][0][DB_POOL]
    rows = await pool.fetch("SELECT key, sum(used) FROM rate_limits GROUP BY key")
    counted = {r[0]: r[1] for r in rows}
    assert counted.get("ip:127.0.0.24") == 2 and "ip:203.0.113.9" not in counted, counted
