"""Request limits shared by every instance of a service: fixed-window counters in the
service's own schema (``rate_limits``), all of one request's limits taken in one statement."""

from __future__ import annotations

import hashlib
import math
from typing import NamedTuple

import asyncpg


class Limit(NamedTuple):
    key: str  # what is limited, e.g. "ip:203.0.113.7" or "email:<hash>"
    amount: int  # what this request takes (a group of 20 takes 20 seats)
    limit: int  # what a window allows
    window_seconds: int


def email_key(address: str) -> str:
    """A limit's key for an email address, which is not stored in the clear."""
    return "email:" + hashlib.sha256(address.strip().casefold().encode()).hexdigest()


async def take(
    conn: asyncpg.Connection | asyncpg.Pool, limits: list[Limit]
) -> tuple[Limit, int] | None:
    """Count each limit's amount in its current window: None when every limit holds, else the
    first one over its limit and the seconds until its window ends. Keys must be distinct."""
    limits = [limit for limit in limits if limit.limit > 0]
    if not limits:
        return None
    rows = await conn.fetch(
        "INSERT INTO rate_limits AS r (key, window_start, used)"
        " SELECT k, to_timestamp(floor(extract(epoch FROM now()) / w) * w), a"
        " FROM unnest($1::text[], $2::int[], $3::int[]) AS t (k, a, w)"
        " ON CONFLICT (key, window_start) DO UPDATE SET used = r.used + EXCLUDED.used"
        " RETURNING key, used, extract(epoch FROM now() - window_start)::float8 AS elapsed",
        [limit.key for limit in limits],
        [limit.amount for limit in limits],
        [limit.window_seconds for limit in limits],
    )
    counted = {r["key"]: (r["used"], r["elapsed"]) for r in rows}
    for limit in limits:
        used, elapsed = counted[limit.key]
        if used > limit.limit:
            return limit, max(1, math.ceil(limit.window_seconds - elapsed))
    return None


async def prune(conn: asyncpg.Connection | asyncpg.Pool) -> int:
    """Delete windows that ended more than a day ago (the longest window is shorter)."""
    done = await conn.execute(
        "DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'"
    )
    return int(done.split()[-1])
