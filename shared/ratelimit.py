"""Request limits shared by every instance of a service: fixed-window counters in the
service's own schema (``rate_limits``), all of one request's limits in one statement."""

from __future__ import annotations

import hashlib
import ipaddress
import math
from typing import NamedTuple

import asyncpg


class Limit(NamedTuple):
    key: str  # what is limited, e.g. "ip:203.0.113.7" or "email:<hash>"
    amount: int  # what this request takes (a group of 20 takes 20 seats)
    limit: int  # what a window allows
    window_seconds: int


def address_key(address: str) -> str:
    """A limit's key for a client address: an IPv6 client is its /64, which one subscriber
    holds whole (counting each address would let it walk through 2**64 of them)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return f"ip:{address}"
    if ip.version == 6:
        return f"ip:{ipaddress.ip_network(f'{ip}/64', strict=False)}"
    return f"ip:{ip}"


def email_key(scope: str, address: str) -> str:
    """A limit's key for an email address (not stored in the clear) within ``scope``."""
    digest = hashlib.sha256(address.strip().casefold().encode()).hexdigest()
    return f"email:{scope}:{digest}"


# Counts a request's amounts only if every one of its limits still has room: a refused
# request takes nothing (else a client past one limit would use up the others, and anyone
# could use up the attempts of someone else's email address for free). Two requests at the
# same moment may both fit and go a little over: these are limits against abuse, not seats.
_TAKE = """
WITH asked AS (
    SELECT k, a, l, w, to_timestamp(floor(extract(epoch FROM now()) / w) * w) AS window_start
    FROM unnest($1::text[], $2::int[], $3::int[], $4::int[]) AS t (k, a, l, w)
), counted AS (
    SELECT asked.*, coalesce(r.used, 0) AS used,
           extract(epoch FROM now() - asked.window_start)::float8 AS elapsed
    FROM asked LEFT JOIN rate_limits r ON r.key = asked.k AND r.window_start = asked.window_start
), taken AS (
    INSERT INTO rate_limits AS r (key, window_start, used)
    SELECT k, window_start, a FROM counted
    WHERE NOT EXISTS (SELECT 1 FROM counted WHERE used + a > l)
    ON CONFLICT (key, window_start) DO UPDATE SET used = r.used + EXCLUDED.used
)
SELECT k, w - elapsed AS left FROM counted WHERE used + a > l
"""


async def take(
    conn: asyncpg.Connection | asyncpg.Pool, limits: list[Limit]
) -> tuple[Limit, int] | None:
    """Count each limit's amount in its current window when all of them have room: None;
    else nothing is counted, and the first limit without room and the seconds until its
    window ends. Keys must be distinct."""
    limits = [limit for limit in limits if limit.limit > 0]
    if not limits:
        return None
    rows = await conn.fetch(
        _TAKE,
        [limit.key for limit in limits],
        [limit.amount for limit in limits],
        [limit.limit for limit in limits],
        [limit.window_seconds for limit in limits],
    )
    full = {r["k"]: r["left"] for r in rows}
    for limit in limits:
        if limit.key in full:
            return limit, max(1, math.ceil(full[limit.key]))
    return None


async def prune(conn: asyncpg.Connection | asyncpg.Pool) -> int:
    """Delete windows that ended more than a day ago (the longest window is shorter)."""
    done = await conn.execute(
        "DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'"
    )
    return int(done.split()[-1])
