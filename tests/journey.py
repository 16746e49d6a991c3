"""An attendee's way through the services, one helper per step: register, get the ticket,
be known at the door. Each step waits until it has happened; ``ticketed`` takes all three
for a whole group of people at once (every ticket is waited for together)."""

from __future__ import annotations

import dataclasses
from typing import Any

from tests.factories import auth, eventually, registration_body


class At:
    """An aiohttp ClientSession seen as a test client of one origin: paths are relative to
    ``url`` (the proxy's origin, or one service's address)."""

    def __init__(self, session: Any, url: str) -> None:
        self.session, self.url = session, url

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.session.get(f"{self.url}{path}", **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.session.post(f"{self.url}{path}", **kwargs)


async def register(registration: Any, slug: str, **person: Any) -> dict[str, Any]:
    """A new registration for the event (``registration_body`` with ``person``'s fields)."""
    r = await registration.post(
        f"/api/v1/events/{slug}/registrations", json=registration_body(**person)
    )
    assert r.status == 201, await r.text()
    return dict(await r.json())


async def ticket(
    tickets: Any, reg: dict[str, Any], headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """The registration's ticket once tickets has issued it, asked for with the registration's
    manage token (or ``headers``)."""

    async def issued() -> dict[str, Any] | None:
        r = await tickets.get(
            f"/api/v1/registrations/{reg['id']}/ticket",
            headers=headers or auth(reg["manage_token"]),
        )
        return dict(await r.json()) if r.status == 200 else None

    return await eventually(issued)


async def known_at_the_door(
    checkin: Any, slug: str, organizer: dict[str, str], tickets: int, registered: int | None = None
) -> None:
    """Wait until checkin counts ``tickets`` tickets of the event (and ``registered``
    registrations, when given)."""

    async def known() -> bool:
        r = await checkin.get(f"/api/v1/events/{slug}/attendance", headers=organizer)
        if r.status != 200:
            return False
        body = await r.json()
        return bool(body["tickets"] == tickets and registered in (None, body["registered"]))

    await eventually(known)


@dataclasses.dataclass(frozen=True)
class Ticketed:
    reg: dict[str, Any]  # registration's answer: id, manage_token, status, ...
    ticket: dict[str, Any]  # tickets' answer: code, ticket_id, holder_name, ...

    @property
    def code(self) -> str:
        return str(self.ticket["code"])


async def ticketed(
    clients: tuple[Any, Any, Any],
    slug: str,
    organizer: dict[str, str],
    *people: dict[str, Any],
    known: int | None = None,
    registered: int | None = None,
) -> list[Ticketed]:
    """Register each of ``people`` (registration_body fields), wait for each one's ticket,
    then until checkin counts ``known`` tickets of the event (as many as ``people`` unless
    given) and, when given, ``registered`` registrations."""
    registration, tickets, checkin = clients
    regs = [await register(registration, slug, **person) for person in people]
    done = [Ticketed(reg, await ticket(tickets, reg)) for reg in regs]
    await known_at_the_door(
        checkin, slug, organizer, len(people) if known is None else known, registered
    )
    return done


async def issue_codes(
    clients: tuple[Any, Any, Any], organizer: dict[str, str], slug: str, names: list[str]
) -> list[str]:
    """Register ``names``; their ticket codes once checkin knows every ticket."""
    return [t.code for t in await ticketed(clients, slug, organizer, *({"name": n} for n in names))]
