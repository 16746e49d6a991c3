"""Every back-office page at the HTTPS origin, checked by axe-core in Chromium: each GET page
of the four route tables (paths under /office/ and /dashboard/), in Polish and in English,
with real parameters (an event with sessions, ticket types, a question, a confirmed and a
waitlisted registration, a staff person), and each page's form sent empty so that its
errors show. No serious or critical violation may remain. A page added to a table is swept
by itself; one whose path parameters the sweep cannot fill fails the test.

Then a few tasks done with the keyboard alone: signing in, a new event, finding a
registration, writing to the attendees."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from cnk import proxy
from services.registration.staff import accounts, signing_in, two_factor
from services.registration.staff.handlers import CHALLENGE_COOKIE
from shared.db import DB_POOL
from shared.office import sessions
from shared.routes import Route, Serves, Who
from shared.staff_keys import STAFF_SIGNER
from tests.factories import auth, eventually, registration_body, started_event_body
from tests.journey import At, known_at_the_door, ticket
from tests.office.staff_journey import address, emailed_token, request_link
from tests.office_browser import (
    AxeReport,
    add_session,
    press_to_submit,
    submit_empty,
    tab_through,
    tab_to,
    type_datetime,
)
from tests.origin.conftest import Origin
from tests.registration.test_questions import QUESTIONS

# This module's browsers register from 127.0.0.1: no per-address limit (see conftest).
REGISTRATION_RATE_LIMIT = 0

LANGS = ("pl", "en")
LOCALES = {"pl": "pl-PL", "en": "en-GB"}


def office_pages() -> list[Route]:
    """The back office's GET pages, from the route tables."""
    return [
        r
        for routes in proxy.route_tables().values()
        for r in routes
        if r.method == "GET"
        and r.serves is Serves.PAGE
        and r.path.startswith(("/office/", "/dashboard/"))
    ]


# Each page's form to send empty (a CSS selector), or why it has none worth sending: a
# button that does something at once (publish, send, resend), or a form of GET filters.
EMPTY_FORMS: dict[str, str] = {
    "/office/sign-in": "main form[action^='/office/sign-in']",
    "/office/sign-in/code": "main form[action^='/office/sign-in/code']",
    "/office/account": "main form[action='/office/account']",
    "/office/account/two-factor": "main form[action='/office/account/two-factor/confirm']",
    "/office/staff/new": "main form[action='/office/staff/new']",
    "/office/staff/{staff_id}": "main form:has(#f-name)",
    "/office/events/new": "main form[action='/office/events/new']",
    "/office/events/{slug}/edit": "main form[action$='/edit']",
    "/office/events/{slug}/sessions": "main form:has(input[name=rows])",
    "/office/events/{slug}/ticket-types": "main form:has(input[name=rows])",
    "/office/events/{slug}/questions": "main form[action$='/questions']",
    "/office/events/{slug}/cancel": "main form[action$='/cancel']",
    "/office/events/{slug}/import": "main form[action$='/import']",
    "/office/events/{slug}/messages": "main form[action*='/messages']",
    "/office/registrations/{registration_id}": "main form[action$='/check-in']",
    "/office/events/{slug}/lists": "main form[action$='/lists']",
    "/office/events/{slug}/lists/{list}": "main form[action$='/lists/main']",
    "/office/events/{slug}/devices": "main form[action$='/devices']",
    "/dashboard/{slug}/sign-in": "main form[action^='/dashboard/sign-in']",
}
NO_EMPTY_FORM: dict[str, str] = {
    "/office/sign-in/link": "one button: it signs in",
    "/office/events/{slug}/publish": "one button: it publishes",
    "/office/events/{slug}/certificates": "one button: it sends the certificates",
    "/office/registrations/{registration_id}/emails": "buttons that resend emails",
    "/office/events/{slug}/registrations": "search filters (GET): nothing to refuse",
    "/office/events/{slug}/waitlist": "buttons that offer a seat",
}


