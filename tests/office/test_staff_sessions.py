"""A signed-in person's session: the second factor (TOTP and recovery codes), signing out,
signing out everywhere (every instance and every service refuse the old cookie within a
second), and the language switch."""

from __future__ import annotations

import re
import time
import uuid

import pyotp

from services.registration.staff import signing_in
from shared.auth import STAFF_AUTH
from shared.db import DB_POOL
from shared.refusals import Refused
from tests.conftest import AppClient, Infra
from tests.factories import eventually
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

CODES = re.compile(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>")


async def post(client: AppClient, path: str, form: dict[str, str], page: str) -> object:
    csrf = await csrf_of(client, page)
    return await client.post(path, data={**form, "csrf": csrf}, allow_redirects=False)


async def code_step(client: AppClient, servers: Infra, email: str) -> None:
    """Sign in up to the second factor's question."""
    seen = len(links_in(servers, email))
    await request_link(client, email)
    r = await use_link(client, await emailed_token(servers, email, seen))
    assert r.status == 303 and r.headers["Location"] == "/office/sign-in/code"
    assert session_cookie(client) is None


async def answer(client: AppClient, code: str) -> object:
    return await post(
        client, "/office/sign-in/code?lang=en", {"code": code}, "/office/sign-in/code"
    )


async def test_second_factor_with_totp_and_recovery_codes(
    service_client: AppClient, servers: Infra
) -> None:
    registration, _ = await office_clients(service_client)
    email = address()
    await add_person(registration, email, "organizer", "some-event")
    assert (await sign_in_by_email(registration, servers, email)).status == 303

    r = await post(registration, "/office/account/two-factor", {}, "/office/account")
    assert r.status == 303 and r.headers["Location"] == "/office/account/two-factor"
    r = await registration.get("/office/account/two-factor")
    body = await r.text()
    assert '<svg role="img"' in body
    secret = re.search(r"<code>([A-Z2-7]{16,})</code>", body)[1]  # type: ignore[index]
    totp = pyotp.TOTP(secret)
    confirm = "/office/account/two-factor/confirm"
    r = await post(registration, confirm, {"code": "000000"}, "/office/account/two-factor")
    assert r.status == 400 and 'aria-invalid="true"' in await r.text()
    r = await post(registration, confirm, {"code": totp.now()}, "/office/account/two-factor")
    assert r.status == 200, await r.text()
    codes = CODES.findall(await r.text())
    assert len(codes) == len(set(codes)) == 10
    r = await registration.get("/office/account")
    assert "Recovery codes left: 10" in await r.text()

    r = await post(registration, "/office/sign-out", {}, "/office/account")
    assert r.status == 303 and r.headers["Location"].startswith("/office/sign-in")
    assert session_cookie(registration) is None

    # The link alone is not enough now; a wrong code is refused, a recovery code works.
    await code_step(registration, servers, email)
    r = await answer(registration, "123456")
    assert r.status == 400 and "wrong or was used before" in await r.text()
    r = await answer(registration, codes[0].upper())
    assert r.status == 303 and r.headers["Location"] == "/office/account"
    assert session_cookie(registration)
    r = await registration.get("/office/account")
    assert "Recovery codes left: 9" in await r.text()

    # A code of the app (the next time step: the current one was taken by the setup).
    registration.session.cookie_jar.clear()
    await code_step(registration, servers, email)
    r = await answer(registration, codes[0])
    assert r.status == 400  # a recovery code works once
    r = await answer(registration, totp.at(time.time() + 30))
    assert r.status == 303, await r.text()
    assert (await registration.get("/office/account")).status == 200

    # While it is on, a session alone neither sets it up anew nor gets new recovery codes.
    r = await post(registration, "/office/account/two-factor", {}, "/office/account")
    assert r.status == 303
    r = await registration.get("/office/account/two-factor", allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == "/office/account"
    renew = "/office/account/recovery-codes"
    r = await post(registration, renew, {"renew_code": ""}, "/office/account")
    assert r.status == 400 and 'id="e-renew_code"' in await r.text()
    r = await post(registration, renew, {"renew_code": codes[2]}, "/office/account")
    assert r.status == 200, await r.text()
    renewed = CODES.findall(await r.text())
    assert len(renewed) == 10 and not set(renewed) & set(codes)

    # Turned off with a code, signing in is by the link alone again.
    r = await post(
        registration, "/office/account/two-factor/off", {"off_code": codes[1]}, "/office/account"
    )
    assert r.status == 400  # the old recovery codes are gone
    r = await post(
        registration, "/office/account/two-factor/off", {"off_code": renewed[0]}, "/office/account"
    )
    assert r.status == 303
    registration.session.cookie_jar.clear()
    assert (await sign_in_by_email(registration, servers, email)).status == 303


async def test_sign_out_everywhere_reaches_every_instance_and_service(
    service_client: AppClient, servers: Infra
) -> None:
    here, _ = await office_clients(service_client)
    there = await service_client("registration")
    checkin = await service_client("checkin")
    email = address()
    await add_person(here, email, "admin")
    assert (await sign_in_by_email(here, servers, email)).status == 303
    assert (await sign_in_by_email(there, servers, email)).status == 303
    old = session_cookie(here)
    assert old and old != session_cookie(there)

    async def accepted() -> bool:
        try:
            return bool(checkin.server.app[STAFF_AUTH].verify(old, session=True))
        except Refused:
            return False

    await eventually(accepted)
    r = await there.get("/office/account")
    assert r.status == 200 and (await r.text()).count("<tr>") == 3  # header + 2 sessions

    r = await post(there, "/office/account/sign-out-everywhere", {}, "/office/account")
    assert r.status == 303 and r.headers["Location"].startswith("/office/sign-in")
    started = time.monotonic()

    async def refused_here() -> bool:
        r = await here.get("/office/account", allow_redirects=False)
        return r.status == 303 and r.headers["Location"].startswith("/office/sign-in?next=")

    async def refused_by_checkin() -> bool:
        return not await accepted()

    await eventually(refused_here, timeout=1)
    await eventually(refused_by_checkin, timeout=1)
    assert time.monotonic() - started < 1.5
    r = await there.get("/office/account", allow_redirects=False)
    assert r.status == 303


async def test_language_switch(service_client: AppClient, servers: Infra) -> None:
    registration, _ = await office_clients(service_client)
    email = address()
    await add_person(registration, email, "viewer", language="en")
    assert (await sign_in_by_email(registration, servers, email)).status == 303
    r = await registration.get("/office/account")
    assert '<html lang="en">' in await r.text()
    r = await post(
        registration,
        "/office/language",
        {"lang": "pl", "next": "/office/account"},
        "/office/account",
    )
    assert r.status == 303 and r.headers["Location"] == "/office/account"
    r = await registration.get("/office/account")
    body = await r.text()
    assert '<html lang="pl">' in body and "Moje konto" in body
    # The account keeps it: the next sign-in email is Polish.
    registration.session.cookie_jar.clear()
    assert (await sign_in_by_email(registration, servers, email)).status == 303
    assert servers.mailbox.to(email)[-1]["Subject"] == "Logowanie do biura wydarzeń CNK"
    r = await post(
        registration,
        "/office/language",
        {"lang": "xx", "next": "//evil.example"},
        "/office/account",
    )
    assert r.status == 303 and r.headers["Location"] == "/office/"


async def test_codes_tried_are_limited_per_person(
    service_client: AppClient, servers: Infra
) -> None:
    """However many sessions or links someone holds, a person's codes are tried at most ten
    times an hour."""
    registration, _ = await office_clients(service_client)
    email = address()
    await add_person(registration, email, "viewer")
    assert (await sign_in_by_email(registration, servers, email)).status == 303
    r = await post(registration, "/office/account/two-factor", {}, "/office/account")
    body = await (await registration.get("/office/account/two-factor")).text()
    secret = re.search(r"<code>([A-Z2-7]{16,})</code>", body)[1]  # type: ignore[index]
    confirm = "/office/account/two-factor/confirm"
    setup = "/office/account/two-factor"
    r = await post(registration, confirm, {"code": pyotp.TOTP(secret).now()}, setup)
    assert r.status == 200, await r.text()
    off = "/office/account/two-factor/off"
    for _ in range(9):
        r = await post(registration, off, {"off_code": "000000"}, "/office/account")
        assert r.status == 400 and "wrong or was used before" in await r.text()
    r = await post(registration, off, {"off_code": "000000"}, "/office/account")
    assert r.status == 400 and "Too many codes were tried" in await r.text()


async def test_a_sign_out_nats_missed_is_told_to_every_service(
    service_client: AppClient, servers: Infra
) -> None:
    """The database says the session is over, the bucket never heard: the republisher tells
    every service."""
    registration, _ = await office_clients(service_client)
    checkin = await service_client("checkin")
    email = address()
    await add_person(registration, email, "viewer")
    assert (await sign_in_by_email(registration, servers, email)).status == 303
    old = session_cookie(registration)
    assert old
    jti = checkin.server.app[STAFF_AUTH].verify(old, session=True).jti
    await registration.server.app[DB_POOL].execute(
        "UPDATE staff_sessions SET signed_out_at = now() WHERE id = $1", uuid.UUID(jti)
    )
    await signing_in.republish_revocations(registration.server.app)

    async def refused() -> bool:
        return jti in checkin.server.app[STAFF_AUTH].revoked

    await eventually(refused, timeout=1)
