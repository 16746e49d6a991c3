"""HTTP handlers of the registration service."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
from aiohttp import web
from email_validator import validate_email

from services.registration import db
from services.registration.keys import REGISTRATIONS_TOTAL
from services.registration.schemas import (
    CONSENT_VERSION,
    CreateEventRequest,
    Event,
    RegisterRequest,
    Registration,
)
from shared import events, outbox
from shared.auth import bearer_token, looks_like_jwt, manage_token_matches, new_manage_token
from shared.http import ProblemError, decode_body, is_slug, json_response
from shared.keys import DB_POOL, SETTINGS, STAFF_AUTH


def event_info(event: Event) -> events.EventInfo:
    return events.EventInfo(
        id=event.id,
        slug=event.slug,
        name=events.LocalizedText(pl=event.name.pl, en=event.name.en),
        kind=event.kind,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        venue=event.venue,
    )


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
    }


def registration_body(registration: Registration, event: Event | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": registration.id,
        "event_id": registration.event_id,
        "status": registration.status,
        "name": registration.name,
        "email": registration.email,
        "lang": registration.lang,
        "created_at": registration.created_at,
    }
    if event is not None:
        body["event"] = event.slug
    return body


def _is_organizer(request: web.Request) -> bool:
    token = bearer_token(request)
    if token is None or not looks_like_jwt(token):
        return False
    request.app[STAFF_AUTH].require(request, ("organizer",))
    return True


async def _event_or_404(request: web.Request, include_drafts: bool = False) -> Event:
    slug = request.match_info["slug"]
    event = await db.select_event(request.app[DB_POOL], slug) if is_slug(slug) else None
    if event is None or (event.status == "draft" and not include_drafts):
        raise ProblemError(404, "event_not_found", f"There is no event {slug!r}.")
    return event


async def create_event(request: web.Request) -> web.Response:
    claims = request.app[STAFF_AUTH].require(request, ("organizer",))
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
    )
    pool = request.app[DB_POOL]
    try:
        async with pool.acquire() as conn, conn.transaction():
            await db.insert_event(conn, event)
            await outbox.enqueue(
                conn,
                events.EventCreated(
                    event=event_info(event), capacity=event.capacity, status=event.status
                ),
                event.id,
                event.version,
            )
    except asyncpg.UniqueViolationError:
        raise ProblemError(
            409, "slug_taken", f"An event with slug {body.slug!r} already exists."
        ) from None
    return json_response(
        event_body(event), status=201, headers={"Location": f"/api/v1/events/{event.slug}"}
    )


async def list_events(request: web.Request) -> web.Response:
    found = await db.select_events(request.app[DB_POOL], include_drafts=_is_organizer(request))
    return json_response({"events": [event_body(e) for e in found]})


async def get_event(request: web.Request) -> web.Response:
    event = await _event_or_404(request, include_drafts=_is_organizer(request))
    return json_response(event_body(event))


async def create_registration(request: web.Request) -> web.Response:
    body = await decode_body(request, RegisterRequest)
    event = await _event_or_404(request)
    if event.status != "published":
        raise ProblemError(409, "registration_closed", "This event does not take registrations.")
    email = validate_email(body.email, check_deliverability=False, strict=True).normalized
    token, token_hash = new_manage_token()
    registration = Registration(
        id=uuid.uuid4(),
        event_id=event.id,
        name=body.name,
        email=email,
        lang=body.lang,
        status="confirmed",
        manage_token_hash=token_hash,
        version=1,
        created_at=datetime.now(UTC),
    )
    pool = request.app[DB_POOL]
    try:
        async with pool.acquire() as conn, conn.transaction():
            await db.insert_registration(conn, registration, email.casefold(), CONSENT_VERSION)
            await outbox.enqueue(
                conn,
                events.RegistrationConfirmed(
                    registration_id=registration.id,
                    event=event_info(event),
                    holder=events.Holder(name=registration.name, email=email, lang=body.lang),
                    manage_token_hash=token_hash,
                    confirmed_at=registration.created_at,
                ),
                registration.id,
                registration.version,
            )
            # Last, so the hot event row stays locked only for this statement and the commit.
            if not await db.update_event_take_seat(conn, event.id):
                raise ProblemError(409, "event_full", "There are no seats left for this event.")
    except asyncpg.UniqueViolationError as e:
        if e.constraint_name != "registrations_one_per_email":
            raise
        raise ProblemError(
            409, "already_registered", "This email address is already registered for this event."
        ) from None
    request.app[REGISTRATIONS_TOTAL].labels("confirmed").inc()
    response = registration_body(registration, event)
    response["manage_token"] = token
    settings = request.app[SETTINGS]
    response["ticket_url"] = f"{settings.tickets_url}/api/v1/registrations/{registration.id}/ticket"
    return json_response(
        response, status=201, headers={"Location": f"/api/v1/registrations/{registration.id}"}
    )


async def get_registration(request: web.Request) -> web.Response:
    try:
        registration_id = uuid.UUID(request.match_info["registration_id"])
    except ValueError:
        raise ProblemError(
            404, "registration_not_found", "There is no such registration."
        ) from None
    registration = await db.select_registration(request.app[DB_POOL], registration_id)
    token = bearer_token(request)
    if token is None:
        raise ProblemError(401, "unauthorized", "This needs the manage token or a staff token.")
    if looks_like_jwt(token):
        request.app[STAFF_AUTH].require(request, ("organizer",))
    elif registration is None or not manage_token_matches(token, registration.manage_token_hash):
        raise ProblemError(403, "forbidden", "The manage token does not match this registration.")
    if registration is None:
        raise ProblemError(404, "registration_not_found", "There is no such registration.")
    return json_response(registration_body(registration))
