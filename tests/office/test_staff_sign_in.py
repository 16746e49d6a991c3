"""Signing in to the back office with the emailed one-time link, through the real SMTP
server: the link arrives, works once, expires, and the answer is the same for an address
without an account."""

from __future__ import annotations

import asyncio

from shared.db import DB_POOL
from tests.conftest import AppClient, Infra
from tests.office.staff_journey import (
    add_person,
    address,
    emailed_token,
    links_in,
    office_clients,
    request_link,
    session_cookie,
    sign_in_by_email,
    use_link,
)
from tests.office_session import csrf_of


async def test_the_emailed_link_signs_in_once(service_client: AppClient, servers: Infra) -> None:
    registration, _ = await office_clients(service_client)
    email = address()
    await add_person(registration, email, "admin", name="Ola Admin")
    r = await registration.get("/office/account", allow_redirects=False)
    assert r.status == 303 and r.headers["Location"].startswith("/office/sign-in?next=")

    r = await request_link(registration, email.upper(), "/office/account")
    assert r.status == 303
    page = await registration.get(r.headers["Location"])
    assert "a sign-in link is on its way" in await page.text()
    token = await emailed_token(servers, email)
    message = servers.mailbox.to(email)[-1]
    assert message["Subject"] == "Sign in to the CNK events office"
    assert "15 minutes" in message.get_body(preferencelist=("plain",)).get_content()

    # The link's secret leaves the address at once (history, logs) for a cookie.
    r = await registration.get(f"/office/sign-in/link?token={token}&lang=en", allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == "/office/sign-in/link?lang=en"
    # Opening the link (a mail scanner does) uses nothing up; the button does.
    for _ in range(2):
        r = await registration.get(f"/office/sign-in/link?token={token}&lang=en")
        assert r.status == 200 and "<button" in await r.text()
    r = await use_link(registration, token)
    assert r.status == 303, await r.text()
    assert r.headers["Location"] == "/office/account"
    assert "HttpOnly" in r.headers["Set-Cookie"] and "SameSite=Lax" in r.headers["Set-Cookie"]
    r = await registration.get("/office/account")
    assert r.status == 200
    body = await r.text()
    assert "Ola Admin" in body and "My account" in body

    # Single use: the same link again is refused, signed in or not.
    registration.session.cookie_jar.clear()
    r = await registration.get(f"/office/sign-in/link?token={token}&lang=en")
    assert r.status == 400 and "was used already or has expired" in await r.text()
    csrf = await csrf_of(registration, "/office/sign-in")
    r = await registration.post(
        "/office/sign-in/link", data={"token": token, "csrf": csrf}, allow_redirects=False
    )
    assert r.status == 400 and session_cookie(registration) is None


async def test_an_expired_link_does_not_sign_in(service_client: AppClient, servers: Infra) -> None:
    registration, _ = await office_clients(service_client)
    email = address()
    await add_person(registration, email, "viewer")
    r = await request_link(registration, email)
    token = await emailed_token(servers, email)
    await registration.server.app[DB_POOL].execute(
        "UPDATE sign_in_links SET expires_at = now() - interval '1 second'"
        " WHERE staff_id = (SELECT id FROM staff WHERE email = $1)",
        email,
    )
    r = await registration.get(f"/office/sign-in/link?token={token}&lang=en")
    assert r.status == 400
    csrf = await csrf_of(registration, "/office/sign-in")
    r = await registration.post(
        "/office/sign-in/link", data={"token": token, "csrf": csrf}, allow_redirects=False
    )
    assert r.status == 400 and session_cookie(registration) is None


async def test_the_same_answer_without_an_account(
    service_client: AppClient, servers: Infra
) -> None:
    registration, _ = await office_clients(service_client)
    known, unknown = address("known"), address("nobody")
    await add_person(registration, known, "viewer")
    answers = []
    for email in (known, unknown):
        r = await request_link(registration, email, "/office/staff")
        page = await registration.get(r.headers["Location"])
        answers.append((r.status, r.headers["Location"], page.status, await page.text()))
    assert answers[0] == answers[1]
    await emailed_token(servers, known)
    await asyncio.sleep(1)  # what would have come for the unknown address by now
    assert links_in(servers, unknown) == []


async def test_bad_addresses_and_too_many_requests(
    service_client: AppClient, servers: Infra
) -> None:
    registration, _ = await office_clients(service_client)
    csrf = await csrf_of(registration, "/office/sign-in")
    r = await registration.post(
        "/office/sign-in?lang=en",
        data={"email": "not an address", "csrf": csrf},
        allow_redirects=False,
    )
    assert r.status == 400
    body = await r.text()
    assert 'aria-invalid="true"' in body and "Enter an email address like" in body
    r = await registration.post("/office/sign-in", data={"email": address()})
    assert r.status == 403  # no CSRF field: refused

    email = address("limited")
    statuses = [(await request_link(registration, email)).status for _ in range(6)]
    assert statuses == [303] * 5 + [429]


async def test_polish_pages_and_email(service_client: AppClient, servers: Infra) -> None:
    registration, _ = await office_clients(service_client)
    email = address()
    await add_person(registration, email, "viewer", language="pl", name="Jan Kowalski")
    r = await registration.get("/office/sign-in?lang=pl")
    assert "Logowanie do biura wydarzeń" in await r.text()
    r = await sign_in_by_email(registration, servers, email)
    assert r.status == 303
    message = servers.mailbox.to(email)[-1]
    assert message["Subject"] == "Logowanie do biura wydarzeń CNK"
    r = await registration.get("/office/account")
    body = await r.text()
    assert '<html lang="pl">' in body and "Moje konto" in body
