"""HTTP handlers of the registration service."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, Literal

import asyncpg
import msgspec
from aiohttp import web

from services.registration import db, limits, messages, seats, session_seats, storing
from services.registration.batcher import WORKERS, RegistrationBatcher
from services.registration.event_cache import EVENT_CACHE
from services.registration.keys import ACTOR, REGISTRATION_BATCHER, REGISTRATIONS_TOTAL
from services.registration.schemas import (
    Attendee,
    CreateEventRequest,
    Event,
    Question,
    RegisterRequest,
    Registration,
    Session,
    SessionPlace,
    TicketType,
    UpdateEventRequest,
    normalize_email,
)
from shared import events, outbox
from shared.auth import (
    StaffClaims,
    bearer_token,
    exchange_link,
    looks_like_jwt,
    manage_token_matches,
    new_manage_token,
    presented_token,
)
from shared.db import batch_pool
from shared.http import ProblemError, decode_body, json_response
from shared.keys import DB_POOL, SETTINGS, STAFF_AUTH
from shared.refusals import FieldError
from shared.routes import staff_claims
from shared.sealing import SEALER, Sealer
from shared.slugs import is_slug
from shared.tasks import stop_task, supervise


def event_body(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "slug": event.slug,
        "name": event.name,
        "kind": event.kind,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "venue": event.venue,
        "capacity": event.capacity,
        "seats_left": event.seats_left,
        "status": event.status,
        "waitlist": event.waitlist,
        "retention_days": event.retention_days,
        "description": event.description,
        "room": event.room,
        "registration_opens_at": event.registration_opens_at,
        "registration_closes_at": event.registration_closes_at,
        "group_limit": event.group_limit,
    }


def session_body(session: Session) -> dict[str, Any]:
    return {
        "slug": session.slug,
        "name": session.name,
        "room": session.room,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "capacity": session.capacity,
        "seats_left": session.seats_left,
    }


def place_body(place: SessionPlace) -> dict[str, Any]:
    body: dict[str, Any] = {
        "slug": place.session.slug,
        "name": place.session.name,
        "room": place.session.room,
        "starts_at": place.session.starts_at,
        "ends_at": place.session.ends_at,
        "status": place.status,
    }
    if place.status == "waitlisted":
        body["position"] = place.position
    if place.status == "offered":
        body["offer_expires_at"] = place.offer_expires_at
    return body


async def places_body(
    conn: asyncpg.Connection | asyncpg.Pool, registration_id: uuid.UUID
) -> list[dict[str, Any]]:
    """A registration's current sessions, with its place in each line it waits in."""
    return [place_body(place) for place in await db.select_places(conn, [registration_id])]


def registration_body(
    registration: Registration, event: Event | None = None, position: int | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": registration.id,
        "event_id": registration.event_id,
        "status": registration.status,
        "name": registration.name,
        "email": registration.email,
        "lang": registration.lang,
        "organization": registration.organization,
        "country": registration.country,
        "role": registration.role,
        "ticket_type_id": registration.ticket_type_id,
        "group_id": registration.group_id,
        "created_at": registration.created_at,
    }
    if event is not None:
        body["event"] = event.slug
    if registration.status == "waitlisted":
        body["position"] = position
    if registration.status == "offered":
        body["offer_expires_at"] = registration.offer_expires_at
    if registration.status == "cancelled":
        body["cancelled_at"] = registration.cancelled_at
        body["cancel_reason"] = registration.cancel_reason
    return body


def _organizer(request: web.Request) -> StaffClaims | None:
    """Public reads show drafts to the organizers of those events; any other valid staff
    token reads as public."""
    token = bearer_token(request)
    if token is None or not looks_like_jwt(token):
        return None
    claims = request.app[STAFF_AUTH].verify(token)
    return claims if claims.role == "organizer" else None


async def event_or_404(request: web.Request, include_drafts: bool = False) -> Event:
    slug = request.match_info["slug"]
    event = await db.select_event(request.app[DB_POOL], slug) if is_slug(slug) else None
    if event is None or (event.status == "draft" and not include_drafts):
        raise ProblemError(404, "event_not_found", f"There is no event {slug!r}.")
    return event


