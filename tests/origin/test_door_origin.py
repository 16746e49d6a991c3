"""The door page on a phone-sized Chromium at the HTTPS origin, trusting Caddy's local CA as a
phone that installed it would: its service worker registers, the offline pack loads, a scan
made offline is synced once the network is back."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Browser, expect

from tests.e2e.test_door_page import RECORD_VERDICTS, _scan
from tests.factories import auth, event_body
from tests.journey import At, ticketed
from tests.origin.conftest import Origin

# This module's browsers register from 127.0.0.1: no per-address limit (see conftest).
REGISTRATION_RATE_LIMIT = 0


async def test_the_door_page_works_offline_at_the_https_origin(
    origin: Origin, servers: Any, trusting_browser: Browser
) -> None:
    organizer = auth(servers.token())
    event = event_body()
    slug = event["slug"]
    async with origin.client() as http:
        r = await http.post(f"{origin.url}/api/v1/events", json=event, headers=organizer)
        assert r.status == 201, await r.text()
        at = At(http, origin.url)
        people = ({"name": "Anna Nowak"}, {"name": "Jan Kowalski"})
        codes = [t.code for t in await ticketed((at, at, at), slug, organizer, *people)]

    context = await trusting_browser.new_context(
        locale="pl-PL", viewport={"width": 390, "height": 844}
    )
    await context.add_init_script(RECORD_VERDICTS)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await page.goto(f"{origin.url}/door")
    assert await page.evaluate("window.isSecureContext")
    await page.get_by_label("Token bramki (wklej)").fill(servers.token("door", [slug]))
    await page.get_by_role("button", name="Zaloguj", exact=True).click()
    await expect(page.locator("#pack-state")).to_contain_text("Paczka offline: 2 ")
    await page.get_by_label("Bramka (np. hala A)").fill("Hala")
    await page.get_by_role("button", name="Rozpocznij skanowanie").click()
    await expect(page.locator("#net")).to_have_attribute("data-state", "online")
    worker = await page.evaluate("navigator.serviceWorker.ready.then((r) => r.active.scriptURL)")
    assert worker == f"{origin.url}/door/sw.js"
    await page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    online = await _scan(page, codes[0])
    assert (online["result"], online["offline"]) == ("accepted", False)

    await context.set_offline(True)
    await expect(page.locator("#net")).to_have_attribute("data-state", "offline")
    offline = await _scan(page, codes[1])
    assert (offline["result"], offline["name"], offline["offline"]) == (
        "accepted",
        "Jan Kowalski",
        True,
    )
    await expect(page.locator("#queue")).to_have_text("1")
    await page.reload()  # served by the service worker while offline
    await expect(page.locator("#queue")).to_have_text("1")

    await context.set_offline(False)
    await expect(page.locator("#queue")).to_have_text("0", timeout=15_000)
    await context.close()
    assert errors == [], errors

    async with origin.client() as http:
        r = await http.get(f"{origin.url}/api/v1/events/{slug}/attendance", headers=organizer)
        assert (await r.json())["checked_in"] == 2
