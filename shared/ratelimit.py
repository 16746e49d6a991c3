"""A per-client fixed-window request limit, kept in process.

Counters are not business state: with N instances behind a load balancer an address gets
up to N times the limit, which is acceptable for slowing down abuse.
"""

from __future__ import annotations

import time

from aiohttp import web

from shared.http import ProblemError


def client_address(request: web.Request, trust_forwarded_for: bool) -> str:
    if trust_forwarded_for:
        forwarded = request.headers.get("X-Forwarded-For", "")
        first = forwarded.split(",")[0].strip()
        if first:
            return first
    return request.remote or "unknown"


class RateLimiter:
    def __init__(self, per_minute: int, window_seconds: float = 60.0) -> None:
        self.per_minute = per_minute
        self.window = window_seconds
        self.counts: dict[str, int] = {}
        self.window_start = time.monotonic()

    def hit(self, key: str) -> None:
        """Count one request for ``key``; raise 429 past the limit (0 turns it off)."""
        if self.per_minute <= 0:
            return
        now = time.monotonic()
        if now - self.window_start >= self.window:
            self.counts.clear()
            self.window_start = now
        count = self.counts.get(key, 0) + 1
        self.counts[key] = count
        if count > self.per_minute:
            retry = max(1, int(self.window - (now - self.window_start)) + 1)
            raise ProblemError(
                429,
                "rate_limited",
                f"Too many registrations from this address; try again in {retry} s.",
                headers={"Retry-After": str(retry)},
            )
