"""Registration burst: many attendees racing for few seats, over the HTTP API.

Run against a running stack (`make run` in another terminal):

    .venv/bin/python bench/registration_burst.py [--attendees 2000] [--seats 100]
        [--concurrency 32] [--url http://localhost:8081]

Prints requests/s, latency p50/p99, confirmed, waitlisted, errors and the oversell count
(confirmed beyond the capacity, from the answers and from the organizer's stats).
The organizer token comes from ORGANIZER_TOKEN or .data/tokens.env.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import aiohttp
import uvloop
from common import organizer_token, percentile


async def main(args: argparse.Namespace) -> None:
    token = organizer_token()
    slug = f"bench-{uuid.uuid4().hex[:8]}"
    starts = datetime.now(UTC) + timedelta(days=30)
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        r = await http.post(
            f"{args.url}/api/v1/events",
            json={
                "slug": slug,
                "name": {"pl": "Test obciążenia", "en": "Load test"},
                "kind": "conference",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=2)).isoformat(),
                "venue": "CNK",
                "capacity": args.seats,
            },
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status == 201, await r.text()
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(args.attendees):
            queue.put_nowait(i)
        latencies: list[float] = []
        outcomes: Counter[str] = Counter()

        async def worker() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                body = {
                    "name": f"Uczestnik {i}",
                    "email": f"bench-{slug}-{i}@example.org",
                    "lang": "pl" if i % 2 else "en",
                    "consent": True,
                }
                t0 = time.perf_counter()
                try:
                    async with http.post(
                        f"{args.url}/api/v1/events/{slug}/registrations", json=body
                    ) as resp:
                        data = await resp.json(content_type=None)
                        outcomes[
                            data.get("status") if resp.status == 201 else f"http_{resp.status}"
                        ] += 1
                except aiohttp.ClientError as e:
                    outcomes[f"error_{type(e).__name__}"] += 1
                latencies.append(time.perf_counter() - t0)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        elapsed = time.perf_counter() - started
        r = await http.get(
            f"{args.url}/api/v1/events/{slug}/stats", headers={"Authorization": f"Bearer {token}"}
        )
        stats = await r.json()

    errors = sum(n for k, n in outcomes.items() if k not in ("confirmed", "waitlisted"))
    print(
        f"event             {slug} ({args.seats} seats, {args.attendees} attendees, "
        f"{args.concurrency} concurrent)"
    )
    print(f"requests/s        {args.attendees / elapsed:.0f}")
    print(f"latency p50       {statistics.median(latencies) * 1000:.1f} ms")
    print(f"latency p99       {percentile(latencies, 0.99) * 1000:.1f} ms")
    print(f"confirmed         {outcomes['confirmed']} (stats: {stats['confirmed']})")
    print(f"waitlisted        {outcomes['waitlisted']} (stats: {stats['waitlisted']})")
    other = {k: n for k, n in outcomes.items() if k not in ("confirmed", "waitlisted")}
    print(f"errors            {errors} {other}")
    answered, counted = outcomes["confirmed"], stats["confirmed"]
    oversell = max(0, answered - args.seats) + max(0, counted - args.seats)
    print(f"oversell          {oversell}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url", default=os.environ.get("REGISTRATION_URL", "http://localhost:8081")
    )
    parser.add_argument("--attendees", type=int, default=2000)
    parser.add_argument("--seats", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=32)
    uvloop.run(main(parser.parse_args()))
