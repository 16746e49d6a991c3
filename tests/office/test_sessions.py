"""Back-office sessions: signed by registration, accepted by every service, refused when
revoked, signed out to the sign-in page, roles checked per event."""

from __future__ import annotations

import asyncio
import time
import uuid

from shared.auth import STAFF_AUTH, StaffAuth, StaffClaims
from shared.office import sessions
from shared.refusals import Refused
from tests.conftest import AppClient, Infra
from tests.office_session import sign_in


def claims(**kw: object) -> StaffClaims:
    now = int(time.time())
    values: dict[str, object] = dict(
        jti="j", sub="s", role="organizer", events=["a"], exp=now + 60, iat=now
    )
    values.update(kw)
    return StaffClaims(**values)  # type: ignore[arg-type]


def test_roles_per_event() -> None:
    person = sessions.new_session(
        staff_id=uuid.uuid4(),
        name="Ola",
        lang="pl",
        grants={"conf": "organizer", "fair": "viewer"},
    )
    assert person.role == "organizer"
    assert person.may("organizer", "conf") and person.may("viewer", "conf")
    assert person.may("viewer", "fair") and not person.may("organizer", "fair")
    assert not person.may("viewer", "other") and not person.is_admin
    StaffAuth.check(person, ("viewer",), "fair")
    for slug in ("fair", "other"):
        try:
            StaffAuth.check(person, ("organizer",), slug)
        except Refused as e:
            assert e.refusal.code in ("forbidden", "event_not_covered")
        else:
            raise AssertionError(slug)


def test_token_roles() -> None:
    admin = claims(role="admin", events=["*"])
    assert admin.is_admin and admin.may("organizer", "x") and admin.may("door", "x")
    door = claims(role="door", events=["a"])
    assert door.may("door", "a") and not door.may("viewer", "a") and not door.may("door", "b")
    StaffAuth.check(claims(role="organizer", events=["a"]), ("door",), "a")


async def test_session_reaches_every_service_until_revoked(
    service_client: AppClient, servers: Infra
) -> None:
    registration = await service_client("registration")
    clients = {"registration": registration}
    for name in ("tickets", "checkin", "notifications"):
        clients[name] = await service_client(name)
    r = await registration.get("/office/assets/office.css")
    assert r.status == 200
    jti = sign_in(registration, {"*": "admin"})
    # Each service takes the session once the key is in the bucket; the revocation then
    # reaches every one.
    for name, client in clients.items():
        app = client.server.app
        token = registration.session.cookie_jar.filter_cookies(registration.make_url("/"))[
            sessions.COOKIE
        ].value
        deadline = time.monotonic() + 5
        while True:
            try:
                assert app[STAFF_AUTH].verify(token, session=True)
                break
            except Refused:
                assert time.monotonic() < deadline, name
                await asyncio.sleep(0.05)
    admin = servers.token(role="organizer", events=["*"])
    r = await clients["tickets"].delete(
        f"/api/v1/tokens/{jti}", headers={"Authorization": f"Bearer {admin}"}
    )
    assert r.status == 204, await r.text()
    for name, client in clients.items():
        auth = client.server.app[STAFF_AUTH]
        deadline = time.monotonic() + 1
        while jti not in auth.revoked:
            assert time.monotonic() < deadline, name
            await asyncio.sleep(0.02)


def test_a_session_gives_its_roles_event_by_event_only() -> None:
    """A viewer of every event who organizes one may not act for all events, nor organize
    another one, however its strongest role reads."""
    person = sessions.new_session(
        staff_id=uuid.uuid4(), name="Ola", lang="pl", grants={"*": "viewer", "a": "organizer"}
    )
    for roles, slug, all_events in (
        (("organizer",), None, True),
        (("organizer",), None, False),
        (("organizer",), "b", False),
    ):
        try:
            StaffAuth.check(person, roles, slug, all_events=all_events)  # type: ignore[arg-type]
        except Refused as e:
            assert e.refusal.code in ("forbidden", "all_events_needed"), e.refusal.code
        else:
            raise AssertionError((roles, slug, all_events))
    StaffAuth.check(person, ("organizer",), "a")
    StaffAuth.check(person, ("viewer",), "b")


async def test_a_session_is_no_bearer_token(service_client: AppClient) -> None:
    """The session cookie's token, copied into an Authorization header, opens no API."""
    registration = await service_client("registration")
    tickets = await service_client("tickets")
    sign_in(registration, {"*": "viewer", "a": "organizer"})
    token = registration.session.cookie_jar.filter_cookies(registration.make_url("/"))[
        sessions.COOKIE
    ].value
    headers = {"Authorization": f"Bearer {token}"}
    r = await tickets.post("/api/v1/keys", headers=headers)
    assert r.status == 401 and (await r.json())["code"] == "invalid_token"
    r = await registration.get("/api/v1/events/a/stats", headers=headers)
    assert r.status == 401 and (await r.json())["code"] == "invalid_token"
