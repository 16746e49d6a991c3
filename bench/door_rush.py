"""Door rush: many scanners at once against POST /api/v1/scans.

Run against a running stack (`make run` in another terminal):

    .venv/bin/python bench/door_rush.py [--valid 10000] [--rescans 2000] [--forged 1000]
        [--revoked 500] [--concurrency 32]

Setting up registers valid + revoked attendees for a new event, fetches their ticket codes,
cancels the ones to revoke and waits until checkin knows every ticket and the emails have
gone out (so that they do not compete with the rush). Then the scanners fire every valid
code once, re-scans of some of them, forged codes (one character changed) and revoked
codes, shuffled, each scanner on its own keep-alive connection (scanner.py, a lean client,
so that the client's CPU does not crowd out the system's on a small machine). Prints
scans/s, p50 and p99 latency overall and per verdict, the verdict counts, and then checks
the database: every valid ticket checked in exactly once on the main list, and no other
check-ins.

Tokens come from DOOR_TOKEN / ORGANIZER_TOKEN or .data/tokens.env, the database from
DATABASE_URL or .data/stack.env (both written by `make run`).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import random
import statistics
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import asyncpg
import uvloop
from common import database_url, door_token, machine_speed, organizer_token, percentile
from scanner import Scanner


async def _each(items: list[Any], concurrency: int, work: Callable[[Any], Awaitable[None]]) -> None:
    queue = list(reversed(items))

    async def worker() -> None:
        while queue:
            await work(queue.pop())

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _until(what: str, check: Callable[[], Awaitable[bool]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        await asyncio.sleep(1)


def forge(code: str, rng: random.Random) -> str:
    """The code with one character of its signature changed: well formed, badly signed."""
    i = rng.randrange(len(code) - 60, len(code) - 2)
    replacement = "A" if code[i] != "A" else "B"
    return code[:i] + replacement + code[i + 1 :]


class Setup:
    def __init__(self, args: argparse.Namespace, http: aiohttp.ClientSession) -> None:
        self.args = args
        self.http = http
        self.organizer = {"Authorization": f"Bearer {organizer_token()}"}
        self.slug = f"rush-{uuid.uuid4().hex[:8]}"

    async def event(self) -> uuid.UUID:
        starts = datetime.now(UTC) + timedelta(hours=1)
        r = await self.http.post(
            f"{self.args.registration_url}/api/v1/events",
            json={
                "slug": self.slug,
                "name": {"pl": "Test wejścia", "en": "Door rush"},
                "kind": "fair",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=8)).isoformat(),
                "venue": "CNK",
                "capacity": self.args.valid + self.args.revoked,
                "waitlist": False,
            },
            headers=self.organizer,
        )
        assert r.status == 201, await r.text()
        return uuid.UUID((await r.json())["id"])

    async def attendees(self, first: int, count: int) -> list[tuple[str, str]]:
        """(registration id, manage token) of ``count`` new registrations."""
        made: list[tuple[str, str]] = []

        async def register(i: int) -> None:
            body = {
                "name": f"Gość {i}",
                "email": f"{self.slug}-{i}@example.org",
                "lang": "pl",
                "consent": True,
            }
            for _ in range(20):
                async with self.http.post(
                    f"{self.args.registration_url}/api/v1/events/{self.slug}/registrations",
                    json=body,
                ) as r:
                    if r.status == 429:
                        await asyncio.sleep(1)
                        continue
                    data = await r.json()
                    assert r.status == 201, data
                    made.append((data["id"], data["manage_token"]))
                    return
            raise SystemExit("registration kept answering 429: run with REGISTRATION_RATE_LIMIT=0")

        await _each(list(range(first, first + count)), 32, register)
        return made

    async def codes(self, registrations: list[tuple[str, str]]) -> dict[str, str]:
        """Each registration's ticket code, by registration id."""
        codes: dict[str, str] = {}

        async def fetch(registration: tuple[str, str]) -> None:
            registration_id, manage_token = registration
            url = f"{self.args.tickets_url}/api/v1/registrations/{registration_id}/ticket"
            for _ in range(600):
                async with self.http.get(
                    url, headers={"Authorization": f"Bearer {manage_token}"}
                ) as r:
                    if r.status == 200:
                        codes[registration_id] = (await r.json())["code"]
                        return
                await asyncio.sleep(0.5)
            raise SystemExit(f"no ticket for registration {registration_id}")

        await _each(registrations, 32, fetch)
        return codes

    async def cancel(self, registrations: list[tuple[str, str]]) -> None:
        async def cancel(registration: tuple[str, str]) -> None:
            registration_id, manage_token = registration
            async with self.http.delete(
                f"{self.args.registration_url}/api/v1/registrations/{registration_id}",
                headers={"Authorization": f"Bearer {manage_token}"},
            ) as r:
                assert r.status == 200, await r.text()

        await _each(registrations, 32, cancel)


