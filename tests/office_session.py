"""Back-office helpers for tests: a signed-in person's session cookie on a client."""

from __future__ import annotations

import re
import uuid
from typing import Any

from aiohttp.test_utils import TestClient

from shared.auth import Role
from shared.office import sessions
from shared.staff_keys import STAFF_SIGNER

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def sign_in(
    client: TestClient,  # type: ignore[type-arg]
    grants: dict[str, Role] | None = None,
    *,
    name: str = "Test Admin",
    lang: str = "en",
    staff_id: uuid.UUID | None = None,
    signer_client: Any = None,
) -> str:
    """Put a session for ``grants`` (default: admin of all events) in the client's cookies,
    signed by the key of a service that signs sessions (``signer_client``'s app, else the
    client's own: registration or checkin). Returns the session id."""
    claims = sessions.new_session(
        staff_id=staff_id or uuid.uuid4(),
        name=name,
        lang=lang,
        grants=grants or {"*": "admin"},
    )
    signer = (signer_client or client).server.app[STAFF_SIGNER]
    client.session.cookie_jar.update_cookies({sessions.COOKIE: signer.sign(claims)})
    return claims.jti


async def csrf_of(client: TestClient, path: str) -> str:  # type: ignore[type-arg]
    """The CSRF token of the page's forms (and the cookie that goes with it)."""
    r = await client.get(path)
    assert r.status == 200, await r.text()
    match = CSRF.search(await r.text())
    assert match, "the page has no form"
    return match[1]