@dataclasses.dataclass
class World:
    slug: str  # a published event that has started, with everything on it
    draft: str  # a draft event (its publish page)
    confirmed: str  # registration ids
    waitlisted: str
    admin_id: uuid.UUID
    staff_id: uuid.UUID  # another person of the staff
    link_token: str  # an unused sign-in link
    challenge: str  # a half-done sign-in waiting for a second factor's code

    def urls(self, route: Route) -> list[str]:
        """The page's addresses to check (several where a parameter has telling values)."""
        if route.path == "/office/sign-in/link":
            return [f"{route.path}?token={self.link_token}"]
        if route.path == "/office/events/{slug}/publish":
            return [f"/office/events/{self.draft}/publish"]
        values = {
            "slug": [self.slug],
            "registration_id": [self.confirmed, self.waitlisted],
            "staff_id": [str(self.staff_id)],
            "list": ["main"],
        }
        names = re.findall(r"\{([^}]+)\}", route.path)
        missing = [n for n in names if n not in values]
        assert not missing, f"the sweep cannot fill {missing} in {route.path}: teach it"
        urls = [route.path]
        for name in names:
            urls = [u.replace(f"{{{name}}}", v) for u in urls for v in values[name]]
        return urls


@pytest.fixture(scope="module")
async def world(origin: Origin, servers: Any) -> World:
    organizer = auth(servers.token())
    pool = origin.apps["registration"][0][DB_POOL]
    starts = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    sessions_ = [
        {
            "slug": f"workshop-{i}",
            "name": {"pl": f"Warsztat {i}", "en": f"Workshop {i}"},
            "starts_at": (starts + timedelta(hours=i)).isoformat(),
            "ends_at": (starts + timedelta(hours=i, minutes=45)).isoformat(),
            "capacity": 10,
            "room": f"Sala {i}",
        }
        for i in (1, 2)
    ]
    event = started_event_body(
        capacity=1,
        sessions=sessions_,
        profile_fields={"organization": "required", "country": "optional", "role": "optional"},
    )
    draft = started_event_body(status="draft")
    slug = event["slug"]
    async with origin.client("127.0.0.61") as http:
        at = At(http, origin.url)
        for body in (event, draft):
            r = await at.post("/api/v1/events", json=body, headers=organizer)
            assert r.status == 201, await r.text()
        regs = []
        for person in (
            {"name": "Anna Nowak", "organization": "Politechnika Białostocka", "lang": "pl"},
            {"name": "Maria Rossi", "organization": "Università di Bologna", "lang": "en"},
        ):
            r = await at.post(
                f"/api/v1/events/{slug}/registrations",
                json=registration_body(**person, sessions=["workshop-1"]),
            )
            assert r.status == 201, await r.text()
            regs.append(await r.json())
        assert [r["status"] for r in regs] == ["confirmed", "waitlisted"]
        for body in (
            {"slug": "standard", "name": {"pl": "Zwykły", "en": "Standard"}},
            {"slug": "guest", "name": {"pl": "Gość", "en": "Guest"}, "access_code": "INVITED"},
        ):
            r = await at.post(f"/api/v1/events/{slug}/ticket-types", json=body, headers=organizer)
            assert r.status == 201, await r.text()
        question = QUESTIONS[0]  # diet: one of a list
        r = await at.post(f"/api/v1/events/{slug}/questions", json=question, headers=organizer)
        assert r.status == 201, await r.text()
        await ticket(at, regs[0])
        await known_at_the_door(at, slug, organizer, tickets=1)

        actor = accounts.system_actor("tests")
        admin = await accounts.add_person(
            pool, actor, email=address("admin"), name="Ola Admin", language="pl",
            role="admin", event_slug="*",
        )  # fmt: skip
        other = await accounts.add_person(
            pool, actor, email=address("viewer"), name="Jan Widz", language="en",
            role="viewer", event_slug=slug,
        )  # fmt: skip
        # The admin has begun turning on a second factor (its setup page); a third person
        # has one, and is half-way through signing in (the code page).
        await two_factor.begin_setup(pool, admin.person.id)
        careful = await accounts.add_person(
            pool, actor, email=address("careful"), name="Ewa Ostrożna", language="pl",
            role="organizer", event_slug=slug,
        )  # fmt: skip
        await two_factor.begin_setup(pool, careful.person.id)
        claims = sessions.new_session(
            staff_id=careful.person.id, name="Ewa", lang="pl", grants={slug: "organizer"}
        )
        secret = await pool.fetchval(
            "SELECT totp_secret FROM staff WHERE id = $1", careful.person.id
        )
        assert await two_factor.confirm_setup(pool, claims, pyotp.TOTP(secret).now())
        # Two links: one to show, one used (by the use case its button calls).
        tokens = []
        for seen in range(2):
            r = await request_link(at, careful.person.email)
            assert r.status == 303, await r.text()
            tokens.append(await emailed_token(servers, careful.person.email, seen))
        signer = origin.apps["registration"][0][STAFF_SIGNER]
        started = await signing_in.redeem_link(pool, signer, tokens[1], "sweep")
        assert started is not None and started.challenge is not None
    return World(
        slug, draft["slug"], regs[0]["id"], regs[1]["id"], admin.person.id, other.person.id,
        tokens[0], started.challenge,
    )  # fmt: skip