async def create_event(request: web.Request) -> web.Response:
    claims = staff_claims(request)
    body = await decode_body(request, CreateEventRequest)
    if not claims.covers(body.slug):
        raise ProblemError(
            403, "event_not_covered", f"The token does not cover event {body.slug!r}."
        )
    event = Event(
        id=uuid.uuid4(),
        slug=body.slug,
        name=body.name,
        kind=body.kind,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        venue=body.venue,
        capacity=body.capacity,
        taken=0,
        status=body.status,
        version=1,
        waitlist=body.waitlist,
        retention_days=body.retention_days,
        description=body.description,
        room=body.room,
        registration_opens_at=body.registration_opens_at,
        registration_closes_at=body.registration_closes_at,
        group_limit=body.group_limit,
    )
    sessions = [
        Session(
            id=uuid.uuid4(),
            event_id=event.id,
            slug=s.slug,
            name=s.name,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            capacity=s.capacity,
            taken=0,
            room=s.room,
        )
        for s in body.sessions
    ]
    pool = request.app[DB_POOL]
    try:
        async with pool.acquire() as conn, conn.transaction():
            await db.insert_event(conn, event)
            for session in sessions:
                await db.insert_session(conn, session)
            await outbox.enqueue(
                conn,
                events.EventCreated(
                    event=messages.event_info(event),
                    capacity=event.capacity,
                    status=event.status,
                    sessions=[messages.session_info(s) for s in sessions],
                    ticket_types=[],  # added later, each one announced by event.updated
                ),
                event.id,
                event.version,
            )
    except asyncpg.UniqueViolationError:
        raise ProblemError(
            409, "slug_taken", f"An event with slug {body.slug!r} already exists."
        ) from None
    return json_response(
        event_body(event) | {"sessions": [session_body(s) for s in sessions]},
        status=201,
        headers={"Location": f"/api/v1/events/{event.slug}"},
    )


async def list_events(request: web.Request) -> web.Response:
    organizer = _organizer(request)
    found = await db.select_events(request.app[DB_POOL], include_drafts=organizer is not None)
    shown = [e for e in found if e.status != "draft" or (organizer and organizer.covers(e.slug))]
    return json_response({"events": [event_body(e) for e in shown]})


async def get_event(request: web.Request) -> web.Response:
    organizer = _organizer(request)
    drafts = organizer is not None and organizer.covers(request.match_info["slug"])
    event = await event_or_404(request, include_drafts=drafts)
    sessions = await db.select_sessions(request.app[DB_POOL], event.id)
    return json_response(event_body(event) | {"sessions": [session_body(s) for s in sessions]})


class Registered(msgspec.Struct, frozen=True):
    registration: Registration
    position: int | None
    manage_token: str


def new_registration(
    event: Event,
    body: RegisterRequest,
    sealer: Sealer,
    ticket_type_id: uuid.UUID | None = None,
    person: Attendee | None = None,
    group_id: uuid.UUID | None = None,
) -> tuple[Registration, str]:
    """A registration not yet stored, and its manage token (only the hash is kept, and the
    token sealed for the emails).

    ``person`` is a group member; the group shares the contact's profile and ticket type.
    """
    who = person or body
    token, token_hash = new_manage_token()
    registration = Registration(
        id=uuid.uuid4(),
        event_id=event.id,
        name=who.name,
        email=normalize_email(who.email),
        lang=who.lang,
        status="confirmed",
        manage_token_hash=token_hash,
        version=1,
        created_at=datetime.now(UTC),
        organization=body.organization,
        country=body.country,
        role=body.role,
        ticket_type_id=ticket_type_id,
        group_id=group_id,
        manage_token_sealed=sealer.seal(token),
    )
    return registration, token


async def batcher_context(app: web.Application) -> AsyncIterator[None]:
    """The registration batcher (see batcher.py), run for the app's life."""
    async with batch_pool(app[SETTINGS], "batcher", WORKERS) as pool:
        batcher = RegistrationBatcher(pool)
        app[REGISTRATION_BATCHER] = batcher
        tasks = [
            asyncio.create_task(supervise(batcher.run, "registration-batcher"))
            for _ in range(WORKERS)
        ]
        yield
        for task in tasks:
            await stop_task(task)
        batcher.fail_waiting(RuntimeError("registration is shutting down"))


async def insert_registrations(
    conn: asyncpg.Connection,
    event: Event,
    registrations: list[Registration],
    ticket_type: str | None = None,
    answers: dict[str, Any] | None = None,
    sessions: list[Session] | None = None,
) -> tuple[str, dict[uuid.UUID, int]]:
    """Store them with seats or on the waitlist, all alike, and their places in
    ``sessions`` (then ``conn`` must be in a transaction); (status, waitlist positions)."""
    # With sessions, the events wait until the sessions are placed: they tell where.
    status, positions = await storing.store(
        conn, event, registrations, ticket_type, answers, with_events=not sessions
    )
    if sessions:
        await _place_sessions(conn, event, registrations, ticket_type, sessions, status, positions)
    return status, positions


