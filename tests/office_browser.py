"""The back office in a browser, for the Playwright tests: axe-core's verdict on each page
gathered into one report, a signed-in person's session cookie on a browser context, and the
keyboard moves of a person without a mouse."""

from __future__ import annotations

import collections
import dataclasses
import uuid
from datetime import datetime
from typing import Any

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import BrowserContext, Page

from shared.auth import Role
from shared.office import sessions
from shared.staff_keys import STAFF_SIGNER

SERIOUS = ("serious", "critical")
AXE = Axe()


@dataclasses.dataclass
class AxeReport:
    """Every page axe-core checked, and each violation it found (all impacts counted,
    serious and critical ones kept with their elements for the report)."""

    checked: list[str] = dataclasses.field(default_factory=list)
    by_impact: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    serious: list[tuple[str, str, str, str, list[Any]]] = dataclasses.field(default_factory=list)

    async def check(self, page: Page, label: str = "") -> None:
        results = await AXE.run(page)
        where = label or page.url
        self.checked.append(where)
        for v in results.response["violations"]:
            self.by_impact[v["impact"]] += len(v["nodes"])
            if v["impact"] in SERIOUS:
                targets = [n["target"] for n in v["nodes"]]
                self.serious.append((where, v["impact"], v["id"], v["help"], targets))

    def summary(self) -> str:
        counts = ", ".join(f"{k}: {n}" for k, n in sorted(self.by_impact.items())) or "none"
        lines = [f"axe-core checked {len(self.checked)} pages; elements in violation: {counts}"]
        for where, impact, rule, text, targets in self.serious:
            lines.append(f"  {impact} {rule} ({text}) at {where}: {targets[:5]}")
        return "\n".join(lines)


async def no_serious_violations(page: Page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    report = AxeReport()
    await report.check(page)
    assert report.serious == [], report.summary()


async def add_session(
    context: BrowserContext,
    url: str,
    app: Any,
    grants: dict[str, Role],
    *,
    staff_id: uuid.UUID,
    name: str,
    lang: str,
) -> None:
    """A session cookie for ``grants`` on the context, signed by ``app``'s key (registration
    or checkin), as signing in would set it at the HTTPS origin ``url``."""
    claims = sessions.new_session(staff_id=staff_id, name=name, lang=lang, grants=grants)
    token = app[STAFF_SIGNER].sign(claims)
    cookie = {"name": f"__Host-{sessions.COOKIE}", "value": token, "url": f"{url}/"}
    await context.add_cookies([cookie | {"secure": True, "httpOnly": True, "sameSite": "Lax"}])


FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute("name"),
    text: (el.innerText || el.value || "").trim().slice(0, 60),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    focusVisible: el.matches(":focus-visible"),
  };
}"""


async def focused(page: Page) -> dict[str, Any] | None:
    """What has the keyboard focus, and whether it is drawn (an outline of 2px or more)."""
    found: dict[str, Any] | None = await page.evaluate(FOCUSED)
    return found


async def tab_to(page: Page, selector: str, limit: int = 80) -> dict[str, Any]:
    """Press Tab until the element ``selector`` has the focus (a keyboard user's way to
    it); the focus must be visible on every stop. Fails past ``limit`` presses."""
    target = page.locator(selector).first
    for _ in range(limit):
        await page.keyboard.press("Tab")
        now = await focused(page)
        assert now is None or now["outline"], f"focus not visible on {now} at {page.url}"
        if await target.evaluate("(el) => el === document.activeElement"):
            assert now is not None
            return now
    raise AssertionError(f"{selector} not reached with {limit} Tab presses at {page.url}")


STEP = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(), id: el.id, text: (el.innerText || "").trim().slice(0, 40),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    last: el.dataset.lastTabbable === "1",
  };
}"""


async def tab_through(page: Page) -> int:
    """Tab from the top of the page to its end: every stop drawn, and the last tabbable
    element reached (no keyboard trap keeps the focus on the way). The number of stops."""
    count = await page.evaluate(
        """() => {
          document.activeElement?.blur();
          const all = [...document.querySelectorAll(
            'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]')]
            .filter((el) => !el.disabled && el.tabIndex >= 0 && el.getClientRects().length);
          const last = all.at(-1);
          if (last) last.dataset.lastTabbable = "1";
          return all.length;
        }"""
    )
    # Date fields take a Tab per part (day, month, year, hour, minute, AM/PM, calendar).
    for stops in range(1, 8 * count + 5):
        await page.keyboard.press("Tab")
        now = await page.evaluate(STEP)
        if now is None:
            continue
        assert now["outline"], f"focus not visible on {now} at {page.url}"
        if now["last"]:
            return stops
    raise AssertionError(f"the last tabbable element was not reached at {page.url}")


async def submit_empty(page: Page, form_selector: str) -> int | None:
    """Empty every field a person types into or ticks in the form, then press its (first)
    submit button, the browser's own checks off: the page the server answers with. Returns
    its HTTP status."""
    form = page.locator(form_selector).first
    await form.evaluate(
        """(form) => {
          form.noValidate = true;  // the server's checks, not the browser's
          for (const el of form.elements) {
            if (el.type === "hidden" || el.disabled) continue;
            if (el.type === "checkbox" || el.type === "radio") el.checked = false;
            else if (el.tagName !== "SELECT" && el.tagName !== "BUTTON") el.value = "";
          }
        }"""
    )
    async with page.expect_navigation(timeout=10_000) as answer:
        await form.locator("button[type=submit], button:not([type])").first.click()
    response = await answer.value
    return response.status if response is not None else None


async def type_datetime(page: Page, when: datetime) -> None:
    """Type a date and time into the focused datetime-local field, part by part. Chromium
    lays the field out in its own locale, pinned to C (en-US) for the tests whatever the
    page's language: month, day, year, then (after a Tab) hour, minute, AM or PM."""
    await page.keyboard.type(when.strftime("%m%d%Y"))
    await page.keyboard.press("Tab")
    await page.keyboard.type(when.strftime("%I%M") + when.strftime("%p")[0])


async def press_to_submit(page: Page, key: str = "Enter") -> int | None:
    """Press ``key`` where the focus is to send its form; the answer's HTTP status once
    the page it leads to has loaded."""
    async with page.expect_navigation() as answer:
        await page.keyboard.press(key)
    response = await answer.value
    return response.status if response is not None else None