@pytest.fixture(scope="module")
async def contexts(
    trusting_browser: Browser, origin: Origin, world: World
) -> AsyncIterator[dict[tuple[str, bool], Page]]:
    """A page per language, signed in as the admin or not signed in at all."""
    made: dict[tuple[str, bool], Page] = {}
    opened: list[BrowserContext] = []
    for lang in LANGS:
        for signed_in in (True, False):
            context = await trusting_browser.new_context(locale=LOCALES[lang])
            opened.append(context)
            if signed_in:
                await add_session(
                    context, origin.url, origin.apps["registration"][0], {"*": "admin"},
                    staff_id=world.admin_id, name="Ola Admin", lang=lang,
                )  # fmt: skip
            else:
                challenge = {"name": f"__Host-{CHALLENGE_COOKIE}", "value": world.challenge}
                await context.add_cookies([challenge | {"url": f"{origin.url}/", "secure": True}])
            made[(lang, signed_in)] = await context.new_page()
    yield made
    for context in opened:
        await context.close()


async def _open(page: Page, url: str) -> None:
    """The page, once every service knows the key that signed the session (they learn it
    through NATS when they start)."""

    async def opened() -> bool:
        response = await page.goto(url)
        assert response is not None
        return response.status == 200

    await eventually(opened, timeout=10)
    # The sign-in link's secret leaves the address for a cookie: the page is the same.
    expected = re.sub(r"token=[^&]+&?", "", url).rstrip("?&")
    assert page.url == expected, f"{url} redirected to {page.url}"


async def test_every_office_page_passes_axe(
    origin: Origin, world: World, contexts: dict[tuple[str, bool], Page]
) -> None:
    report = AxeReport()
    # First, that axe-core runs and sees: a page with faults of its own.
    bad = contexts[("en", False)]
    await bad.set_content("<img src=x.png><input><a href=/></a>")
    await report.check(bad, "a page with faults")
    assert {r for _, _, r, _, _ in report.serious} >= {"image-alt", "label", "link-name"}
    report = AxeReport()
    routes = office_pages()
    assert len(routes) >= 30, [r.path for r in routes]
    stale = (EMPTY_FORMS.keys() | NO_EMPTY_FORM.keys()) - {r.path for r in routes}
    assert not stale, f"no such pages: {stale}"
    unsorted: set[str] = set()  # pages with a form, in neither table
    shown_errors: list[str] = []
    refused: list[str] = []  # forms sent empty that did not come back with their errors

    async def sweep(route: Route, path: str, lang: str) -> None:
        signed_in = route.who is not Who.PUBLIC
        page = contexts[(lang, signed_in)]
        url = f"{origin.url}{path}"
        if not signed_in:
            url += ("&" if "?" in url else "?") + f"lang={lang}"
        await _open(page, url)
        await report.check(page, f"{path} ({lang})")
        known = route.path in EMPTY_FORMS or route.path in NO_EMPTY_FORM
        if not known and await page.locator("main form[method=post]").count():
            unsorted.add(route.path)
        if lang == "pl":
            await tab_through(page)  # by keyboard, top to bottom, no trap
        selector = EMPTY_FORMS.get(route.path)
        if selector is not None and path == world.urls(route)[0]:
            status = await submit_empty(page, selector)
            shown = await page.locator("#error-summary, main [role=alert]").count()
            if status == 400 and shown:
                await report.check(page, f"{path} ({lang}, errors)")
                shown_errors.append(f"{path} ({lang})")
            else:
                refused.append(f"{path} ({lang}): {status}, error summary: {shown}")

    for route in routes:
        for path in world.urls(route):
            # Each language in a browser window of its own, at the same time.
            await asyncio.gather(*(sweep(route, path, lang) for lang in LANGS))
    print(report.summary())
    assert not unsorted, f"pages with a form the sweep does not know: {unsorted}"
    assert not report.serious, report.summary()
    assert not refused, refused
    assert len(shown_errors) == len(EMPTY_FORMS) * len(LANGS)


