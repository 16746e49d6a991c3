"""The staff pages' words (sign-in, account, staff), Polish and English side by side, and
the field errors the use cases raise (by key, put in words by the page)."""

from __future__ import annotations

from collections.abc import Mapping


class Invalid(Exception):
    """Bad input: field name -> the key of its message in ``TEXTS``."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(dict(errors))
        self.errors = dict(errors)

    def messages(self, lang: str, rename: Mapping[str, str] | None = None) -> dict[str, str]:
        rename = rename or {}
        return {rename.get(f, f): TEXTS[lang][key] for f, key in self.errors.items()}


_PAIRS: dict[str, tuple[str, str]] = {
    # field errors
    "email_required": ("Wpisz adres e-mail.", "Enter an email address."),
    "email_invalid": (
        "Wpisz adres e-mail w postaci nazwa@example.org.",
        "Enter an email address like name@example.org.",
    ),
    "name_required": ("Wpisz imię i nazwisko.", "Enter a name."),
    "name_too_long": (
        "Imię i nazwisko może mieć najwyżej 200 znaków.",
        "A name has at most 200 characters.",
    ),
    "language_invalid": ("Wybierz polski albo angielski.", "Choose Polish or English."),
    "role_invalid": ("Wybierz rolę.", "Choose a role."),
    "event_invalid": ("Wybierz wydarzenie z listy.", "Choose an event from the list."),
    "admin_all_events": (
        "Administrator ma rolę dla wszystkich wydarzeń: wybierz „wszystkie wydarzenia”.",
        "An admin is an admin of all events: choose “all events”.",
    ),
    "last_admin": (
        "To ostatni administrator wszystkich wydarzeń: najpierw nadaj tę rolę komuś innemu.",
        "This is the last administrator of all events: give someone else the role first.",
    ),
    "code_wrong": (
        "Ten kod jest nieprawidłowy albo już był użyty. Wpisz aktualny kod z aplikacji.",
        "This code is wrong or was used before. Enter the current code from the app.",
    ),
    "code_attempts": (
        "Za dużo prób kodu w ostatniej godzinie. Spróbuj ponownie później.",
        "Too many codes were tried in the last hour. Try again later.",
    ),
    "confirm_needed": ("Zaznacz potwierdzenie.", "Tick the confirmation."),
    "person_added": (
        "Dodano. Przekaż tej osobie ({name}), że logowanie jest pod adresem {url}: po wpisaniu"
        " adresu {email} dostanie link e-mailem.",
        "Added. Tell {name} to sign in at {url}: after entering {email} they get a link by email.",
    ),
    # signing in
    "sign_in": ("Zaloguj się", "Sign in"),  # the link page's button
    "sign_in_title": ("Logowanie do biura wydarzeń", "Sign in to the events office"),
    "sign_in_intro": (
        "Wpisz adres e-mail swojego konta. Wyślemy na niego jednorazowy link do logowania,"
        " ważny 15 minut.",
        "Enter your account's email address. We will email you a one-time sign-in link,"
        " valid for 15 minutes.",
    ),
    "email": ("Adres e-mail", "Email address"),
    "send_link": ("Wyślij link do logowania", "Email me a sign-in link"),
    "link_sent_title": ("Sprawdź skrzynkę e-mail", "Check your email"),
    "link_sent": (
        "Jeśli ten adres należy do konta, link do logowania jest już w drodze. Jest ważny"
        " 15 minut i działa tylko raz.",
        "If the address belongs to an account, a sign-in link is on its way. It is valid"
        " for 15 minutes and works once.",
    ),
    "link_sent_more": (
        "Nic nie przyszło? Sprawdź folder spam albo poproś o nowy link.",
        "Nothing arrived? Look in your spam folder, or ask for a new link.",
    ),
    "another_link": ("Poproś o nowy link", "Ask for a new link"),
    "rate_limited": (
        "Zbyt wiele prób logowania. Spróbuj ponownie za {minutes} min.",
        "Too many sign-in attempts. Try again in {minutes} min.",
    ),
    "signed_out": ("Wylogowano.", "You are signed out."),
    "link_title": ("Zaloguj się", "Sign in"),
    "link_intro": (
        "Kliknij przycisk, aby zalogować się do biura wydarzeń. Link działa tylko raz.",
        "Press the button to sign in to the events office. The link works once.",
    ),
    "link_invalid_title": ("Link nie działa", "This link does not work"),
    "link_invalid": (
        "Ten link do logowania został już użyty albo wygasł (działa 15 minut). Poproś o nowy.",
        "This sign-in link was used already or has expired (it works for 15 minutes)."
        " Ask for a new one.",
    ),
    "code_title": ("Kod weryfikacyjny", "Verification code"),
    "code_intro": (
        "Wpisz 6-cyfrowy kod z aplikacji uwierzytelniającej albo jeden z kodów odzyskiwania.",
        "Enter the 6-digit code from your authenticator app, or one of your recovery codes.",
    ),
    "code": ("Kod", "Code"),
    "verify": ("Dalej", "Continue"),
    "code_expired": (
        "Logowanie trwało zbyt długo albo było zbyt wiele błędnych kodów. Zacznij od nowa.",
        "Signing in took too long, or there were too many wrong codes. Start again.",
    ),
    # account
    "account_title": ("Moje konto", "My account"),
    "name": ("Imię i nazwisko", "Name"),
    "lang_field": ("Język biura i wiadomości", "Language of the office and emails"),
    "lang_pl": ("polski", "Polish"),
    "lang_en": ("angielski", "English"),
    "your_roles": ("Twoje role", "Your roles"),
    "no_roles": ("Nie masz jeszcze żadnej roli.", "You have no role yet."),
    "two_factor": ("Logowanie dwuetapowe", "Two-step sign-in"),
    "two_factor_on": (
        "Włączone: po kliknięciu linku podajesz kod z aplikacji."
        " Pozostałe kody odzyskiwania: {left}.",
        "On: after the link you enter a code from your app. Recovery codes left: {left}.",
    ),
    "two_factor_off": (
        "Wyłączone. Po włączeniu logowanie wymaga też kodu z aplikacji uwierzytelniającej"
        " (np. FreeOTP, Aegis, Google Authenticator).",
        "Off. Turned on, signing in also asks for a code from an authenticator app"
        " (FreeOTP, Aegis, Google Authenticator...).",
    ),
    "turn_on": ("Włącz logowanie dwuetapowe", "Turn on two-step sign-in"),
    "turn_off": ("Wyłącz logowanie dwuetapowe", "Turn off two-step sign-in"),
    "off_code": ("Aktualny kod lub kod odzyskiwania", "Current code or a recovery code"),
    "new_codes": ("Utwórz nowe kody odzyskiwania", "Make new recovery codes"),
    "sessions": ("Otwarte sesje", "Open sessions"),
    "session_started": ("Rozpoczęta", "Started"),
    "session_ends": ("Wygasa najpóźniej", "Ends at the latest"),
    "session_browser": ("Przeglądarka", "Browser"),
    "this_session": ("ta sesja", "this session"),
    "sign_out_everywhere": ("Wyloguj wszędzie", "Sign out everywhere"),
    "sign_out_everywhere_hint": (
        "Kończy wszystkie Twoje sesje, także tę, na każdym urządzeniu, w ciągu sekundy.",
        "Ends all your sessions, this one too, on every device, within a second.",
    ),
    "setup_title": ("Włącz logowanie dwuetapowe", "Turn on two-step sign-in"),
    "setup_steps": (
        "Zeskanuj kod QR aplikacją uwierzytelniającą albo wpisz w niej klucz poniżej, a potem"
        " podaj kod, który pokaże.",
        "Scan the QR code with your authenticator app, or type the key below into it, then"
        " enter the code it shows.",
    ),
    "qr_label": ("Kod QR do aplikacji uwierzytelniającej", "QR code for the authenticator app"),
    "secret_key": ("Klucz do wpisania ręcznie", "Key to type in by hand"),
    "confirm_code": ("Kod z aplikacji", "Code from the app"),
    "turn_on_confirm": ("Potwierdź i włącz", "Confirm and turn on"),
    "codes_title": ("Kody odzyskiwania", "Recovery codes"),
    "codes_intro": (
        "Zapisz je teraz w bezpiecznym miejscu: nie pokażemy ich ponownie. Każdy działa raz,"
        " zamiast kodu z aplikacji, gdy nie masz jej pod ręką.",
        "Keep them somewhere safe now: they will not be shown again. Each works once, in"
        " place of a code from the app when you do not have it.",
    ),
    "done": ("Gotowe, wróć do konta", "Done, back to my account"),
    # staff
    "staff_title": ("Zespół", "Staff"),
    "add_person": ("Dodaj osobę", "Add a person"),
    "roles": ("Role", "Roles"),
    "role": ("Rola", "Role"),
    "event": ("Wydarzenie", "Event"),
    "actions": ("Działania", "Actions"),
    "edit": ("Edytuj", "Edit"),
    "edit_person": ("Osoba: {name}", "Person: {name}"),
    "person_saved": ("Zapisano.", "Saved."),
    "role_hint": (
        "Administrator: wszystko, także zespół i klucze. Organizator: przydzielone"
        " wydarzenia. Obsługa wejścia: tylko skanowanie. Podgląd: raporty, tylko odczyt.",
        "Admin: everything, staff and keys included. Organizer: the events given to them."
        " Door: scanning only. Viewer: reports, read only.",
    ),
    "add_role": ("Dodaj rolę", "Add a role"),
    "remove_role": ("Usuń rolę", "Remove the role"),
    "remove_role_of": ("Usuń rolę {role}: {event}", "Remove the role {role}: {event}"),
    "remove_person": ("Usuń osobę", "Remove the person"),
    "remove_person_hint": (
        "Osoba nie będzie mogła się zalogować; jej otwarte sesje zakończą się od razu.",
        "They will no longer be able to sign in; their open sessions end at once.",
    ),
    "remove_confirm": ("Tak, usuń tę osobę", "Yes, remove this person"),
    "two_factor_short": ("2 etapy", "2-step"),
    "yes": ("tak", "yes"),
    "no": ("nie", "no"),
    "language": ("Język", "Language"),
}

TEXTS: dict[str, dict[str, str]] = {
    "pl": {key: pl for key, (pl, _) in _PAIRS.items()},
    "en": {key: en for key, (_, en) in _PAIRS.items()},
}
