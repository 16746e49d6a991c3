"""Staff accounts: adding and editing people, granting and revoking their roles, removing
them. The back office's staff pages and ``cnk staff add`` both call these; every change is
in the audit log. A change that takes a right away returns the sessions to revoke (the
caller revokes them after the commit: shared/revocations.py needs NATS)."""

from __future__ import annotations

import re
import time
import uuid

import asyncpg
import msgspec

from services.registration.staff import db
from services.registration.staff.texts import Invalid
from shared import audit
from shared.auth import ALL_EVENTS, IMPLIES, ROLES, Role, StaffClaims
from shared.slugs import SLUG_PATTERN

SERVICE = "registration"
LANGUAGES = ("pl", "en")
# Staff addresses are typed by an admin, and the local stack's is admin@cnk.local (a name
# email-validator refuses): one @, no spaces, a dot-free domain allowed.
_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]{1,64}@[^@\s<>(),;:\"\[\]]{1,189}$")


class PersonView(msgspec.Struct, frozen=True):
    """What the audit log keeps of a person."""

    email: str
    name: str
    language: str


class Change(msgspec.Struct, frozen=True):
    """A use case's result: the person as now, and the sessions to revoke."""

    person: db.Person
    revoke: list[uuid.UUID] = []


def system_actor(name: str) -> StaffClaims:
    """Who the audit log names for a change made outside a session (``cnk staff add``)."""
    now = int(time.time())
    return StaffClaims(
        jti=str(uuid.uuid4()),
        sub=name,
        role="admin",
        events=[ALL_EVENTS],
        exp=now + 60,
        iat=now,
        name=name,
    )


def check_email(email: str) -> str:
    email = email.strip()
    if not email:
        raise Invalid({"email": "email_required"})
    if len(email) > 254 or not _EMAIL.match(email):
        raise Invalid({"email": "email_invalid"})
    return email


def check_person(email: str, name: str, language: str) -> tuple[str, str, str]:
    errors: dict[str, str] = {}
    try:
        email = check_email(email)
    except Invalid as e:
        errors.update(e.errors)
    name = " ".join(name.split())
    if not name:
        errors["name"] = "name_required"
    elif len(name) > 200:
        errors["name"] = "name_too_long"
    if language not in LANGUAGES:
        errors["language"] = "language_invalid"
    if errors:
        raise Invalid(errors)
    return email, name, language


def check_role(role: str, event_slug: str | None) -> tuple[Role, str | None]:
    errors: dict[str, str] = {}
    if role not in ROLES:
        errors["role"] = "role_invalid"
    slug = (event_slug or "").strip() or None
    if slug == ALL_EVENTS:
        slug = None
    if slug is not None and not re.match(SLUG_PATTERN, slug):
        errors["event"] = "event_invalid"
    elif slug is not None and role == "admin":  # staff and keys are not any one event's
        errors["event"] = "admin_all_events"
    if errors:
        raise Invalid(errors)
    return role, slug  # type: ignore[return-value]


def _view(person: db.Person) -> PersonView:
    return PersonView(person.email, person.name, person.language)


def _role_view(row: db.RoleRow | None) -> dict[str, object] | None:
    if row is None:
        return None
    return {"role": row.role, "event": row.event_slug or ALL_EVENTS}


async def _grant(
    conn: asyncpg.Connection,
    actor: StaffClaims,
    person: db.Person,
    role: Role,
    slug: str | None,
) -> list[uuid.UUID]:
    """Give the role; a role that does not include the one it replaces signs the person out
    (their sessions carry the old one)."""
    before = next((r for r in await db.select_roles(conn, person.id) if r.event_slug == slug), None)
    if before is not None and before.role == role:
        return []
    if before is not None and before.role == "admin" and slug is None:
        await _keep_an_admin(conn)
    after = await db.upsert_role(conn, person.id, role, slug)
    await audit.record(
        conn,
        SERVICE,
        actor,
        "staff.role_granted",
        event_slug=slug,
        before={"person": person.email, **(_role_view(before) or {})} if before else None,
        after={"person": person.email, **(_role_view(after) or {})},
    )
    if before is not None and before.role not in IMPLIES[role]:
        return await db.update_sessions_signed_out(conn, person.id)
    return []


async def _keep_an_admin(conn: asyncpg.Connection) -> None:
    """Refuse a change that would leave nobody an admin of all events."""
    if await db.count_admins(conn) <= 1:
        raise Invalid({"role": "last_admin"})