async def _place_sessions(
    conn: asyncpg.Connection,
    event: Event,
    registrations: list[Registration],
    ticket_type: str | None,
    sessions: list[Session],
    status: str,
    positions: dict[uuid.UUID, int],
) -> None:
    ids = [r.id for r in registrations]
    await session_seats.place_new(conn, event, ids, sessions, status == "confirmed")
    places = await db.select_places(conn, ids)
    for r in registrations:
        mine = [p for p in places if p.registration_id == r.id]
        data: events.EventData = (
            messages.confirmed_event(event, r, ticket_type, mine)
            if status == "confirmed"
            else messages.waitlisted_event(event, r, positions[r.id], mine)
        )
        await outbox.enqueue(conn, data, r.id, 1)


async def register(
    request: web.Request,
    event: Event,
    types: list[TicketType],
    questions: list[Question],
    sessions: list[Session],
    body: RegisterRequest,
) -> list[Registered]:
    """Register a person, or a group, for ``event`` (the API and the form both come here).

    Raises ProblemError; returns the registrations, the contact first.
    """
    # These modules import this one.
    from services.registration import questions as questions_
    from services.registration import ticket_types

    await limits.check(request, event, body)
    if event.status != "published":
        raise ProblemError(409, "registration_closed", "This event does not take registrations.")
    now = datetime.now(UTC)
    if event.registration_opens_at is not None and now < event.registration_opens_at:
        raise ProblemError(
            409,
            "registration_not_open",
            "Registration for this event has not opened yet.",
            extra={"opens_at": event.registration_opens_at.isoformat()},
        )
    if event.registration_closes_at is not None and now >= event.registration_closes_at:
        raise ProblemError(409, "registration_closed", "Registration for this event has closed.")
    size = 1 + len(body.attendees or [])
    if size > event.group_limit:
        raise ProblemError(
            400,
            "group_too_large",
            f"A group may have at most {event.group_limit} people for this event.",
            errors=[FieldError(field="attendees", message=f"at most {event.group_limit - 1}")],
        )
    answers = questions_.check_answers(questions, body.answers)
    chosen = ticket_types.resolve(types, body)
    chosen_sessions = session_seats.resolve(sessions, body.sessions)
    type_id = chosen.id if chosen else None
    group_id = uuid.uuid4() if body.attendees else None
    sealer = request.app[SEALER]
    made = [new_registration(event, body, sealer, type_id, group_id=group_id)]
    made += [
        new_registration(event, body, sealer, type_id, a, group_id) for a in body.attendees or []
    ]
    registrations = [r for r, _ in made]
    type_slug = chosen.slug if chosen else None
    pool = request.app[DB_POOL]
    try:
        if chosen_sessions:
            async with pool.acquire() as conn, conn.transaction():
                status, positions = await insert_registrations(
                    conn, event, registrations, type_slug, answers, chosen_sessions
                )
        else:
            # Without sessions, registrations arriving together are stored together.
            status, positions = await request.app[REGISTRATION_BATCHER].insert(
                event, registrations, type_slug, answers
            )
    except storing.GroupRefused as refused:
        raise await storing.refuse_group(pool, event, refused) from None
    request.app[REGISTRATIONS_TOTAL].labels(status).inc(len(made))
    return [
        Registered(msgspec.structs.replace(r, status=status), positions.get(r.id), token)
        for r, token in made
    ]


async def create_registration(request: web.Request) -> web.Response:
    body = await decode_body(request, RegisterRequest)
    slug = request.match_info["slug"]
    pool = request.app[DB_POOL]
    found = await request.app[EVENT_CACHE].get(slug) if is_slug(slug) else None
    if found is None or found[0].status == "draft":
        raise ProblemError(404, "event_not_found", f"There is no event {slug!r}.")
    event, types, questions, sessions = found
    done = await register(request, event, types, questions, sessions, body)
    tickets_url = request.app[SETTINGS].tickets_url
    places: dict[uuid.UUID, list[dict[str, Any]]] = {}
    if body.sessions:
        for one in done:
            places[one.registration.id] = await places_body(pool, one.registration.id)

    def body_of(one: Registered) -> dict[str, Any]:
        response = registration_body(one.registration, event, one.position)
        response["sessions"] = places.get(one.registration.id, [])
        response["manage_token"] = one.manage_token
        response["ticket_url"] = f"{tickets_url}/api/v1/registrations/{one.registration.id}/ticket"
        return response

    contact = done[0].registration
    response = body_of(done[0])
    if body.attendees is not None:
        response["group_id"] = contact.group_id
        response["group"] = [body_of(one) for one in done]
    return json_response(
        response, status=201, headers={"Location": f"/api/v1/registrations/{contact.id}"}
    )