async def test_tasks_done_with_the_keyboard_alone(
    origin: Origin, servers: Any, world: World, contexts: dict[tuple[str, bool], Page]
) -> None:
    """Tab, typing, Space and Enter only: every stop shows where the focus is, and a form
    sent wrong comes back with its error summary focused (and announced: role=alert)."""
    visitor = contexts[("en", False)]
    await _open(visitor, f"{origin.url}/office/sign-in?lang=en")
    await tab_through(visitor)
    await tab_to(visitor, "#f-email")
    await visitor.keyboard.type("not an address")
    assert await press_to_submit(visitor) == 400
    await _summary_has_focus(visitor, ["email"])
    await visitor.keyboard.press("Tab")  # the summary's link to the field...
    await visitor.keyboard.press("Enter")  # ...takes the focus there
    await expect(visitor.locator("#f-email")).to_be_focused()
    await visitor.keyboard.press("Control+A")
    await visitor.keyboard.type(address("nobody"))
    assert await press_to_submit(visitor) == 200
    await expect(visitor.get_by_role("heading", name="Check your email")).to_be_visible()

    office = contexts[("pl", True)]
    base = f"{origin.url}/office/events/{world.slug}"
    await _open(office, f"{origin.url}/office/events/new")
    await tab_to(office, "#f-name_pl")
    assert await press_to_submit(office) == 400  # nothing filled in
    required = ["name_pl", "name_en", "starts_at", "ends_at", "venue", "capacity"]
    await _summary_has_focus(office, required)
    slug = f"kb-{uuid.uuid4().hex[:8]}"
    for field, typed in (
        ("name_pl", "Seminarium klawiatury"),
        ("name_en", "Keyboard seminar"),
        ("slug", slug),
        ("starts_at", datetime(2031, 6, 12, 10)),
        ("ends_at", datetime(2031, 6, 12, 12)),
        ("venue", "CNK, Zwierzyniecka 16"),
        ("capacity", "40"),
    ):
        await tab_to(office, f"#f-{field}")
        if isinstance(typed, datetime):
            await type_datetime(office, typed)
        else:
            await office.keyboard.press("Control+A")
            await office.keyboard.type(typed)
    assert await press_to_submit(office) == 200
    await office.wait_for_url(f"**/office/events/{slug}?done=created")
    await expect(office.get_by_role("heading", level=1)).to_contain_text("Seminarium klawiatury")
    async with origin.client() as http:
        r = await http.get(f"{origin.url}/api/v1/events/{slug}", headers=auth(servers.token()))
        typed_in = await r.json()
    assert (typed_in["starts_at"], typed_in["capacity"]) == ("2031-06-12T08:00:00Z", 40)

    await _open(office, f"{base}/registrations")
    await tab_to(office, "#f-q")
    await office.keyboard.type("Rossi")
    assert await press_to_submit(office) == 200
    await office.wait_for_url("**/registrations?q=Rossi*")
    await tab_to(office, "main table a")
    assert await press_to_submit(office) == 200
    await expect(office.get_by_role("heading", level=1)).to_have_text("Maria Rossi")
    await tab_through(office)

    await _open(office, f"{base}/messages")
    await tab_to(office, "button[value=preview]")
    assert await press_to_submit(office) == 400
    await _summary_has_focus(office, ["subject_pl", "body_pl", "subject_en", "body_en", "audience"])
    for field, typed in (
        ("subject_pl", "Plan dnia"),
        ("body_pl", "Zaczynamy o 9:00 w auli."),
        ("subject_en", "The day's plan"),
        ("body_en", "We start at 9:00 in the main hall."),
    ):
        await tab_to(office, f"#f-{field}")
        await office.keyboard.type(typed)
    await tab_to(office, "#f-audience")
    await office.keyboard.press("Space")
    await tab_to(office, "button[value=preview]")
    assert await press_to_submit(office) == 200
    await tab_to(office, "button[value=send]")
    assert await press_to_submit(office) == 200
    await expect(office.get_by_role("status")).to_have_text("Wiadomość wysłano do 1 osoby.")


async def _summary_has_focus(page: Page, fields: list[str]) -> None:
    """The page came back with the error summary, focused, announced, linking each field."""
    summary = page.locator("#error-summary")
    await expect(summary).to_be_focused()
    await expect(summary).to_have_attribute("role", "alert")
    links = await summary.locator("a").evaluate_all("(all) => all.map((a) => a.hash)")
    assert links == [f"#f-{f}" for f in fields], links
