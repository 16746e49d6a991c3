"""The organizers' dashboard in real headless Chromium: sign in through the form, scan
through the API, and watch the page change without reloading."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.async_api import Browser, expect

from tests.factories import auth, event_body
from tests.journey import issue_codes


async def test_dashboard_updates_live_after_a_scan(
    service_client: Any, servers: Any, browser: Browser
) -> None:
    organizer = auth(servers.token())
    tickets = await service_client("tickets")
    registration = await service_client("registration", tickets_url=str(tickets.make_url("")))
    checkin = await service_client("checkin")
    base = str(checkin.make_url("")).rstrip("/")
    event = event_body(name={"pl": "Dzień otwarty CNK", "en": "CNK open day"})
    slug = event["slug"]
    r = await registration.post("/api/v1/events", json=event, headers=organizer)
    assert r.status == 201, await r.text()
    names = ["Zażółć Gęślą Jaźń", "Anna Nowak"]
    codes = await issue_codes((registration, tickets, checkin), organizer, slug, names)
    # The hall holds two (shown, not enforced): the second entry fills it.
    r = await checkin.patch(
        f"/api/v1/events/{slug}/lists/main", json={"limit": 2}, headers=organizer
    )
    assert r.status == 200, await r.text()

    async def scan(code: str) -> None:
        r = await checkin.post(
            "/api/v1/scans",
            json={"code": code, "gate": "Hala A", "scan_id": str(uuid.uuid4())},
            headers=auth(servers.token("door", [slug])),
        )
        assert r.status == 200, await r.text()

    context = await browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    page = await context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.on(
        "console",
        lambda m: page_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    await page.goto(f"{base}/dashboard/{slug}/sign-in")
    await expect(page.get_by_role("heading", name="Zaloguj się")).to_be_visible()
    await page.get_by_label("Token organizatora").fill(servers.token("door", [slug]))
    await page.get_by_role("button", name="Zaloguj się").click()
    await expect(page.locator("#token-error")).to_contain_text("To token bramki")
    await page.get_by_label("Token organizatora").fill(servers.token("organizer", [slug]))
    await page.get_by_role("button", name="Zaloguj się").click()

    await expect(page.get_by_role("heading", name="Dzień otwarty CNK")).to_be_visible()
    checked_in = page.locator("#checked-in")
    await expect(checked_in).to_have_text("0")
    await expect(page.locator("#live")).to_have_attribute("data-state", "live")
    await expect(page.locator("#feed")).to_contain_text("Jeszcze nie było skanów.")
    await page.evaluate("window.__notReloaded = true")

    await scan(codes[0])
    await expect(checked_in).to_have_text("1")
    await expect(page.locator("#feed .scan").first).to_contain_text("Zażółć Gęślą Jaźń")
    await expect(page.locator("#feed .scan").first).to_contain_text("Wejście przyznane.")
    await expect(page.locator("#gates")).to_contain_text("Hala A")
    await expect(page.locator("#charts svg title").first).to_contain_text("bramka Hala A")
    await expect(page.locator("#alerts")).to_be_empty()

    await scan(codes[0])  # refused: already checked in
    await expect(page.locator("#feed .scan").first).to_contain_text("już wszedł")
    await scan(codes[1])
    await expect(checked_in).to_have_text("2")
    await expect(page.locator("#alerts")).to_contain_text("Sala pełna: Main entrance (2 / 2)")
    await expect(page.locator('#rooms [data-list="main"]')).to_have_class("room state-full")
    assert await page.evaluate("window.__notReloaded") is True

    # English on request, and signing out brings the form back.
    await page.goto(f"{base}/dashboard/{slug}?lang=en")
    await expect(page.get_by_role("heading", name="CNK open day")).to_be_visible()
    await expect(page.locator("#alerts")).to_contain_text("Room full")
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page_errors == []
    await context.close()