@dataclasses.dataclass(frozen=True)
class Prepared:
    slug: str
    event_id: uuid.UUID
    valid_codes: list[str]
    revoked_codes: list[str]


async def prepare(args: argparse.Namespace, http: aiohttp.ClientSession) -> Prepared:
    """A new event with ``args.valid`` valid and ``args.revoked`` revoked tickets that checkin
    knows, once their emails have gone out."""
    db = await asyncpg.connect(database_url())
    setup = Setup(args, http)
    event_id = await setup.event()
    t0 = time.perf_counter()
    print(f"setting up {setup.slug}: {args.valid} valid and {args.revoked} revoked tickets")
    valid_regs = await setup.attendees(0, args.valid)
    revoked_regs = await setup.attendees(args.valid, args.revoked)
    codes = await setup.codes(valid_regs + revoked_regs)
    await setup.cancel(revoked_regs)

    async def checkin_knows_all() -> bool:
        row = await db.fetchrow(
            "SELECT count(*) FILTER (WHERE status = 'valid' AND known) AS valid,"
            " count(*) FILTER (WHERE status = 'revoked') AS revoked"
            " FROM checkin.tickets WHERE event_id = $1",
            event_id,
        )
        return bool(row["valid"] == args.valid and row["revoked"] == args.revoked)

    async def mail_is_quiet() -> bool:
        return not await db.fetchval(
            "SELECT count(*) FROM notifications.deliveries WHERE status = 'pending'"
        )

    await _until("checkin to know every ticket", checkin_knows_all, 600)
    print(f"tickets ready after {time.perf_counter() - t0:.0f} s; waiting for the emails")
    await _until("the emails to go out", mail_is_quiet, 1200)
    print(f"set up in {time.perf_counter() - t0:.0f} s")
    await db.close()
    return Prepared(
        slug=setup.slug,
        event_id=event_id,
        valid_codes=[codes[r] for r, _ in valid_regs],
        revoked_codes=[codes[r] for r, _ in revoked_regs],
    )


def plan(prepared: Prepared, args: argparse.Namespace, rng: random.Random) -> list[str]:
    """Every valid code once, re-scans of some, forged and revoked codes, shuffled."""
    valid = prepared.valid_codes
    scans = (
        valid
        + rng.sample(valid, args.rescans)
        + [forge(code, rng) for code in rng.choices(valid, k=args.forged)]
        + prepared.revoked_codes
    )
    rng.shuffle(scans)
    return scans


def expected(args: argparse.Namespace) -> Counter[str]:
    return Counter(
        accepted=args.valid,
        already_checked_in=args.rescans,
        invalid=args.forged,
        revoked=args.revoked,
    )


@dataclasses.dataclass
class Rush:
    scans: int
    elapsed: float
    latencies: dict[str, list[float]]
    results: Counter[str]

    def everything(self) -> list[float]:
        return [t for values in self.latencies.values() for t in values]

    def rate(self) -> float:
        return self.scans / self.elapsed

    def p50(self) -> float:
        return statistics.median(self.everything())

    def p99(self) -> float:
        return percentile(self.everything(), 0.99)


