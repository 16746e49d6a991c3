"""The steps of a staff member's journey for the office tests: accounts made through the
use case, signing in with the emailed link from the suite's SMTP server."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiohttp.test_utils import TestClient

from services.registration.staff import accounts
from shared.db import DB_POOL
from shared.office import sessions
from shared.sealing import SEALER
from tests.conftest import AppClient, Infra
from tests.factories import eventually
from tests.office_session import csrf_of

LINK = re.compile(r"https?://\S+/office/sign-in/link\?\S+")
Client = TestClient  # type: ignore[type-arg]


def address(prefix: str = "staff") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.org"


async def office_clients(service_client: AppClient) -> tuple[Any, Any]:
    """Registration and notifications (both needed for a sign-in email to flow), once
    registration knows notifications' sealing key."""
    notifications = await service_client("notifications")
    registration = await service_client("registration")
    sealer = registration.server.app[SEALER]
    await eventually(lambda: _true(sealer.ready))
    return registration, notifications


async def _true(value: bool) -> bool:
    return value


async def add_person(
    registration: Any,
    email: str,
    role: str = "admin",
    event: str | None = None,
    *,
    name: str = "Ola Nowak",
    language: str = "en",
) -> accounts.Change:
    return await accounts.add_person(
        registration.server.app[DB_POOL],
        accounts.system_actor("tests"),
        email=email,
        name=name,
        language=language,
        role=role,
        event_slug=event,
    )


async def request_link(
    client: Any, email: str, next_path: str = "/office/account", lang: str = "en"
) -> Any:
    csrf = await csrf_of(client, "/office/sign-in")
    return await client.post(
        f"/office/sign-in?lang={lang}",
        data={"email": email, "next": next_path, "csrf": csrf},
        allow_redirects=False,
    )


def links_in(servers: Infra, email: str) -> list[str]:
    found = []
    for message in servers.mailbox.to(email):
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        found += LINK.findall(body.get_content())
    return found


async def emailed_token(servers: Infra, email: str, seen: int = 0) -> str:
    """The token of the sign-in link emailed to ``email`` after the ``seen`` earlier ones."""
    links = await eventually(lambda: _more(servers, email, seen))
    return parse_qs(urlsplit(links[seen]).query)["token"][0]


async def _more(servers: Infra, email: str, seen: int) -> list[str] | None:
    links = links_in(servers, email)
    return links if len(links) > seen else None


async def use_link(client: Any, token: str) -> Any:
    """Open the emailed link's page and press its button."""
    r = await client.get(f"/office/sign-in/link?token={token}&lang=en")
    assert r.status == 200, await r.text()
    match = re.search(r'name="csrf" value="([^"]+)"', await r.text())
    assert match
    return await client.post(
        "/office/sign-in/link",
        data={"token": token, "csrf": match[1]},
        allow_redirects=False,
    )


async def sign_in_by_email(
    client: Any, servers: Infra, email: str, next_path: str = "/office/account"
) -> Any:
    """The whole sign-in without a second factor: the answer of the link's button."""
    seen = len(links_in(servers, email))
    r = await request_link(client, email, next_path)
    assert r.status == 303, await r.text()
    return await use_link(client, await emailed_token(servers, email, seen))


def session_cookie(client: Any) -> str | None:
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/")).get(sessions.COOKIE)
    return cookie.value if cookie else None
