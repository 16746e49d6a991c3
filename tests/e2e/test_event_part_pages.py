"""The pages that change ticket types and questions, and the office message page, in
headless Chromium checked by axe-core: no serious or critical violation, with their forms
open and with field errors."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Browser

from shared.office import sessions
from tests.factories import auth, event_body
from tests.office_browser import no_serious_violations
from tests.office_session import sign_in


async def test_part_edit_forms_pass_axe(
    service_client: Any, servers: Any, browser: Browser
) -> None:
    registration = await service_client("registration")
    base = str(registration.make_url("")).rstrip("/")
    event = event_body()
    slug = event["slug"]
    organizer = auth(servers.token())
    r = await registration.post("/api/v1/events", json=event, headers=organizer)
    assert r.status == 201, await r.text()
    parts = [
        (
            "ticket-types",
            {"slug": "guest", "name": {"pl": "Gość", "en": "Guest"}, "access_code": "GUEST-1"},
        ),
        (
            "questions",
            {
                "key": "diet",
                "kind": "single",
                "label": {"pl": "Dieta", "en": "Diet"},
                "options": [
                    {"value": "any", "label": {"pl": "Dowolna", "en": "Any"}},
                    {"value": "vegan", "label": {"pl": "Wegańska", "en": "Vegan"}},
                ],
            },
        ),
    ]
    for path, part in parts:
        r = await registration.post(f"/api/v1/events/{slug}/{path}", json=part, headers=organizer)
        assert r.status == 201, await r.text()
    sign_in(registration, {slug: "organizer"}, lang="pl")
    token = registration.session.cookie_jar.filter_cookies(registration.make_url("/"))[
        sessions.COOKIE
    ]
    context = await browser.new_context(locale="pl-PL")
    await context.add_cookies([{"name": sessions.COOKIE, "value": token.value, "url": base}])
    page = await context.new_page()
    office = f"{base}/office/events/{slug}"

    await page.goto(f"{office}/ticket-types")
    await page.get_by_text("Zmień lub usuń: Gość").click()
    await no_serious_violations(page)
    # Keyboard only: an empty name sent with Enter comes back with its error.
    await page.locator("#f-e_guest_name_en").fill("")
    await page.locator("#f-e_guest_name_en").press("Enter")
    await page.wait_for_selector(".error-summary")
    await no_serious_violations(page)

    await page.goto(f"{office}/questions")
    await page.get_by_text("Zmień lub usuń: Dieta").click()
    await no_serious_violations(page)
    await page.locator("#f-e_diet_o0_remove").check()
    await page.locator("#f-e_diet_o1_remove").check()
    await page.locator("#f-e_diet_label_pl").press("Enter")
    await page.wait_for_selector(".error-summary")
    await no_serious_violations(page)

    # A refusal no form shows: the office message page.
    await page.goto(f"{office}/questions")
    await page.evaluate(
        "document.querySelector('form[action$=\"/diet/remove\"] input[name=csrf]').value = 'x'"
    )
    await page.get_by_text("Zmień lub usuń: Dieta").click()
    await page.get_by_text("Usuń to pytanie").click()
    await page.wait_for_selector("text=Formularz wygasł")
    await no_serious_violations(page)
    await context.close()
