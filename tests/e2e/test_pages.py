"""The public pages in real headless Chromium: register through the form, see the
confirmation and the ticket, switch language, cancel through the manage page, choose and
change sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.async_api import Browser, Page, expect

from tests.factories import auth, event_body, registration_body


async def _ticket_page_shows_holder(page: Page, name: str) -> None:
    for _ in range(100):
        response = await page.reload()
        if response is not None and response.status == 200:
            break
        await page.wait_for_timeout(100)
    await expect(page.locator("#holder")).to_have_text(name)
    await expect(page.locator("#code")).to_contain_text("CNK1")


async def test_register_see_ticket_and_cancel_in_a_browser(
    service_client: Any, servers: Any, browser: Browser
) -> None:
    tickets = await service_client("tickets")
    tickets_url = str(tickets.make_url("")).rstrip("/")
    registration = await service_client("registration", tickets_url=tickets_url)
    base = str(registration.make_url("")).rstrip("/")
    event = event_body(name={"pl": "Warsztaty robotyki", "en": "Robotics workshop"})
    r = await registration.post("/api/v1/events", json=event, headers=auth(servers.token()))
    assert r.status == 201, await r.text()

    context = await browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    page = await context.new_page()
    await page.goto(f"{base}/")
    await page.get_by_role("link", name="Warsztaty robotyki").click()
    await expect(page.get_by_role("heading", name="Rejestracja")).to_be_visible()

    # Nothing filled in: every error next to its field, in Polish, nothing registered.
    await page.get_by_role("button", name="Zarejestruj się").click()
    await expect(page.locator("#name-error")).to_have_text("Podaj imię i nazwisko (do 200 znaków).")
    await expect(page.locator("#email-error")).to_have_text("Podaj poprawny adres e-mail.")
    await expect(page.locator("#consent-error")).to_contain_text("Bez zgody")

    name = "Zażółć Gęślą Jaźń"
    await page.get_by_label("Imię i nazwisko").fill(name)
    await page.get_by_label("Adres e-mail").fill("not-an-address")
    await page.get_by_role("checkbox").check()
    await page.get_by_role("button", name="Zarejestruj się").click()
    await expect(page.locator("#email-error")).to_be_visible()
    await expect(page.get_by_label("Imię i nazwisko")).to_have_value(name)
    await page.get_by_label("Adres e-mail").fill("jazn@example.org")
    await page.get_by_role("button", name="Zarejestruj się").click()

    await expect(page.locator("#status")).to_have_text("Rejestracja potwierdzona")
    await expect(page.get_by_role("status")).to_contain_text("Gotowe!")

    await page.get_by_role("link", name="English").click()
    await expect(page.locator("#status")).to_have_text("Registration confirmed")
    manage_url = page.url

    await page.get_by_role("link", name="Show ticket").click()
    await _ticket_page_shows_holder(page, name)

    await page.goto(manage_url)
    await expect(page.locator("#status")).to_have_text("Registration confirmed")
    # Without the confirmation tick the browser itself refuses to send the form.
    await page.get_by_role("button", name="Cancel registration").click()
    await expect(page.locator("#status")).to_have_text("Registration confirmed")
    await page.get_by_label("Yes, I want to cancel my registration.").check()
    await page.get_by_role("button", name="Cancel registration").click()
    await expect(page.locator("#status")).to_have_text("Registration cancelled")
    await context.close()

    r = await registration.get(
        f"/api/v1/events/{event['slug']}/stats", headers=auth(servers.token())
    )
    stats = await r.json()
    assert (stats["confirmed"], stats["cancelled"]) == (0, 1)


async def test_unknown_pages_are_friendly_404s(service_client: Any, browser: Browser) -> None:
    registration = await service_client("registration")
    base = str(registration.make_url("")).rstrip("/")
    context = await browser.new_context(locale="en-GB")
    page = await context.new_page()
    response = await page.goto(f"{base}/events/no-such-event")
    assert response is not None and response.status == 404
    await expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    response = await page.goto(f"{base}/registrations/{'0' * 8}-0000-0000-0000-{'0' * 12}?token=x")
    assert response is not None and response.status == 404
    await context.close()


def _session(slug: str, name: str, starts: datetime, minutes: int, capacity: int) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": {"pl": name, "en": f"{name} (EN)"},
        "room": f"Sala {slug}",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(minutes=minutes)).isoformat(),
        "capacity": capacity,
    }


async def test_choose_and_change_sessions_in_a_browser(
    service_client: Any, servers: Any, browser: Browser
) -> None:
    registration = await service_client("registration")
    base = str(registration.make_url("")).rstrip("/")
    day = datetime.now(UTC).replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=9)
    event = event_body(
        name={"pl": "Dzień warsztatów", "en": "Workshop day"},
        starts_at=day.isoformat(),
        ends_at=(day + timedelta(hours=10)).isoformat(),
        sessions=[
            _session("robots", "Roboty mobilne", day + timedelta(hours=1), 90, 20),
            _session("printing", "Druk przestrzenny", day + timedelta(hours=2), 60, 20),
            _session("drones", "Latające drony", day + timedelta(hours=4), 60, 20),
            _session("mentoring", "Rozmowa z mentorem", day + timedelta(hours=6), 30, 1),
        ],
    )
    r = await registration.post("/api/v1/events", json=event, headers=auth(servers.token()))
    assert r.status == 201, await r.text()

    context = await browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    page = await context.new_page()
    await page.goto(f"{base}/events/{event['slug']}")
    sessions = page.get_by_role("group", name="Sesje / warsztaty")
    await expect(sessions.get_by_role("checkbox")).to_have_count(4)
    await expect(sessions.get_by_label("Rozmowa z mentorem")).to_be_enabled()
    await expect(sessions).to_contain_text("Wolne miejsca: 1")

    await page.get_by_label("Imię i nazwisko").fill("Ada Lovelace")
    await page.get_by_label("Adres e-mail").fill(f"ada-{event['slug']}@example.org")
    await page.get_by_label("Zgadzam się").check()
    await sessions.get_by_label("Roboty mobilne").check()
    await sessions.get_by_label("Druk przestrzenny").check()
    await page.get_by_role("button", name="Zarejestruj się").click()
    await expect(page.locator("#sessions-error")).to_have_text(
        "Sesje „Roboty mobilne” i „Druk przestrzenny” odbywają się w tym samym czasie"
        " – wybierz jedną z nich."
    )
    await expect(sessions).to_have_attribute("aria-describedby", "sessions-error")
    await expect(sessions.get_by_label("Roboty mobilne")).to_be_checked()
    await expect(sessions.get_by_label("Druk przestrzenny")).to_be_checked()
    await expect(sessions.get_by_label("Latające drony")).not_to_be_checked()

    await sessions.get_by_label("Druk przestrzenny").uncheck()
    await sessions.get_by_label("Latające drony").check()
    await page.get_by_role("button", name="Zarejestruj się").click()
    await expect(page.get_by_role("status")).to_contain_text("Gotowe!")
    mine = page.locator("#my-sessions li")
    await expect(mine).to_have_count(2)
    await expect(mine.nth(0)).to_contain_text("Roboty mobilne")
    await expect(mine.nth(0)).to_contain_text("miejsce potwierdzone")
    await expect(mine.nth(1)).to_contain_text("Latające drony")
    await expect(mine.nth(1)).to_contain_text("miejsce potwierdzone")

    # Change of mind: the overlapping one instead of the first.
    change = page.get_by_role("group", name="Zmień sesje")
    await expect(change.get_by_label("Roboty mobilne")).to_be_checked()
    await change.get_by_label("Roboty mobilne").uncheck()
    await change.get_by_label("Druk przestrzenny").check()
    await page.get_by_role("button", name="Zapisz sesje").click()
    await expect(page.get_by_role("status")).to_have_text("Zapisaliśmy Twój wybór sesji.")
    await expect(mine).to_have_count(2)
    await expect(mine.nth(0)).to_contain_text("Druk przestrzenny")
    await expect(mine.nth(1)).to_contain_text("Latające drony")

    # Someone else takes the one seat with the mentor.
    r = await registration.post(
        f"/api/v1/events/{event['slug']}/registrations",
        json=registration_body(sessions=["mentoring"]),
    )
    assert r.status == 201, await r.text()
    await page.reload()
    await expect(change.locator("label", has_text="Rozmowa z mentorem")).to_contain_text(
        "brak miejsc"
    )

    await change.get_by_label("Rozmowa z mentorem").check()
    await page.get_by_role("button", name="Zapisz sesje").click()
    await expect(page.locator("#sessions-error")).to_have_text(
        "W sesji „Rozmowa z mentorem” nie ma już wolnych miejsc."
        " Zaznacz zapis na listę oczekujących, aby czekać na miejsce."
    )
    await expect(mine).to_have_count(2)
    await expect(mine.filter(has_text="Rozmowa z mentorem")).to_have_count(0)
    await expect(change.get_by_label("Rozmowa z mentorem")).to_be_checked()

    await page.get_by_label("zapisz mnie na listę oczekujących").check()
    await page.get_by_role("button", name="Zapisz sesje").click()
    await expect(page.get_by_role("status")).to_have_text("Zapisaliśmy Twój wybór sesji.")
    await expect(mine).to_have_count(3)
    await expect(mine.nth(2)).to_contain_text("Rozmowa z mentorem")
    await expect(mine.nth(2)).to_contain_text("na liście oczekujących, miejsce 1")
    await expect(mine.nth(0)).to_contain_text("miejsce potwierdzone")
    await context.close()
