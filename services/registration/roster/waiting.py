"""Who waits for an event and for each of its sessions, in line order, and the seats
offered to them that are still open."""

from __future__ import annotations

import asyncpg
import msgspec

from services.registration.records import Event, Registration, Session
from services.registration.registrations import db as registrations_db
from services.registration.roster import db
from services.registration.roster.db import Waiting
from services.registration.sessions import db as sessions_db


class SessionLine(msgspec.Struct, frozen=True):
    session: Session
    waiting: list[Waiting]  # in line order
    offered: list[Waiting]  # by expiry


class Lines(msgspec.Struct, frozen=True):
    event: Event
    waiting: list[Registration]  # in line order
    offered: list[Registration]  # by expiry
    sessions: list[SessionLine]


async def lines(pool: asyncpg.Pool, event: Event) -> Lines:
    line = await registrations_db.select_event_line(pool, event.id)
    places = await db.select_session_lines(pool, event.id)
    return Lines(
        event=event,
        waiting=[r for r in line if r.status == "waitlisted"],
        offered=[r for r in line if r.status == "offered"],
        sessions=[
            SessionLine(
                session,
                [p for p in places if p.session_id == session.id and p.status == "waitlisted"],
                [p for p in places if p.session_id == session.id and p.status == "offered"],
            )
            for session in await sessions_db.select_sessions(pool, event.id)
        ],
    )
