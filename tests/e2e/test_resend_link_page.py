"""'Send me my ticket again' on the event page, on a phone in Chromium: reached from the
"already registered" error, answered with a notice, its errors shown at the field; axe-core
finds no serious or critical violation."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Browser, expect

from tests.factories import auth, event_body, registration_body
from tests.office_browser import no_serious_violations


async def test_the_lost_ticket_form_on_a_phone(
    service_client: Any, servers: Any, browser: Browser
) -> None:
    registration = await service_client("registration")
    base = str(registration.make_url("")).rstrip("/")
    event = event_body()
    r = await registration.post("/api/v1/events", json=event, headers=auth(servers.token()))
    assert r.status == 201, await r.text()
    person = registration_body()
    r = await registration.post(f"/api/v1/events/{event['slug']}/registrations", json=person)
    assert r.status == 201, await r.text()

    context = await browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    page = await context.new_page()
    await page.goto(f"{base}/events/{event['slug']}?lang=pl")
    await page.get_by_label("Imię i nazwisko").fill("Anna Nowak")
    await page.get_by_label("Adres e-mail", exact=True).fill(person["email"])
    await page.get_by_label("Zgadzam się na przetwarzanie").check()
    await page.get_by_role("button", name="Zarejestruj").click()
    link = page.get_by_role("link", name="Wyślij mi bilet i link ponownie")
    await expect(link).to_be_visible()
    await no_serious_violations(page)

    await link.click()
    field = page.get_by_label("E-mail użyty przy rejestracji")
    await field.fill("to nie adres")
    await page.get_by_role("button", name="Wyślij mi bilet ponownie").click()
    await expect(page.locator("#resend-email-error")).to_be_visible()
    await expect(page.get_by_label("E-mail użyty przy rejestracji")).to_have_attribute(
        "aria-invalid", "true"
    )
    await no_serious_violations(page)

    await page.get_by_label("E-mail użyty przy rejestracji").fill(person["email"])
    await page.get_by_role("button", name="Wyślij mi bilet ponownie").click()
    await expect(page.get_by_role("status")).to_contain_text("bilet i link są już w drodze")
    await no_serious_violations(page)
    await context.close()
