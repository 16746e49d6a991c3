"""What operators and staff rely on: health, readiness, metrics, and the cnk tool's tokens."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from shared.auth import StaffAuth
from shared.config import ConfigError, Settings
from shared.refusals import SERVICE_UNAVAILABLE
from tests import infra
from tests.factories import auth, event_body, eventually, registration_body
from tests.journey import register, ticket

SERVICES = ["registration", "tickets", "checkin", "notifications"]


@pytest.mark.parametrize("service", SERVICES)
async def test_health_readiness_and_metrics(service_client: Any, service: str) -> None:
    client = await service_client(service)
    r = await client.get("/healthz")
    assert r.status == 200 and await r.json() == {"status": "ok"}
    r = await client.get("/readyz")
    assert r.status == 200, await r.text()
    checks = {"database": "ok", "nats": "ok", "revocations": "ok"}
    assert await r.json() == {"status": "ok", "checks": checks}
    r = await client.get("/metrics")
    assert r.status == 200
    text = await r.text()
    assert 'http_requests_total{method="GET",route="/readyz",status="200"} 1.0' in text


def test_missing_or_bad_configuration_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        Settings.from_env("registration", {"NATS_URL": "nats://x", "STAFF_TOKEN_PUBLIC_KEY": "k"})
    env = {"DATABASE_URL": "postgresql://x", "NATS_URL": "nats://x", "STAFF_TOKEN_PUBLIC_KEY": "k"}
    with pytest.raises(ConfigError, match="CHECKIN_PORT"):
        Settings.from_env("checkin", {**env, "CHECKIN_PORT": "eighty"})
    assert Settings.from_env("checkin", env).port == 8083
    assert Settings.from_env("checkin", env).processes == 1
    assert Settings.from_env("notifications", env).processes == 2
    one = {**env, "NOTIFICATIONS_PROCESSES": "1"}
    assert Settings.from_env("notifications", one).processes == 1
    assert Settings.from_env("tickets", env).batch_interval_seconds == 0.2
    off = {**env, "BATCH_INTERVAL_MS": "0"}
    assert Settings.from_env("tickets", off).batch_interval_seconds == 0
    for bad in ("-5", "0.5", "fast"):
        with pytest.raises(ConfigError, match="BATCH_INTERVAL_MS"):
            Settings.from_env("tickets", {**env, "BATCH_INTERVAL_MS": bad})
    proxies = {**env, "TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7,::1"}
    assert Settings.from_env("tickets", proxies).trusted_proxies == (
        "10.0.0.0/8",
        "192.0.2.7/32",
        "::1/128",
    )
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        Settings.from_env("tickets", {**env, "TRUSTED_PROXIES": "10.0.0.0/33"})
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):  # the old switch is refused
        Settings.from_env("tickets", {**env, "TRUST_FORWARDED_FOR": "true"})
    public = {**env, "PUBLIC_URL": "https://events.example.org/"}
    settings = Settings.from_env("checkin", public)
    assert (settings.registration_url, settings.tickets_url, settings.checkin_url) == (
        "https://events.example.org",
    ) * 3


def test_a_service_without_configuration_exits_with_the_variable_name() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NATS_URL")}
    done = subprocess.run(
        [sys.executable, "-m", "services.tickets"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "DATABASE_URL is required" in done.stderr
    assert "Traceback" not in done.stderr


def _cnk(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cnk.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cnk_keygen_and_token_make_tokens_the_services_accept(tmp_path: Path) -> None:
    env = {**os.environ, "CNK_DATA_DIR": str(tmp_path)}
    env.pop("STAFF_TOKEN_PRIVATE_KEY", None)
    keys = dict(line.split("=", 1) for line in _cnk("keygen", env=env).stdout.split())
    env["STAFF_TOKEN_PRIVATE_KEY"] = keys["STAFF_TOKEN_PRIVATE_KEY"]
    done = _cnk("token", "--role", "door", "--event", "targi-pracy", "--ttl", "2h", env=env)
    assert done.returncode == 0, done.stderr
    claims = StaffAuth(keys["STAFF_TOKEN_PUBLIC_KEY"]).verify(done.stdout.strip())
    assert (claims.role, claims.events, claims.exp - claims.iat) == ("door", ["targi-pracy"], 7200)
    assert f"token id: {claims.jti}" in done.stderr


def test_cnk_token_without_a_key_or_events_explains_itself(tmp_path: Path) -> None:
    env = {**os.environ, "CNK_DATA_DIR": str(tmp_path)}
    env.pop("STAFF_TOKEN_PRIVATE_KEY", None)
    done = _cnk("token", "--role", "organizer", "--all-events", env=env)
    assert done.returncode == 2 and "STAFF_TOKEN_PRIVATE_KEY" in done.stderr
    done = _cnk("token", "--role", "organizer", env=env)
    assert done.returncode == 2 and "--event" in done.stderr


async def test_business_counters_and_consumer_lag_on_metrics(
    service_client: Any, servers: Any
) -> None:
    registration = await service_client("registration")
    tickets = await service_client("tickets")
    checkin = await service_client("checkin")
    body = event_body()
    r = await registration.post("/api/v1/events", json=body, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    created = await register(registration, body["slug"])
    code = (await ticket(tickets, created))["code"]
    r = await checkin.post(
        "/api/v1/scans",
        json={"code": code, "gate": "hall", "scan_id": str(uuid.uuid4())},
        headers=auth(servers.token("door")),
    )
    assert (await r.json())["result"] in ("accepted", "already_checked_in")

    async def metrics(client: Any) -> str:
        return str(await (await client.get("/metrics")).text())

    assert 'registrations_total{status="confirmed"}' in await metrics(registration)
    assert "scans_total{result=" in await metrics(checkin)

    async def caught_up() -> bool:
        return 'consumer_lag_messages{stream="REGISTRATION"} 0.0' in await metrics(tickets)

    await eventually(caught_up)


async def _assert_unavailable(r: Any, lang: str = "en") -> None:
    """A 503 telling when to try again, in ``lang``: a page for a browser, else a problem."""
    text = await r.text()
    assert r.status == 503, text
    assert 1 <= int(r.headers["Retry-After"]) <= 30, r.headers
    assert r.headers["Content-Language"] == lang, r.headers
    polish = SERVICE_UNAVAILABLE.pl
    if r.content_type == "text/html":
        assert f'<html lang="{lang}">' in text and (polish in text) == (lang == "pl"), text
        return
    assert r.content_type == "application/problem+json", text
    problem = json.loads(text)
    assert (problem["status"], problem["code"]) == (503, "service_unavailable"), problem
    assert (problem["detail"] == polish) == (lang == "pl"), problem


async def _assert_not_ready(client: Any) -> None:
    started = time.monotonic()
    r = await client.get("/readyz")
    # A protocol bound, not a benchmark: without its timeouts the probe would wait for
    # as long as the connection to the database lived.
    assert time.monotonic() - started < 10
    assert r.status == 503, await r.text()
    checks = (await r.json())["checks"]
    assert checks["database"].startswith("unavailable: "), checks
    assert checks["nats"] == "ok", checks


async def test_a_database_outage_is_503_with_retry_after_until_it_is_back(
    service_client: Any, servers: Any
) -> None:
    async with infra.database_link(servers.database_url) as link:
        client = await service_client("registration", database_url=link.url)
        try:
            event = event_body()
            r = await client.post("/api/v1/events", json=event, headers=auth(servers.token()))
            assert r.status == 201, await r.text()
            register = f"/api/v1/events/{event['slug']}/registrations"
            someone = registration_body()

            # Readiness is a probe: it answers within its own short timeouts, even when
            # the database's packets go nowhere, and says what is down.
            link.stall()
            await _assert_not_ready(client)
            await link.cut()
            await _assert_not_ready(client)
            await _assert_unavailable(await client.get("/api/v1/events"))
            r = await client.get("/api/v1/events", headers={"Accept-Language": "pl"})
            await _assert_unavailable(r, "pl")
            await _assert_unavailable(await client.post(register, json=someone))
            browser = {"Accept": "text/html,*/*;q=0.8", "Accept-Language": "pl,en;q=0.5"}
            await _assert_unavailable(await client.get("/", headers=browser), "pl")
            # The event page's form, from someone who chose English on the page.
            form = {"name": someone["name"], "email": someone["email"], "consent": "on"}
            r = await client.post(
                f"/events/{event['slug']}", data=form, headers={**browser, "Cookie": "lang=en"}
            )
            await _assert_unavailable(r, "en")

            await link.mend()

            async def ready() -> bool:
                r = await client.get("/readyz")
                return r.status == 200

            await eventually(ready)
            r = await client.get("/api/v1/events")
            assert r.status == 200, await r.text()
            assert event["slug"] in [e["slug"] for e in (await r.json())["events"]]
            r = await client.post(register, json=someone)
            assert r.status == 201, await r.text()
        finally:
            await client.close()
