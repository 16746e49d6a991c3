"""`cnk staff add`: a person of the back office's staff, or a role for one already there,
written straight to registration's schema through the same use case as the staff pages
(services/registration/staff/accounts.py). It bootstraps the first admin, and `make run`
makes the local stack's admin with it."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from datetime import UTC, datetime

import asyncpg
import nats
import nats.errors

from cnk import keyfile
from services.registration.staff import accounts
from services.registration.staff.texts import TEXTS, Invalid
from shared import db, revocations

SCHEMA = "registration"


def _stack_value(name: str) -> str | None:
    """A value `make run` wrote for tools run beside it (.data/stack.env)."""
    path = keyfile.DATA_DIR / "stack.env"
    if not path.exists():
        return None
    for line in path.read_text().splitlines():
        key, _, value = line.partition("=")
        if key == name and value:
            return value
    return None


def database_url() -> str | None:
    return os.environ.get("DATABASE_URL") or _stack_value("DATABASE_URL")


async def add(
    url: str, email: str, role: str, event: str | None, name: str, language: str
) -> accounts.Change:
    """Add the person (or the role), registration's migrations applied first if need be."""
    pool = await db.create_pool(url, SCHEMA, min_size=1, max_size=2, purpose="cli")
    try:
        async with pool.acquire() as conn:
            await db.migrate(conn, SCHEMA, db.migrations_of("services.registration"))
        return await accounts.add_person(
            pool,
            accounts.system_actor("cnk staff add"),
            email=email,
            name=name,
            language=language,
            role=role,
            event_slug=event,
        )
    finally:
        await pool.close()


async def revoke(session_ids: list[uuid.UUID]) -> bool:
    """Revoke sessions that carried a role now taken away, when NATS can be reached."""
    url = os.environ.get("NATS_URL") or _stack_value("NATS_URL")
    if not session_ids or not url:
        return not session_ids
    replicas = int(os.environ.get("NATS_STREAM_REPLICAS") or 1)
    try:
        nc = await nats.connect(url, connect_timeout=5, max_reconnect_attempts=0)
    except (OSError, nats.errors.Error, TimeoutError):
        return False
    try:
        revocation = revocations.Revocation(datetime.now(UTC), "cnk staff add")
        for session_id in session_ids:
            await revocations.publish(nc.jetstream(), str(session_id), revocation, replicas)
    finally:
        await nc.close()
    return True


def cmd_staff_add(email: str, role: str, event: str | None, name: str | None, language: str) -> int:
    url = database_url()
    if not url:
        print(
            "cnk staff add: set DATABASE_URL (or start the local stack: make run)", file=sys.stderr
        )
        return 2
    try:
        change = asyncio.run(add(url, email, role, event, name or "", language))
    except Invalid as e:
        for message in e.messages("en").values():
            print(f"cnk staff add: {message}", file=sys.stderr)
        return 2
    except (OSError, asyncpg.PostgresError) as e:
        print(f"cnk staff add: cannot use the database: {e}", file=sys.stderr)
        return 1
    where = f"event {event}" if event and event != "*" else "all events"
    words = TEXTS["en"]
    person = change.person
    print(f"{person.email} ({person.name}, {words['lang_' + person.language]}): {role} of {where}")
    if change.revoke and not asyncio.run(revoke(change.revoke)):
        print(
            f"cnk staff add: {len(change.revoke)} open session(s) of {person.email} carried the"
            " role replaced, and NATS could not be reached to end them (NATS_URL): they end"
            " when they expire",
            file=sys.stderr,
        )
    return 0
