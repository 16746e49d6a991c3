"""Mail flood: registrations flow through tickets and notifications to the SMTP sink.

Run against a running stack without the per-address registration limit and with the
send rate lifted to what is measured (the default MAIL_RATE of 100/s caps it):

    REGISTRATION_RATE_LIMIT=0 MAIL_RATE=0 make run        # in another terminal
    .venv/bin/python bench/mail_flood.py [--flood 1000] [--rate 50] [--seconds 20]

Two phases, each on a new event with a seat for everyone (so every registration gets a
ticket email with its QR code, calendar entry and manage link):
- flood: ``--flood`` registrations as fast as ``--concurrency`` clients can send them;
  prints emails/s, from the first registration to the last email accepted by the SMTP
  server;
- steady: ``--rate`` registrations per second for ``--seconds``; prints the time from each
  registration to its email being accepted by the SMTP server (p50, p99, max).
Delivery times are the delivery log's ``sent_at`` (the same machine's clock), read from
the database (DATABASE_URL or .data/stack.env), so that watching does not load the service.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import aiohttp
import asyncpg
import msgspec
import uvloop
from common import database_url, machine_speed, organizer_token, percentile
from scanner import Scanner


class Stack:
    def __init__(self, http: aiohttp.ClientSession, args: argparse.Namespace) -> None:
        self.http = http
        self.args = args
        self.staff = {"Authorization": f"Bearer {organizer_token()}"}

    async def event(self, seats: int) -> str:
        slug = f"mail-{uuid.uuid4().hex[:8]}"
        starts = datetime.now(UTC) + timedelta(days=30)
        body = {
            "slug": slug,
            "name": {"pl": "Test poczty", "en": "Mail test"},
            "kind": "seminar",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "venue": "CNK, ul. Zwierzyniecka 16, Białystok",
            "capacity": seats,
        }
        async with self.http.post(
            f"{self.args.registration}/api/v1/events", json=body, headers=self.staff
        ) as r:
            assert r.status == 201, await r.text()
        return slug

    @staticmethod
    def attendee(slug: str, i: int) -> dict[str, object]:
        return {
            "name": f"Uczestnik Łódzki {i}",
            "email": f"{slug}-{i}@example.org",
            "lang": "pl" if i % 2 else "en",
            "consent": True,
        }

    async def register(self, slug: str, i: int) -> tuple[str, float]:
        """The registration's id and the wall-clock time its request was sent."""
        sent = time.time()
        async with self.http.post(
            f"{self.args.registration}/api/v1/events/{slug}/registrations",
            json=self.attendee(slug, i),
        ) as r:
            data = await r.json(content_type=None)
            if r.status != 201:
                raise SystemExit(f"registration refused: {r.status} {data}")
        return str(data["id"]), sent

    async def delivered(self, registered: dict[str, float], timeout: float) -> dict[str, float]:
        """Each registration's ticket email sent_at, once every one has gone out.

        Read from the delivery log's table in one query every half second: asking the
        notifications API about each registration would load the service being measured
        (a thousand requests a poll cost it a quarter of its CPU)."""
        ids = [uuid.UUID(rid) for rid in registered]
        deadline = time.monotonic() + timeout
        db = await asyncpg.connect(database_url())
        try:
            while True:
                rows = await db.fetch(
                    "SELECT registration_id, extract(epoch FROM sent_at) AS sent, status"
                    " FROM notifications.deliveries WHERE template = 'ticket'"
                    " AND registration_id = ANY($1::uuid[]) AND status IN ('sent', 'failed')",
                    ids,
                )
                if failed := [r for r in rows if r["status"] == "failed"]:
                    raise SystemExit(f"{len(failed)} emails failed, such as {dict(failed[0])}")
                if len(rows) >= len(ids):
                    return {str(r["registration_id"]): float(r["sent"]) for r in rows}
                if time.monotonic() > deadline:
                    raise SystemExit(f"only {len(rows)} of {len(ids)} emails after {timeout} s")
                await asyncio.sleep(0.5)
        finally:
            await db.close()


async def flood(stack: Stack, count: int, concurrency: int) -> None:
    slug = await stack.event(count)
    registered: dict[str, float] = {}
    queue = list(range(count))
    # Each client on one keep-alive connection of door_rush's lean client, on the same two
    # cores as the pipeline measured: aiohttp's client took 0.16-0.22 ms of CPU per
    # registration (2,000 in a flood), this one 0.04 ms.
    url = f"{stack.args.registration}/api/v1/events/{slug}/registrations"
    clients = [Scanner(url, {}) for _ in range(concurrency)]

    async def client(lean: Scanner) -> None:
        while queue:
            i = queue.pop()
            sent = time.time()
            status, answer = await lean.post(msgspec.json.encode(stack.attendee(slug, i)))
            if status != 201:
                raise SystemExit(f"registration refused: {status} {answer.decode()}")
            registered[msgspec.json.decode(answer)["id"]] = sent

    try:
        await asyncio.gather(*(client(lean) for lean in clients))
    finally:
        for lean in clients:
            lean.close()
    sent = await stack.delivered(registered, timeout=60 + count / 10)
    span = max(sent.values()) - min(registered.values())
    print(f"flood             {slug}: {count} registrations, {concurrency} clients")
    print(f"emails/s          {count / span:.0f} ({count} emails in {span:.1f} s)")


async def steady(stack: Stack, rate: float, seconds: float) -> None:
    count = int(rate * seconds)
    slug = await stack.event(count)
    start = time.monotonic() + 0.5

    async def paced(i: int) -> tuple[str, float]:
        await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
        return await stack.register(slug, i)

    registered = dict(await asyncio.gather(*(paced(i) for i in range(count))))
    sent = await stack.delivered(registered, timeout=60 + seconds)
    waits = [sent[rid] - at for rid, at in registered.items()]
    print(f"steady            {slug}: {rate:g} registrations/s for {seconds:g} s ({count})")
    print(f"to inbox p50      {statistics.median(waits) * 1000:.0f} ms")
    print(f"to inbox p99      {percentile(waits, 0.99) * 1000:.0f} ms")
    print(f"to inbox max      {max(waits) * 1000:.0f} ms")


async def main(args: argparse.Namespace) -> None:
    connector = aiohttp.TCPConnector(limit=max(args.concurrency, 64))
    async with aiohttp.ClientSession(connector=connector) as http:
        stack = Stack(http, args)
        if args.flood:
            await flood(stack, args.flood, args.concurrency)
        if args.rate and args.seconds:
            await steady(stack, args.rate, args.seconds)
    print(f"machine           {machine_speed()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--registration", default=os.environ.get("REGISTRATION_URL", "http://localhost:8081")
    )
    parser.add_argument("--flood", type=int, default=1000, help="0 skips the flood")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    uvloop.run(main(parser.parse_args()))