async def add_person(
    pool: asyncpg.Pool,
    actor: StaffClaims,
    *,
    email: str,
    name: str,
    language: str,
    role: str,
    event_slug: str | None,
) -> Change:
    """A new person with a role, or (same address) the role added to the one there is. A
    removed person is brought back, with this role only."""
    email, name, language = check_person(email, name or email.split("@")[0], language)
    role_, slug = check_role(role, event_slug)
    async with pool.acquire() as conn, conn.transaction():
        person = await db.select_person_by_email(conn, email)
        if person is None:
            person = await db.insert_person(conn, uuid.uuid4(), email, name, language)
            await audit.record(conn, SERVICE, actor, "staff.added", after=_view(person))
        elif person.removed_at is not None:
            before = person
            person = await db.update_person(conn, person.id, name, language)
            assert person is not None
            await audit.record(
                conn, SERVICE, actor, "staff.restored", before=_view(before), after=_view(person)
            )
        revoke = await _grant(conn, actor, person, role_, slug)
    return Change(person, revoke)


async def edit_person(
    pool: asyncpg.Pool, actor: StaffClaims, staff_id: uuid.UUID, *, name: str, language: str
) -> Change | None:
    async with pool.acquire() as conn, conn.transaction():
        before = await db.select_person(conn, staff_id)
        if before is None or before.removed_at is not None:
            return None
        _, name, language = check_person(before.email, name, language)
        person = await db.update_person(conn, staff_id, name, language)
        assert person is not None
        if _view(person) != _view(before):
            await audit.record(
                conn, SERVICE, actor, "staff.changed", before=_view(before), after=_view(person)
            )
    return Change(person)


async def grant_role(
    pool: asyncpg.Pool, actor: StaffClaims, staff_id: uuid.UUID, role: str, event_slug: str | None
) -> Change | None:
    role_, slug = check_role(role, event_slug)
    async with pool.acquire() as conn, conn.transaction():
        person = await db.select_person(conn, staff_id)
        if person is None or person.removed_at is not None:
            return None
        revoke = await _grant(conn, actor, person, role_, slug)
    return Change(person, revoke)


async def revoke_role(
    pool: asyncpg.Pool, actor: StaffClaims, staff_id: uuid.UUID, role_id: uuid.UUID
) -> Change | None:
    """Take one role away; the person's sessions end (they carried it)."""
    async with pool.acquire() as conn, conn.transaction():
        person = await db.select_person(conn, staff_id)
        if person is None or person.removed_at is not None:
            return None
        roles = {r.id: r for r in await db.select_roles(conn, staff_id)}
        gone = roles.get(role_id)
        if gone is None:
            return Change(person)
        if gone.role == "admin" and gone.event_slug is None:
            await _keep_an_admin(conn)
        await db.delete_role(conn, staff_id, role_id)
        await audit.record(
            conn,
            SERVICE,
            actor,
            "staff.role_revoked",
            event_slug=gone.event_slug,
            before={"person": person.email, **(_role_view(gone) or {})},
        )
        revoke = await db.update_sessions_signed_out(conn, staff_id)
    return Change(person, revoke)


async def remove_person(
    pool: asyncpg.Pool, actor: StaffClaims, staff_id: uuid.UUID
) -> Change | None:
    """The person can no longer sign in: roles, second factor and sessions go."""
    async with pool.acquire() as conn, conn.transaction():
        person = await db.select_person(conn, staff_id)
        if person is None or person.removed_at is not None:
            return None
        roles = await db.select_roles(conn, staff_id)
        if any(r.role == "admin" and r.event_slug is None for r in roles):
            await _keep_an_admin(conn)
        await db.delete_roles(conn, staff_id)
        await db.delete_recovery_codes(conn, staff_id)
        await db.update_removed(conn, staff_id)
        await audit.record(
            conn,
            SERVICE,
            actor,
            "staff.removed",
            before={**msgspec.to_builtins(_view(person)), "roles": [_role_view(r) for r in roles]},
        )
        revoke = await db.update_sessions_signed_out(conn, staff_id)
    return Change(person, revoke)


def grants_of(roles: list[db.RoleRow]) -> dict[str, Role]:
    """A session's grants: event slug (``*``: all events) -> role."""
    return {r.event_slug or ALL_EVENTS: r.role for r in roles}  # type: ignore[misc]
