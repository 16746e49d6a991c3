"""The nightly backup: deploy/backup/backup.sh, the script docker compose and the Kubernetes
CronJob run, dumps the suite's real PostgreSQL; pg_restore, as deploy/README.md restores,
brings every registration and check-in back into an empty database; the retention deletes
only old dumps, and only after a good one."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import asyncpg
import pgserver

from tests.deploy.tools import BACKUP_SCRIPT
from tests.factories import auth, event_body
from tests.journey import issue_codes

# The pgserver wheel ships PostgreSQL's client programs beside its server.
PG_BIN = Path(pgserver.__file__).parent / "pginstall" / "bin"
DAY = 86400


def libpq_env(database_url: str) -> dict[str, str]:
    """The URL as libpq's variables, which is how the script is told where to connect."""
    parts = urlsplit(database_url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    env = {
        "PGHOST": query.get("host") or parts.hostname or "localhost",
        "PGPORT": str(query.get("port") or parts.port or 5432),
        "PGUSER": unquote(parts.username or "postgres"),
        "PGDATABASE": parts.path.lstrip("/"),
    }
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    return env


async def run(*command: str, env: dict[str, str]) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        *command,
        env={**os.environ, "PATH": f"{PG_BIN}:{os.environ['PATH']}", **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
    return proc.returncode or 0, output.decode()


def aged(path: Path, days: float) -> Path:
    path.touch()
    moment = time.time() - days * DAY
    os.utime(path, (moment, moment))
    return path


@asynccontextmanager
async def empty_database(database_url: str) -> AsyncIterator[str]:
    name = f"cnk_restored_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
        yield name
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


REGISTRATIONS = "SELECT * FROM registration.registrations ORDER BY id"
SCANS = "SELECT * FROM checkin.scans ORDER BY seq"


async def rows(database_url: str, **libpq: str) -> dict[str, list[asyncpg.Record]]:
    conn = await asyncpg.connect(database_url, **libpq)
    try:
        return {query: await conn.fetch(query) for query in (REGISTRATIONS, SCANS)}
    finally:
        await conn.close()


async def test_a_nightly_dump_restores_every_registration_and_check_in(
    service_client: Any, servers: Any, tmp_path: Path
) -> None:
    clients = [await service_client(s) for s in ("registration", "tickets", "checkin")]
    registration, _, checkin = clients
    organizer = auth(servers.token())
    event = event_body()
    r = await registration.post("/api/v1/events", json=event, headers=organizer)
    assert r.status == 201, await r.text()
    event_id = uuid.UUID((await r.json())["id"])
    names = ["Anna Kowalska", "Jan Nowak", "Zażółć Gęślą Jaźń"]
    codes = await issue_codes(tuple(clients), organizer, event["slug"], names)  # type: ignore[arg-type]
    door = auth(servers.token("door", [event["slug"]]))
    # Two people in, one of them twice, and a forged code: every scan is stored.
    verdicts = {}
    for code in [codes[0], codes[1], codes[0], codes[2][:-4] + "AAAA"]:
        scan_id = uuid.uuid4()
        body = {"code": code, "gate": "hall", "scan_id": str(scan_id)}
        r = await checkin.post("/api/v1/scans", json=body, headers=door)
        assert r.status == 200, await r.text()
        verdicts[scan_id] = (await r.json())["result"]
    assert sorted(verdicts.values()) == [
        "accepted",
        "accepted",
        "already_checked_in",
        "invalid",
    ]
    # Nothing writes while the tables are compared (registration's offer sweep would).
    for client in clients:
        await client.close()

    backups = tmp_path / "backups"
    backups.mkdir()
    old = aged(backups / "cnk-20250101T020000Z.dump", days=15)
    kept = aged(backups / "cnk-20250114T020000Z.dump", days=13)
    env = {**libpq_env(servers.database_url), "BACKUP_DIR": str(backups), "BACKUP_KEEP_DAYS": "14"}
    status, output = await run("sh", str(BACKUP_SCRIPT), env=env)
    assert status == 0, output
    assert f"deleted {old}" in output
    [dump] = [p for p in backups.iterdir() if p != kept]
    assert dump.name.startswith(f"{env['PGDATABASE']}-") and dump.suffix == ".dump"
    assert dump.stat().st_mode & 0o077 == 0  # personal data: the owner's alone

    source = await rows(servers.database_url)
    async with empty_database(servers.database_url) as name:
        # As deploy/README.md restores into the running PostgreSQL.
        restore = ["pg_restore", "--clean", "--if-exists", "--single-transaction"]
        status, output = await run(*restore, "--dbname", name, str(dump), env=env)
        assert status == 0, output
        restored = await rows(servers.database_url, database=name)
    assert restored == source
    ours = [r for r in restored[REGISTRATIONS] if r["event_id"] == event_id]
    assert sorted(r["name"] for r in ours) == names
    scans = {r["scan_id"]: r["result"] for r in restored[SCANS] if r["scan_id"] in verdicts}
    assert scans == verdicts


async def test_a_failed_dump_writes_nothing_and_deletes_nothing(
    servers: Any, tmp_path: Path
) -> None:
    old = aged(tmp_path / "cnk-20250101T020000Z.dump", days=30)
    env = {
        **libpq_env(servers.database_url),
        "PGDATABASE": f"no_such_database_{uuid.uuid4().hex[:8]}",
        "BACKUP_DIR": str(tmp_path),
    }
    status, output = await run("sh", str(BACKUP_SCRIPT), env=env)
    assert status == 2, output
    assert "no dump written, none deleted" in output
    assert list(tmp_path.iterdir()) == [old]


async def test_the_backup_refuses_a_retention_that_would_delete_every_dump(
    tmp_path: Path,
) -> None:
    for days in ("0", "two", "-3"):
        env = {"BACKUP_DIR": str(tmp_path), "BACKUP_KEEP_DAYS": days}
        status, output = await run("sh", str(BACKUP_SCRIPT), env=env)
        assert status == 2 and "BACKUP_KEEP_DAYS" in output, (days, output)
