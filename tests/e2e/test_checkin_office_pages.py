"""Checkin's back-office pages in headless Chromium, checked by axe-core: no serious or
critical violation, with and without field errors; the forms work by keyboard alone."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Browser, Page, expect

from shared.office import sessions
from tests.factories import auth, event_body, eventually
from tests.journey import ticketed
from tests.office_browser import no_serious_violations
from tests.office_session import sign_in


async def test_checkin_office_pages_pass_axe(
    service_client: Any, servers: Any, browser: Browser
) -> None:
    registration = await service_client("registration")
    tickets = await service_client("tickets")
    checkin = await service_client("checkin")
    base = str(checkin.make_url("")).rstrip("/")
    event = event_body()
    slug = event["slug"]
    organizer = auth(servers.token())
    r = await registration.post("/api/v1/events", json=event, headers=organizer)
    assert r.status == 201, await r.text()
    [anna] = await ticketed((registration, tickets, checkin), slug, organizer, {"name": "Anna"})

    async def known() -> bool:
        r = await checkin.get(f"/api/v1/events/{slug}/lists", headers=organizer)
        return r.status == 200

    await eventually(known)
    sign_in(checkin, {slug: "organizer"}, lang="pl")
    token = checkin.session.cookie_jar.filter_cookies(checkin.make_url("/"))[sessions.COOKIE]
    context = await browser.new_context(locale="pl-PL")
    await context.add_cookies([{"name": sessions.COOKIE, "value": token.value, "url": base}])
    page = await context.new_page()

    office = f"{base}/office/events/{slug}"
    await page.goto(f"{office}/lists")
    await no_serious_violations(page)
    # Keyboard only: the add form, sent with an empty name, comes back with the errors.
    await page.get_by_label("Identyfikator").fill("Zły")
    await page.get_by_label("Identyfikator").press("Enter")
    await expect(page.locator(".error-summary")).to_be_visible()
    await no_serious_violations(page)
    await page.goto(f"{office}/lists/main")
    await no_serious_violations(page)

    await page.goto(f"{office}/devices")
    await no_serious_violations(page)
    await page.get_by_label("Nazwa urządzenia").fill("Telefon 1")
    await page.get_by_label("Bramka").fill("Hala")
    await page.get_by_role("button", name="Wydaj token").click()
    await expect(page.locator("#pairing-qr")).to_be_visible()
    await no_serious_violations(page)
    await page.get_by_label("Nazwa urządzenia").fill("")
    await page.get_by_role("button", name="Wydaj token").click()
    await expect(page.locator(".error-summary")).to_be_visible()
    await no_serious_violations(page)

    await page.goto(f"{office}/certificates")
    await no_serious_violations(page)

    # The manual check-in's own page, shown for an empty reason (the form lives on
    # registration's page: here it is posted by a tiny form of the test's own).
    await page.set_content(
        f'<form method="post" action="{base}/office/registrations/{anna.reg["id"]}/check-in">'
        f'<input name="csrf" value="{await _csrf(page, office)}"><input name="reason" value="">'
        "<button>go</button></form>"
    )
    await page.get_by_role("button", name="go").click()
    await expect(page.locator("#e-reason")).to_be_visible()
    await no_serious_violations(page)
    await page.get_by_label("Powód").fill("Brak telefonu")
    await page.get_by_role("button", name="Wpuść").click()
    await page.wait_for_url(f"**/office/registrations/{anna.reg['id']}?check_in=accepted")

    await page.goto(f"{base}/dashboard/{slug}")
    await expect(page.locator("#checked-in")).to_have_text("1")
    await context.close()


async def _csrf(page: Page, office: str) -> str:
    await page.goto(f"{office}/lists")
    value = await page.locator('input[name="csrf"]').first.get_attribute("value")
    assert value
    return value