async def rush(
    checkin_url: str, scans: list[str], concurrency: int, list_slug: str | None = None
) -> Rush:
    """Every code in ``scans`` scanned once by ``concurrency`` scanners, each on its own
    keep-alive connection, on ``list_slug`` (None: the main list)."""
    door = {"Authorization": f"Bearer {door_token()}"}
    scanners = [Scanner(f"{checkin_url}/api/v1/scans", door) for _ in range(concurrency)]
    latencies: dict[str, list[float]] = defaultdict(list)
    results: Counter[str] = Counter()
    queue = list(reversed(scans))

    async def scanner(n: int) -> None:
        while queue:
            code = queue.pop()
            body = {
                "code": code,
                "gate": f"gate-{n % 4}",
                "scan_id": str(uuid.uuid4()),
                "device_id": f"rush-{n}",
            }
            if list_slug is not None:
                body["list"] = list_slug
            started = time.perf_counter()
            try:
                status, answer = await scanners[n].post(json.dumps(body).encode())
                result = json.loads(answer)["result"] if status == 200 else f"http_{status}"
            except OSError as e:
                result = f"error_{type(e).__name__}"
            latencies[result].append(time.perf_counter() - started)
            results[result] += 1

    started = time.perf_counter()
    await asyncio.gather(*(scanner(n) for n in range(concurrency)))
    elapsed = time.perf_counter() - started
    for each in scanners:
        each.close()
    return Rush(len(scans), elapsed, latencies, results)


def print_rush(done: Rush, args: argparse.Namespace) -> None:
    print(f"scans/s           {done.rate():.0f}")
    print(f"latency           p50 {done.p50() * 1000:.1f} ms  p99 {done.p99() * 1000:.1f} ms")
    for result, values in sorted(done.latencies.items()):
        print(
            f"  {result:<18}{len(values):>6}  p50 {statistics.median(values) * 1000:.1f} ms"
            f"  p99 {percentile(values, 0.99) * 1000:.1f} ms"
        )
    print(f"verdicts          {dict(done.results)} (expected {dict(expected(args))})")


async def check_database(event_id: uuid.UUID, list_slug: str = "main") -> bool:
    """Whether every valid ticket was checked in exactly once on the list, and nothing else;
    prints what it found."""
    db = await asyncpg.connect(database_url())
    valid_ids = {
        row["id"]
        for row in await db.fetch(
            "SELECT id FROM checkin.tickets WHERE event_id = $1 AND status = 'valid'", event_id
        )
    }
    entries = await db.fetch(
        "SELECT s.ticket_id, count(*) AS n FROM checkin.scans s"
        " JOIN checkin.lists l ON l.id = s.list_id"
        " WHERE l.event_id = $1 AND l.slug = $2 AND s.result = 'accepted'"
        " GROUP BY s.ticket_id",
        event_id,
        list_slug,
    )
    await db.close()
    once = sum(1 for e in entries if e["n"] == 1 and e["ticket_id"] in valid_ids)
    twice = sum(1 for e in entries if e["n"] > 1)
    others = sum(1 for e in entries if e["ticket_id"] not in valid_ids)
    missing = len(valid_ids) - once
    print(
        f"database          {once} valid tickets checked in once, {missing} missing,"
        f" {twice} more than once, {others} other check-ins"
    )
    return missing == 0 and twice == 0 and others == 0


async def main(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        prepared = await prepare(args, http)
    scans = plan(prepared, args, rng)
    done = await rush(args.checkin_url, scans, args.concurrency)
    print(f"event             {prepared.slug}, {args.concurrency} scanners, {len(scans)} scans")
    print_rush(done, args)
    ok = done.results == expected(args) and await check_database(prepared.event_id)
    print("check             " + ("OK" if ok else "FAILED"))
    print(f"machine           {machine_speed()}")
    if not ok:
        raise SystemExit(1)


def arguments(description: str) -> argparse.ArgumentParser:
    """The door rush's options, which benchmarks built on it share."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--registration-url",
        default=os.environ.get("REGISTRATION_URL", "http://localhost:8081"),
    )
    parser.add_argument(
        "--tickets-url", default=os.environ.get("TICKETS_URL", "http://localhost:8082")
    )
    parser.add_argument(
        "--checkin-url", default=os.environ.get("CHECKIN_URL", "http://localhost:8083")
    )
    parser.add_argument("--valid", type=int, default=10_000)
    parser.add_argument("--rescans", type=int, default=2_000)
    parser.add_argument("--forged", type=int, default=1_000)
    parser.add_argument("--revoked", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seed", type=int, default=1)
    return parser


if __name__ == "__main__":
    uvloop.run(main(arguments(__doc__.splitlines()[0]).parse_args()))
