"""The staff pages and the audit log: an admin adds an organizer for one event, who is
refused elsewhere; every change lands in the audit log, shown on the event's page;
`cnk staff add` writes through the same use case."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

from services.registration.audit import db as audit_db
from services.registration.audit.diff import Changed, changes
from services.registration.staff import db as staff_db
from shared import audit
from shared.db import DB_POOL
from shared.office.sessions import new_session
from tests.conftest import AppClient, Infra
from tests.factories import auth, event_body, eventually
from tests.office.staff_journey import (
    add_person,
    address,
    office_clients,
    session_cookie,
    sign_in_by_email,
)
from tests.office_session import csrf_of

ROOT = Path(__file__).resolve().parents[2]


async def create_event(client: AppClient, servers: Infra) -> str:
    body = event_body()
    r = await client.post("/api/v1/events", json=body, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    return str(body["slug"])


async def post(client: AppClient, path: str, form: dict[str, str], page: str) -> object:
    csrf = await csrf_of(client, page)
    return await client.post(path, data={**form, "csrf": csrf}, allow_redirects=False)


async def test_admin_adds_an_organizer_for_one_event(
    service_client: AppClient, servers: Infra
) -> None:
    admin, _ = await office_clients(service_client)
    organizer = await service_client("registration")
    ours, theirs = await create_event(admin, servers), await create_event(admin, servers)
    admin_email, organizer_email = address("admin"), address("organizer")
    await add_person(admin, admin_email, "admin", name="Ada Admin")
    assert (await sign_in_by_email(admin, servers, admin_email)).status == 303

    r = await admin.get("/office/staff")
    assert r.status == 200 and "Ada Admin" in await r.text()
    new = {"email": "", "name": "", "language": "pl", "role": "organizer", "event": ours}
    r = await post(admin, "/office/staff/new", new, "/office/staff/new")
    assert r.status == 400
    body = await r.text()
    assert "Enter an email address." in body and 'id="error-summary"' in body
    new.update(email=organizer_email, name="Olek Organizer")
    r = await post(admin, "/office/staff/new", new, "/office/staff/new")
    assert r.status == 303, await r.text()
    person_page = r.headers["Location"].split("?")[0]
    r = await admin.get(person_page)
    body = await r.text()
    assert "Olek Organizer" in body and f"<td>{ours}</td>" in body

    assert (await sign_in_by_email(organizer, servers, organizer_email)).status == 303
    assert (await organizer.get(f"/office/events/{ours}/audit")).status == 200
    for path in (f"/office/events/{theirs}/audit", "/office/staff", person_page):
        r = await organizer.get(path)
        assert r.status == 403, path
        assert "No access" in await r.text() or "Brak dostępu" in await r.text()

    # Every change is in the event's audit log: who, what, before and after.
    r = await post(admin, f"{person_page}/roles", {"role": "viewer", "event": ours}, person_page)
    assert r.status == 303

    async def logged() -> str | None:
        text = await (await admin.get(f"/office/events/{ours}/audit")).text()
        return text if text.count("staff.role_granted") >= 2 else None

    text = await eventually(logged)
    assert "Ada Admin" in text
    assert "<del>organizer</del>" in text and "<ins>viewer</ins>" in text
    assert organizer_email in text

    # The organizer lost a right: their session ends.
    async def signed_out() -> bool:
        r = await organizer.get(f"/office/events/{ours}/audit", allow_redirects=False)
        return r.status == 303

    await eventually(signed_out, timeout=2)
    roles = await staff_db.select_roles(
        admin.server.app[DB_POOL], await _id(admin, organizer_email)
    )
    r = await post(admin, f"{person_page}/roles/{roles[0].id}/remove", {}, person_page)
    assert r.status == 303
    r = await post(admin, f"{person_page}/remove", {}, person_page)
    assert r.status == 400 and "Tick the confirmation" in await r.text()
    r = await post(admin, f"{person_page}/remove", {"confirm": "1"}, person_page)
    assert r.status == 303 and r.headers["Location"] == "/office/staff"
    assert organizer_email not in await (await admin.get("/office/staff")).text()


async def _id(client: AppClient, email: str) -> uuid.UUID:
    person = await staff_db.select_person_by_email(client.server.app[DB_POOL], email)
    assert person is not None
    return person.id


async def test_the_last_admin_stays(service_client: AppClient, servers: Infra) -> None:
    registration, _ = await office_clients(service_client)
    pool = registration.server.app[DB_POOL]
    # Other tests' admins share the database: this one is the last by removing them.
    await pool.execute("DELETE FROM staff_roles WHERE role = 'admin' AND event_slug IS NULL")
    email = address("only")
    await add_person(registration, email, "admin")
    assert (await sign_in_by_email(registration, servers, email)).status == 303
    page = f"/office/staff/{await _id(registration, email)}"
    r = await post(registration, f"{page}/remove", {"confirm": "1"}, page)
    assert r.status == 400 and "last administrator" in await r.text()
    r = await post(registration, f"{page}/roles", {"role": "viewer", "event": "*"}, page)
    assert r.status == 400 and session_cookie(registration)


async def test_entries_for_a_registration(service_client: AppClient, servers: Infra) -> None:
    registration, _ = await office_clients(service_client)
    pool = registration.server.app[DB_POOL]
    registration_id = uuid.uuid4()
    rita = await add_person(registration, address(), "admin", name="Rita")
    claims = new_session(staff_id=rita.person.id, name="Rita", lang="en", grants={"*": "admin"})
    async with pool.acquire() as conn, conn.transaction():
        await audit.record(
            conn,
            "registration",
            claims,
            "registration.cancelled",
            event_slug="some-event",
            registration_id=registration_id,
            before={"status": "confirmed", "seats": 1},
            after={"status": "cancelled", "seats": 1},
        )

    async def stored() -> list[audit_db.Entry]:
        return await audit_db.select_for_registration(pool, registration_id, 10)

    [entry] = await eventually(stored)
    assert (entry.actor_name, entry.action) == ("Rita", "registration.cancelled")
    assert entry.before == {"status": "confirmed", "seats": 1}
    assert entry.changes == [Changed("status", "confirmed", "cancelled")]


def test_changes_read_key_by_key() -> None:
    before = {"name": {"pl": "Stara", "en": "Old"}, "capacity": 10, "rooms": ["A"]}
    after = {"name": {"pl": "Nowa", "en": "Old"}, "capacity": 10, "venue": "x" * 200}
    assert changes(before, after) == [
        Changed("name.pl", "Stara", "Nowa"),
        Changed("rooms", '["A"]', None),
        Changed("venue", None, "x" * 119 + "…"),
    ]
    assert changes(None, {"role": "door"}) == [Changed("role", None, "door")]


async def test_cnk_staff_add(service_client: AppClient, servers: Infra) -> None:
    registration, _ = await office_clients(service_client)
    email = address("cli")
    env = {**os.environ, "DATABASE_URL": servers.database_url, "PYTHONPATH": str(ROOT)}
    env.pop("NATS_URL", None)

    def cnk(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cnk.cli", "staff", "add", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    done = await asyncio.to_thread(cnk, email, "--role", "admin", "--name", "Cli Admin")
    assert done.returncode == 0, done.stderr
    assert "admin of all events" in done.stdout
    done = await asyncio.to_thread(cnk, email.upper(), "--role", "door", "--event", "fair-2027")
    assert done.returncode == 0, done.stderr
    done = await asyncio.to_thread(cnk, email, "--role", "admin")
    assert done.returncode == 0, done.stderr
    done = await asyncio.to_thread(cnk, "nobody", "--role", "admin")
    assert done.returncode == 2 and "Enter an email address like" in done.stderr
    done = await asyncio.to_thread(cnk, email, "--role", "admin", "--event", "fair-2027")
    assert done.returncode == 2 and "An admin is an admin of all events" in done.stderr
    pool = registration.server.app[DB_POOL]
    roles = await staff_db.select_roles(pool, await _id(registration, email))
    assert sorted((r.role, r.event_slug or "*") for r in roles) == [
        ("admin", "*"),
        ("door", "fair-2027"),
    ]
    # The person signs in like anyone added on the staff pages.
    assert (await sign_in_by_email(registration, servers, email)).status == 303
    assert re.search("Cli Admin", await (await registration.get("/office/account")).text())
