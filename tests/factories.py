"""Request bodies with keyword defaults, unique per call, and a deadline loop."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

T = TypeVar("T")


def unique(prefix: str = "ev") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def event_body(**overrides: Any) -> dict[str, Any]:
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=14)
    body: dict[str, Any] = {
        "slug": unique(),
        "name": {"pl": "Konferencja InnHUB", "en": "InnHUB Conference"},
        "kind": "conference",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=8)).isoformat(),
        "venue": "CNK, ul. Zwierzyniecka 16, Białystok",
        "capacity": 100,
    }
    body.update(overrides)
    return body


def started_event_body(**overrides: Any) -> dict[str, Any]:
    """An event that began an hour ago (certificates are sent only once it has started)."""
    starts = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    times = {"starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=8)).isoformat()}
    return event_body(**{**times, **overrides})


def registration_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Zażółć Gęślą Jaźń",
        "email": f"{uuid.uuid4().hex[:10]}@example.org",
        "lang": "pl",
        "consent": True,
    }
    body.update(overrides)
    return body


CSRF = "test-csrf-token"


def form(client: Any, fields: dict[str, Any] | list[tuple[str, Any]]) -> Any:
    """An HTML form's fields as one of our pages sends them: with the CSRF token, which the
    client's ``cnk_csrf`` cookie (set here; ``__Host-cnk_csrf`` behind an HTTPS proxy)
    matches."""
    cookies = {"cnk_csrf": CSRF, "__Host-cnk_csrf": CSRF}
    client.session.cookie_jar.update_cookies(cookies, client.make_url("/"))
    if isinstance(fields, list):
        return [*fields, ("csrf", CSRF)]
    return {**fields, "csrf": CSRF}


async def quiet_minute(needed: float = 8) -> None:
    """Wait, if need be, for a fresh stretch of the current minute (``needed`` seconds of
    it): a per-minute limit's window must not end in the middle of a test."""
    left = 60 - time.time() % 60
    if left < needed:
        await asyncio.sleep(left + 0.5)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def eventually(
    probe: Callable[[], Awaitable[T | None]], timeout: float = 15.0, interval: float = 0.05
) -> T:
    """Poll ``probe`` until it returns something truthy, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s (last: {last!r})")
