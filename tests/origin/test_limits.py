"""Registration limits behind the proxy and across the two registration instances: each
client address is counted on its own, whichever instance it reaches; a group counts its
seats; an email address is limited in attempts."""

from __future__ import annotations

from typing import Any

from shared.metrics import METRICS
from tests.factories import auth, event_body, quiet_minute, registration_body
from tests.origin.conftest import EMAIL_LIMIT, RATE_LIMIT, Origin


async def _event(origin: Origin, servers: Any) -> str:
    event = event_body(capacity=500)
    async with origin.client() as http:
        r = await http.post(
            f"{origin.url}/api/v1/events", json=event, headers=auth(servers.token())
        )
        assert r.status == 201, await r.text()
    return str(event["slug"])


def _answered_429(origin: Origin) -> list[float]:
    """Per registration instance: how many requests it refused with 429."""
    counts = []
    for app in origin.apps["registration"]:
        samples = (s for m in app[METRICS].registry.collect() for s in m.samples)
        counts.append(
            sum(
                s.value
                for s in samples
                if s.name == "http_requests_total" and s.labels["status"] == "429"
            )
        )
    return counts


async def test_each_client_is_limited_on_its_own_whichever_instance_it_reaches(
    origin: Origin, servers: Any
) -> None:
    slug = await _event(origin, servers)
    url = f"{origin.url}/api/v1/events/{slug}/registrations"
    await quiet_minute()
    refused_before = _answered_429(origin)
    async with origin.client("127.0.0.31") as first, origin.client("127.0.0.32") as second:
        # The first client: a group of three, then single registrations up to the limit.
        others = [
            {"name": "Jan Kowalski", "email": registration_body()["email"], "lang": "pl"}
            for _ in range(2)
        ]
        group = registration_body(attendees=others)
        r = await first.post(url, json=group)
        assert r.status == 201, await r.text()
        for _ in range(RATE_LIMIT - 3):
            r = await first.post(url, json=registration_body())
            assert r.status == 201, await r.text()
        # Past the limit, whichever instance answers (the proxy takes turns).
        for _ in range(4):
            r = await first.post(url, json=registration_body())
            assert r.status == 429, await r.text()
            problem = await r.json()
            assert problem["code"] == "rate_limited"
            assert 1 <= int(r.headers["Retry-After"]) <= 60
        # The second client is not held up by the first.
        for _ in range(RATE_LIMIT):
            r = await second.post(url, json=registration_body())
            assert r.status == 201, await r.text()
        # A header the client writes is not believed by the proxy.
        r = await first.post(url, json=registration_body(), headers={"X-Forwarded-For": "1.2.3.4"})
        assert r.status == 429
    refused = [a - b for a, b in zip(_answered_429(origin), refused_before, strict=True)]
    assert sum(refused) == 5 and all(refused), refused  # both instances refused some


async def test_an_email_address_has_a_limited_number_of_attempts(
    origin: Origin, servers: Any
) -> None:
    slug = await _event(origin, servers)
    url = f"{origin.url}/api/v1/events/{slug}/registrations"
    person = registration_body()
    async with origin.client("127.0.0.33") as http:
        r = await http.post(url, json=person)
        assert r.status == 201, await r.text()
        for _ in range(EMAIL_LIMIT - 1):
            r = await http.post(url, json=person)
            assert r.status == 409 and (await r.json())["code"] == "already_registered"
        r = await http.post(url, json=person, headers={"Accept-Language": "pl"})
        assert r.status == 429, await r.text()
        problem = await r.json()
        assert problem["code"] == "email_rate_limited"
        assert problem["detail"].startswith("Zbyt wiele prób rejestracji dla tego adresu e-mail")
        # Another address from the same client is still welcome.
        r = await http.post(url, json=registration_body())
        assert r.status == 201, await r.text()


async def test_a_refused_request_uses_up_nothing(origin: Origin, servers: Any) -> None:
    """A client past its limit cannot use up the attempts of someone else's address."""
    slug = await _event(origin, servers)
    url = f"{origin.url}/api/v1/events/{slug}/registrations"
    victim = registration_body()
    await quiet_minute()
    async with origin.client("127.0.0.34") as attacker, origin.client("127.0.0.35") as owner:
        for _ in range(RATE_LIMIT):
            r = await attacker.post(url, json=registration_body())
            assert r.status == 201, await r.text()
        for _ in range(EMAIL_LIMIT + 2):
            r = await attacker.post(url, json=victim)
            assert (r.status, (await r.json())["code"]) == (429, "rate_limited")
        r = await owner.post(url, json=victim)
        assert r.status == 201, await r.text()