async def registration_for(request: web.Request) -> Registration:
    """The registration in the path, for its manage token or an organizer covering its event."""
    try:
        registration_id = uuid.UUID(request.match_info["registration_id"])
    except ValueError:
        raise ProblemError(
            404, "registration_not_found", "There is no such registration."
        ) from None
    pool = request.app[DB_POOL]
    registration = await db.select_registration(pool, registration_id)
    token = presented_token(request, registration_id)
    if token is None:
        raise ProblemError(401, "unauthorized", "This needs the manage token or a staff token.")
    if looks_like_jwt(token):
        claims = request.app[STAFF_AUTH].require(request, ("organizer",))
        request[ACTOR] = "organizer"
        if registration is not None and "*" not in claims.events:
            event = await db.select_event_by_id(pool, registration.event_id)
            if not claims.covers(event.slug):
                raise ProblemError(403, "event_not_covered", "The token does not cover this event.")
    elif registration is None or not manage_token_matches(token, registration.manage_token_hash):
        raise ProblemError(403, "forbidden", "The manage token does not match this registration.")
    else:
        request[ACTOR] = "attendee"
    if registration is None:
        raise ProblemError(404, "registration_not_found", "There is no such registration.")
    exchange_link(request, registration_id)
    return registration


async def _answer(request: web.Request, registration: Registration) -> web.Response:
    pool = request.app[DB_POOL]
    position = None
    if registration.status == "waitlisted":
        position = await db.select_waitlist_position(pool, registration)
    body = registration_body(registration, position=position)
    body["sessions"] = await places_body(pool, registration.id)
    return json_response(body)


async def get_registration(request: web.Request) -> web.Response:
    return await _answer(request, await registration_for(request))


async def cancel_registration(request: web.Request) -> web.Response:
    registration = await registration_for(request)
    actor = request[ACTOR]
    pool = request.app[DB_POOL]
    async with pool.acquire() as conn, conn.transaction():
        cancelled = await seats.cancel(conn, registration, actor, request.app[SETTINGS].offer_hours)
    return await _answer(request, cancelled)


async def accept_offer(request: web.Request) -> web.Response:
    registration = await registration_for(request)
    if request[ACTOR] != "attendee":
        raise ProblemError(
            403, "forbidden", "Only the attendee accepts an offer, with the manage token."
        )
    pool = request.app[DB_POOL]
    async with pool.acquire() as conn, conn.transaction():
        confirmed = await seats.accept_offer(conn, registration)
    return await _answer(request, confirmed)


async def update_event(request: web.Request) -> web.Response:
    body = await decode_body(request, UpdateEventRequest)
    event = await event_or_404(request, include_drafts=True)
    pool = request.app[DB_POOL]
    async with pool.acquire() as conn, conn.transaction():
        updated = await seats.update_event(
            conn, event.id, body.given(), request.app[SETTINGS].offer_hours
        )
    return json_response(event_body(updated))


async def publish_event(request: web.Request) -> web.Response:
    return await _move_event(request, "published")


async def cancel_event(request: web.Request) -> web.Response:
    return await _move_event(request, "cancelled")


async def _move_event(
    request: web.Request, status: Literal["published", "cancelled"]
) -> web.Response:
    event = await event_or_404(request, include_drafts=True)
    pool = request.app[DB_POOL]
    async with pool.acquire() as conn, conn.transaction():
        moved = await seats.set_status(conn, event.id, status)
    return json_response(event_body(moved))


async def get_event_stats(request: web.Request) -> web.Response:
    event = await event_or_404(request, include_drafts=True)
    pool = request.app[DB_POOL]
    stats = await db.select_event_stats(pool, event.id)
    sessions = [
        {
            "slug": row["slug"],
            "capacity": row["capacity"],
            "seats_left": max(row["capacity"] - row["taken"], 0),
            "confirmed": row["confirmed"],
            "waitlisted": row["waitlisted"],
            "open_offers": row["offered"],
            "pending": row["pending"],
            "cancelled": row["cancelled"],
            "total_if_all_offers_taken": row["confirmed"] + row["offered"],
        }
        for row in await db.select_session_stats(pool, event.id)
    ]
    return json_response(
        {
            "event": event.slug,
            "capacity": event.capacity,
            "seats_left": event.seats_left,
            "confirmed": stats.confirmed,
            "waitlisted": stats.waitlisted,
            "open_offers": stats.offered,
            "cancelled": stats.cancelled,
            "total_if_all_offers_taken": stats.confirmed + stats.offered,
            "sessions": sessions,
        }
    )
