"""The back office's whole flow at the HTTPS origin, in Chromium, as the people do it: the
admin (made by `cnk staff add`) signs in with the emailed link and adds an organizer, who
signs in and sets up a two-day conference with three workshops, two ticket types and a
question through the pages alone; an attendee registers on the public form; the organizer
finds them, resends their ticket, writes to the attendees, issues a door device that scans
the attendee in, and sends the certificates. Each person's emails arrive once, in their
language; axe-core checks every back-office page on the way."""

from __future__ import annotations

import base64
import time
import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import Browser, Page, expect

from cnk import staff
from tests.e2e.test_door_page import RECORD_VERDICTS, _scan
from tests.factories import eventually
from tests.notifications.test_ticket_email import decode_qr
from tests.office.staff_journey import address, links_in
from tests.office_browser import AxeReport
from tests.origin.conftest import Origin

# This module's browsers register from 127.0.0.1: no per-address limit (see conftest).
REGISTRATION_RATE_LIMIT = 0

WARSAW = ZoneInfo("Europe/Warsaw")
NAME = {"pl": "Konferencja InnHUB 2030", "en": "InnHUB Conference 2030"}
ATTENDEE = "Giulia Bianchi"


def _subjects(servers: Any, email: str) -> list[str]:
    return [str(m["Subject"]) for m in servers.mailbox.to(email)]


async def _mail(servers: Any, email: str, count: int) -> list[str]:
    """The subjects of the emails to ``email``, once ``count`` of them have arrived."""

    async def arrived() -> list[str] | None:
        found = _subjects(servers, email)
        return found if len(found) >= count else None

    return await eventually(arrived)


def _local(when: datetime) -> str:
    """A datetime-local field's value."""
    return when.strftime("%Y-%m-%dT%H:%M")


async def _sign_in(
    page: Page, url: str, servers: Any, email: str, words: dict[str, str], axe: AxeReport
) -> str:
    """Ask for the link on the sign-in page, open it from the email, press its button;
    the email's subject."""
    seen = len(links_in(servers, email))
    await page.goto(f"{url}/office/sign-in")
    await axe.check(page)
    await page.get_by_label(words["email"]).fill(email)
    await page.get_by_role("button", name=words["send"]).click()
    await expect(page.get_by_role("heading", name=words["sent"])).to_be_visible()
    await axe.check(page)

    async def link() -> str | None:
        links = links_in(servers, email)
        return links[seen] if len(links) > seen else None

    await page.goto(await eventually(link))
    await axe.check(page)
    await page.get_by_role("button", name=words["sign_in"], exact=True).click()
    await page.wait_for_url(f"{url}/office/")
    return str(servers.mailbox.to(email)[-1]["Subject"])


