"""The back office's list of registrations at 20,000 registrations: how long a page takes.

Self-contained: starts an embedded PostgreSQL and NATS in a temporary folder and the
registration service on a local port (its own app factory), creates an event with
sessions and ticket types, stores the registrations in bulk through SQL (statuses,
sessions, organizations and check-ins mixed), signs in a session as an organizer, then
asks for the real HTML page over HTTP, one request at a time:

    PYTHONPATH=. .venv/bin/python bench/office_registrations.py [--registrations 20000]
        [--rounds 30]

Prints p50/p95 per case: first page, a deep page, searches, each filter.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import asyncpg
from aiohttp import web
from common import machine_speed, percentile

from cnk.embedded import free_port, nats_server, postgres_server
from services.registration.app import create_app
from shared.auth import generate_keypair, issue_token
from shared.config import Settings
from shared.office import sessions
from shared.staff_keys import STAFF_SIGNER

SEED = """
INSERT INTO registrations (id, event_id, name, email, email_key, lang, status,
  manage_token_hash, consent_version, consent_at, created_at, organization, ticket_type_id,
  first_checked_in_at, offer_expires_at, cancelled_at)
SELECT gen_random_uuid(), $1, 'Osoba ' || i || ' ' || (ARRAY['Nowak','Kowalska','Wiśniewski',
  'Smith','García'])[1 + i % 5], 'person' || i || '@example.org', 'person' || i || '@example.org',
  'pl', s.status, 'x', 'v1', now(), now() - make_interval(secs => $2 - i),
  (ARRAY['Politechnika Białostocka','ACME Labs','Uniwersytet w Białymstoku',NULL])[1 + i % 4],
  (ARRAY[$3::uuid, $4::uuid])[1 + i % 2],
  CASE WHEN s.status = 'confirmed' AND i % 3 = 0 THEN now() END,
  CASE WHEN s.status = 'offered' THEN now() + interval '1 day' END,
  CASE WHEN s.status = 'cancelled' THEN now() END
FROM generate_series(1, $2) AS i,
  LATERAL (SELECT CASE WHEN i % 20 = 0 THEN 'cancelled' WHEN i % 50 = 1 THEN 'offered'
    WHEN i > $2 - 1000 THEN 'waitlisted' ELSE 'confirmed' END AS status) AS s
"""
PLACES = """
INSERT INTO registration_sessions (registration_id, session_id, status, queued_at)
SELECT r.id, s.id, 'confirmed', r.created_at FROM registrations r
JOIN sessions s ON s.event_id = r.event_id
WHERE r.event_id = $1 AND r.status = 'confirmed'
  AND (s.slug = 'morning') = (hashtext(r.id::text) % 2 = 0)
"""


async def seed(database_url: str, slug: str, count: int) -> None:
    conn = await asyncpg.connect(database_url, server_settings={"search_path": "registration"})
    event_id = await conn.fetchval("SELECT id FROM events WHERE slug = $1", slug)
    types = [
        r["id"]
        for r in await conn.fetch(
            "SELECT id FROM ticket_types WHERE event_id = $1 ORDER BY slug", event_id
        )
    ]
    async with conn.transaction():
        await conn.execute(SEED, event_id, count, *types)
        await conn.execute(PLACES, event_id)
        await conn.execute(
            "UPDATE events SET taken = (SELECT count(*) FROM registrations WHERE event_id = $1"
            " AND status IN ('confirmed', 'offered')), capacity = $2 WHERE id = $1",
            event_id,
            count,
        )
    await conn.execute("ANALYZE registrations; ANALYZE registration_sessions")
    await conn.close()


async def main(args: argparse.Namespace) -> None:
    private, public = generate_keypair()
    with (
        tempfile.TemporaryDirectory() as folder,
        postgres_server(Path(folder) / "pg") as database_url,
        nats_server(Path(folder) / "nats") as nats_url,
    ):
        settings = Settings(
            service="registration",
            database_url=database_url,
            nats_url=nats_url,
            staff_token_public_key=public,
            smtp_url="smtp://127.0.0.1:1",
            mail_from="CNK <events@cnk.test>",
            log_format="console",
            log_level="warning",
        )
        app = create_app(settings)
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        url = f"http://127.0.0.1:{port}"
        token, _ = issue_token(private, role="organizer", events=["*"])
        organizer = {"Authorization": f"Bearer {token}"}
        slug = f"bench-{uuid.uuid4().hex[:8]}"
        starts = datetime.now(UTC) + timedelta(days=30)
        async with aiohttp.ClientSession() as http:
            r = await http.post(
                f"{url}/api/v1/events",
                headers=organizer,
                json={
                    "slug": slug,
                    "name": {"pl": "Test listy", "en": "List test"},
                    "kind": "conference",
                    "starts_at": starts.isoformat(),
                    "ends_at": (starts + timedelta(hours=8)).isoformat(),
                    "venue": "CNK",
                    "capacity": args.registrations,
                    "sessions": [
                        {
                            "slug": slot,
                            "name": {"pl": slot, "en": slot},
                            "capacity": args.registrations,
                            "starts_at": (starts + timedelta(hours=h)).isoformat(),
                            "ends_at": (starts + timedelta(hours=h + 1)).isoformat(),
                        }
                        for slot, h in (("morning", 1), ("afternoon", 4))
                    ],
                },
            )
            assert r.status == 201, await r.text()
            for kind in ("staff", "student"):
                r = await http.post(
                    f"{url}/api/v1/events/{slug}/ticket-types",
                    headers=organizer,
                    json={"slug": kind, "name": {"pl": kind, "en": kind}},
                )
                assert r.status == 201, await r.text()
            started = time.perf_counter()
            await seed(database_url, slug, args.registrations)
            print(
                f"seeded {args.registrations} registrations in "
                f"{time.perf_counter() - started:.1f} s"
            )
            claims = sessions.new_session(
                staff_id=uuid.uuid4(), name="Bench", lang="en", grants={slug: "organizer"}
            )
            cookie = {sessions.COOKIE: app[STAFF_SIGNER].sign(claims)}
            http.cookie_jar.update_cookies(cookie)
            page = f"{url}/office/events/{slug}/registrations"
            deep = args.registrations // 50
            cases = {
                "first page": "",
                f"deep page ({deep})": f"page={deep}",
                "middle page": f"page={deep // 2}",
                "search name": "q=kowalska",
                "search email": "q=person1234%40",
                "search organization": "q=acme",
                "search, page 20": "q=politechnika&page=20",
                "status waitlisted": "status=waitlisted",
                "status cancelled": "status=cancelled",
                "session morning": "session=morning",
                "session, page 100": "session=afternoon&page=100",
                "ticket type student": "ticket_type=student",
                "checked in": "checked_in=yes",
                "not checked in, deep": f"checked_in=no&page={deep // 2}",
                "all filters": "q=nowak&status=confirmed&session=morning&ticket_type=staff"
                "&checked_in=no",
            }
            print(machine_speed())
            print(f"{'case':28} {'p50 ms':>8} {'p95 ms':>8} {'rows':>6}")
            for name, query in cases.items():
                times = []
                for _ in range(args.rounds):
                    begun = time.perf_counter()
                    async with http.get(f"{page}?{query}") as r:
                        body = await r.text()
                        assert r.status == 200, body[:500]
                    times.append((time.perf_counter() - begun) * 1000)
                rows = body.count('<a href="/office/registrations/')
                print(
                    f"{name:28} {percentile(times, 0.5):8.1f} {percentile(times, 0.95):8.1f}"
                    f" {rows:6}"
                )
        await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrations", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=30)
    asyncio.run(main(parser.parse_args()))
