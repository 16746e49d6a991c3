"""What the account and staff pages show: a person with their roles, sessions and second
factor; everyone on the staff."""

from __future__ import annotations

import uuid

import asyncpg
import msgspec

from services.registration.staff import db


class Account(msgspec.Struct, frozen=True):
    person: db.Person
    roles: list[db.RoleRow]
    sessions: list[db.SessionRow]
    codes_left: int


class Member(msgspec.Struct, frozen=True):
    person: db.Person
    roles: list[db.RoleRow]


async def account(pool: asyncpg.Pool, staff_id: uuid.UUID) -> Account | None:
    async with pool.acquire() as conn:
        person = await db.select_person(conn, staff_id)
        if person is None or person.removed_at is not None:
            return None
        return Account(
            person,
            await db.select_roles(conn, staff_id),
            await db.select_open_sessions(conn, staff_id),
            await db.count_recovery_codes_left(conn, staff_id),
        )


async def members(pool: asyncpg.Pool) -> list[Member]:
    async with pool.acquire() as conn:
        people = await db.select_people(conn)
        roles: dict[uuid.UUID, list[db.RoleRow]] = {}
        for role in await db.select_all_roles(conn):
            roles.setdefault(role.staff_id, []).append(role)
    return [Member(p, roles.get(p.id, [])) for p in people]


async def event_choices(pool: asyncpg.Pool) -> list[db.EventChoice]:
    return await db.select_event_choices(pool)


def staff_id_of(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