async def test_the_back_office_flow_from_sign_in_to_certificates(
    origin: Origin, servers: Any, trusting_browser: Browser
) -> None:
    started = time.monotonic()
    url = origin.url
    axe = AxeReport()
    admin_email, organizer_email = address("admin"), address("organizer")
    attendee_email = f"giulia-{uuid.uuid4().hex[:8]}@unibo.example"

    # The first admin comes from the command line (`cnk staff add`), as on a new install.
    await staff.add(servers.database_url, admin_email, "admin", None, "Ola Admin", "en")

    # The admin signs in and adds the organizer, who works in Polish.
    admin = await (await trusting_browser.new_context(locale="en-GB")).new_page()
    subject = await _sign_in(
        admin, url, servers, admin_email,
        {"email": "Email address", "send": "Email me a sign-in link",
         "sent": "Check your email", "sign_in": "Sign in"}, axe,
    )  # fmt: skip
    assert subject == "Sign in to the CNK events office"
    await axe.check(admin)
    await (
        admin.get_by_role("navigation", name="Office menu")
        .get_by_role("link", name="Staff")
        .click()
    )
    await axe.check(admin)
    await admin.get_by_role("link", name="Add a person").click()
    await axe.check(admin)
    await admin.get_by_label("Email address").fill(organizer_email)
    await admin.get_by_label("Name").fill("Piotr Organizator")
    await admin.get_by_label("Language of the office and emails").select_option("pl")
    await admin.get_by_label("Role").select_option("organizer")
    await admin.get_by_label("Event").select_option("*")
    await admin.get_by_role("button", name="Add a person").click()
    await expect(admin.get_by_role("heading", name="Person: Piotr Organizator")).to_be_visible()
    await axe.check(admin)

    # The organizer signs in (the email in Polish) and sets up the conference. It starts
    # this very minute and runs into tomorrow: certificates go out only once an event has
    # begun, and the flow cannot wait days (editing the times later would mail everyone
    # an "event changed" email besides).
    office = await (await trusting_browser.new_context(locale="pl-PL")).new_page()
    subject = await _sign_in(
        office, url, servers, organizer_email,
        {"email": "Adres e-mail", "send": "Wyślij link do logowania",
         "sent": "Sprawdź skrzynkę e-mail", "sign_in": "Zaloguj się"}, axe,
    )  # fmt: skip
    assert subject == "Logowanie do biura wydarzeń CNK"
    await axe.check(office)
    now = datetime.now(WARSAW).replace(second=0, microsecond=0)
    ends = (now + timedelta(days=1)).replace(hour=18, minute=0)
    slug = f"innhub-{uuid.uuid4().hex[:6]}"
    await office.get_by_role("link", name="Nowe wydarzenie").click()
    await axe.check(office)
    await office.get_by_label("Nazwa po polsku").fill(NAME["pl"])
    await office.get_by_label("Nazwa po angielsku").fill(NAME["en"])
    await office.get_by_label("Rodzaj").select_option("conference")
    await office.get_by_label("Identyfikator w adresie").fill(slug)
    await office.get_by_label("Początek").fill(_local(now))
    await office.get_by_label("Koniec").fill(_local(ends))
    await office.get_by_label("Miejsce (adres)").fill("CNK, ul. Zwierzyniecka 16, Białystok")
    await office.get_by_label("Sala", exact=True).fill("Aula")
    await office.get_by_label("Liczba miejsc").fill("120")
    await office.get_by_label("Opis po angielsku").fill("Two days on innovation.")
    for field in ("Organizacja", "Kraj", "Rola uczestnika"):
        await office.get_by_label(field, exact=True).select_option("required")
    await office.get_by_role("button", name="Utwórz szkic").click()
    await office.wait_for_url(f"{url}/office/events/{slug}?done=created")
    await axe.check(office)

    await office.get_by_role("link", name="Sesje i warsztaty").first.click()
    await axe.check(office)
    workshops = [
        (now + timedelta(hours=1), "Sala 1"),
        (now + timedelta(hours=2), "Sala 2"),
        (ends - timedelta(hours=4), "Sala 3"),  # the second day
    ]
    for i, (starts_at, room) in enumerate(workshops):
        row = office.get_by_role("group", name=f"Wiersz {i + 1}")
        await row.get_by_label("Nazwa po polsku").fill(f"Warsztat {i + 1}")
        await row.get_by_label("Nazwa po angielsku").fill(f"Workshop {i + 1}")
        await row.get_by_label("Początek").fill(_local(starts_at))
        # A slip in the last row: it ends before it starts.
        minutes = 90 if i < 2 else -30
        await row.get_by_label("Koniec").fill(_local(starts_at + timedelta(minutes=minutes)))
        await row.get_by_label("Sala").fill(room)
        await row.get_by_label("Liczba miejsc").fill("20")
    await office.get_by_role("button", name="Dodaj sesje").click()
    # The page comes back with the error at the field, the rows as typed, nothing added.
    await expect(office.locator("#error-summary")).to_be_focused()
    await expect(office.locator("#e-s2_ends_at")).to_be_visible()
    await expect(office.get_by_text("To wydarzenie nie ma jeszcze sesji.")).to_be_visible()
    await axe.check(office)
    last = office.get_by_role("group", name="Wiersz 3")
    await expect(last.get_by_label("Nazwa po polsku")).to_have_value("Warsztat 3")
    await last.get_by_label("Koniec").fill(_local(workshops[2][0] + timedelta(minutes=90)))
    await office.get_by_role("button", name="Dodaj sesje").click()
    await expect(office.get_by_role("status")).to_have_text("Dodano.")
    await expect(office.get_by_role("rowheader", name="Warsztat 3 (workshop-3)")).to_be_visible()
    await axe.check(office)

    await office.get_by_role("link", name="Rodzaje biletów").first.click()
    for i, (pl, en) in enumerate((("Zwykły", "Standard"), ("Gość", "Guest"))):
        row = office.get_by_role("group", name=f"Wiersz {i + 1}")
        await row.get_by_label("Nazwa po polsku").fill(pl)
        await row.get_by_label("Nazwa po angielsku").fill(en)
    await office.get_by_role("group", name="Wiersz 2").get_by_label("Kod dostępu").fill("GOSC-2030")
    await office.get_by_role("button", name="Dodaj rodzaje biletów").click()
    await expect(office.get_by_role("rowheader", name="Gość")).to_be_visible()
    await axe.check(office)

    await office.get_by_role("link", name="Pytania w formularzu").first.click()
    await office.get_by_label("Pytanie po polsku").fill("Dieta")
    await office.get_by_label("Pytanie po angielsku").fill("Diet")
    await office.get_by_label("Rodzaj odpowiedzi").select_option("single")
    await office.get_by_label("Odpowiedzi do wyboru").fill("Dowolna | Any\nWegańska | Vegan")
    await office.get_by_label("Odpowiedź wymagana").check()
    await office.get_by_role("button", name="Dodaj pytanie").click()
    await expect(office.get_by_role("rowheader", name="Dieta")).to_be_visible()
    await axe.check(office)

    await office.get_by_role("link", name="Szczegóły", exact=True).click()
    await office.get_by_role("link", name="Opublikuj").click()
    await axe.check(office)
    await office.get_by_role("button", name="Tak, opublikuj").click()
    await expect(office.get_by_role("status")).to_have_text("Wydarzenie opublikowano.")
    await axe.check(office)
    setup_done = time.monotonic()

    # An attendee from abroad registers on the public form, in English.
    visitor = await (await trusting_browser.new_context(locale="en-GB")).new_page()
    await visitor.goto(f"{url}/events/{slug}?lang=en")
    await visitor.get_by_label("Full name").fill(ATTENDEE)
    await visitor.get_by_label("Email address").fill(attendee_email)
    await visitor.get_by_label("Organization (university, company, institution)").fill(
        "Università di Bologna"
    )
    await visitor.get_by_label("Country").select_option("IT")
    await visitor.get_by_label("You are").select_option("academic_staff")
    await visitor.get_by_label("Ticket type").select_option("standard")
    await visitor.get_by_label("Diet").select_option("vegan")
    await visitor.get_by_label("Workshop 1").check()
    await visitor.get_by_label("Workshop 3").check()
    await visitor.get_by_label("Language of emails").select_option("en")
    await visitor.get_by_label("I agree").check()
    await visitor.get_by_role("button", name="Register").click()
    await expect(visitor.locator("#status")).to_have_text("Registration confirmed")
    [ticket_mail] = await _mail(servers, attendee_email, 1)
    assert ticket_mail == f"Your ticket: {NAME['en']}"
    [png] = [
        p.get_content()
        for p in servers.mailbox.to(attendee_email)[0].walk()
        if p.get_content_type() == "image/png"
    ]
    code = decode_qr(png)

    # The organizer finds them, and sends the ticket again.
    await office.get_by_role("link", name="Rejestracje", exact=True).click()
    await office.get_by_label("Szukaj", exact=True).fill("Bologna")
    await office.get_by_role("button", name="Szukaj").click()
    await axe.check(office)
    await office.get_by_role("link", name=ATTENDEE).click()
    await expect(office.get_by_role("heading", level=1)).to_have_text(ATTENDEE)
    details = office.get_by_role("region", name="Dane")
    for shown in ("Università di Bologna", "IT", "pracownik naukowy", "English"):
        await expect(details).to_contain_text(shown)
    await axe.check(office)
    await office.get_by_role("link", name="Wysłane e-maile i ponowne wysłanie").click()
    await axe.check(office)
    await office.get_by_role("button", name="Wyślij bilet ponownie").click()
    await expect(office.get_by_role("status")).to_have_text(
        "Wysłano ponownie: wiadomość jest w drodze."
    )
    await axe.check(office)
    assert await _mail(servers, attendee_email, 2) == [ticket_mail] * 2

    # ...writes to everyone with a confirmed seat...
    await office.get_by_role("link", name="Rejestracje wydarzenia").click()
    await office.get_by_role("link", name="Wiadomości").click()
    await axe.check(office)
    await office.get_by_label("Temat po polsku").fill("Plan konferencji")
    await office.get_by_label("Treść po polsku").fill("Zaczynamy o 9:00 w auli.")
    await office.get_by_label("Temat po angielsku").fill("The conference plan")
    await office.get_by_label("Treść po angielsku").fill("We start at 9:00 in the main hall.")
    await office.get_by_label("Wszyscy z potwierdzonym miejscem").check()
    await office.get_by_role("button", name="Podgląd").click()
    await axe.check(office)
    await office.get_by_role("button", name="Wyślij do 1 osoby").click()
    await expect(office.get_by_role("status")).to_have_text("Wiadomość wysłano do 1 osoby.")
    await axe.check(office)
    mails = await _mail(servers, attendee_email, 3)
    assert mails[2] == f"{NAME['en']}: The conference plan"

    # ...issues a door device, whose pairing QR signs a phone in, and it scans the ticket.
    await office.get_by_role("link", name="Urządzenia").click()
    await axe.check(office)
    await office.get_by_label("Nazwa urządzenia").fill("Telefon 1")
    await office.get_by_label("Bramka").fill("Hala")
    await office.get_by_role("button", name="Wydaj token").click()
    await expect(office.get_by_role("heading", name="Token wydany: Telefon 1")).to_be_visible()
    await axe.check(office)
    qr = office.get_by_role("img", name="Kod QR parowania urządzenia Telefon 1")
    source = await qr.get_attribute("src")
    assert source and source.startswith("data:image/png;base64,")
    pairing = decode_qr(base64.b64decode(source.partition(",")[2]))
    token = await office.get_by_label("Token (do wklejenia na stronie /door)").input_value()
    assert pairing == f"{url}/door#token={token}"

    phone = await trusting_browser.new_context(
        locale="pl-PL", viewport={"width": 390, "height": 844}
    )
    await phone.add_init_script(RECORD_VERDICTS)
    door = await phone.new_page()
    await door.goto(pairing)  # what the phone's camera opens
    await expect(door.locator("#pack-state")).to_contain_text("Paczka offline: 1 ")
    await expect(door.get_by_label("Bramka (np. hala A)")).to_have_value("Hala")
    await door.get_by_role("button", name="Rozpocznij skanowanie").click()
    await expect(door.locator("#net")).to_have_attribute("data-state", "online")
    verdict = await _scan(door, code)
    assert (verdict["result"], verdict["name"], verdict["offline"]) == (
        "accepted",
        ATTENDEE,
        False,
    )
    await phone.close()

    # ...and, the conference under way, sends the certificates.
    await office.get_by_role("link", name="Zaświadczenia").click()
    await expect(office.locator("#certificate-counts")).to_contain_text("1")
    await axe.check(office)
    await office.get_by_role("button", name="Wyślij zaświadczenia").click()
    await expect(office.get_by_role("status")).to_have_text("Wysłano nowych zaświadczeń: 1.")
    await axe.check(office)
    mails = await _mail(servers, attendee_email, 4)
    assert mails == [
        f"Your ticket: {NAME['en']}",
        f"Your ticket: {NAME['en']}",
        f"{NAME['en']}: The conference plan",
        f"Your certificate of attendance: {NAME['en']}",
    ]
    assert _subjects(servers, admin_email) == ["Sign in to the CNK events office"]
    assert _subjects(servers, organizer_email) == ["Logowanie do biura wydarzeń CNK"]

    for page in (admin, office, visitor):
        await page.context.close()
    print(axe.summary())
    print(
        f"the flow took {time.monotonic() - started:.1f} s"
        f" (signing in and the conference's setup {setup_done - started:.1f} s)"
    )
    assert not axe.serious, axe.summary()
