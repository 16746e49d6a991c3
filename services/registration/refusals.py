"""Every refusal of the registration service, declared once: code, HTTP status, English and
Polish text. Use cases raise them (``raise EVENT_FULL(none="no", whom="this event")``);
shared.problems renders them. Codes shared with other services (event_not_found,
validation_failed, ...) are in shared/refusals.py."""

from __future__ import annotations

from shared.refusals import Refusal

# Events and their setup.
SLUG_TAKEN = Refusal(
    "slug_taken",
    409,
    "An event with slug {slug!r} already exists.",
    "Wydarzenie o tym identyfikatorze już istnieje.",
)
INVALID_TRANSITION = Refusal(
    "invalid_transition",
    409,
    "A {current} event cannot become {wanted}.",
    "Wydarzenie nie może przejść do tego stanu.",
)
EVENT_CANCELLED = Refusal(
    "event_cancelled",
    409,
    "A cancelled event cannot be changed.",
    "To wydarzenie zostało odwołane; nie można go zmieniać.",
)
CAPACITY_BELOW_TAKEN = Refusal(
    "capacity_below_taken",
    409,
    "{taken} seats{of} are taken or offered; the capacity cannot go below that.",
    "Nie można zmniejszyć liczby miejsc poniżej liczby zajętych.",
)
SESSION_EXISTS = Refusal(
    "session_exists",
    409,
    "This event already has a session {slug!r}.",
    "To wydarzenie ma już sesję o tym identyfikatorze.",
)
QUESTION_EXISTS = Refusal(
    "question_exists",
    409,
    "This event already has a question {key!r}.",
    "To wydarzenie ma już pytanie o tym kluczu.",
)
TICKET_TYPE_EXISTS = Refusal(
    "ticket_type_exists",
    409,
    "This event already has a ticket type {slug!r}.",
    "To wydarzenie ma już rodzaj biletu o tym identyfikatorze.",
)

# Registering.
REGISTRATION_CLOSED = Refusal(
    "registration_closed",
    409,
    "Registration for this event is closed.",
    "Rejestracja na to wydarzenie jest zamknięta.",
)
REGISTRATION_NOT_OPEN = Refusal(
    "registration_not_open",
    409,
    "Registration for this event has not opened yet.",
    "Rejestracja jeszcze się nie rozpoczęła.",
    members=("opens_at",),
)
GROUP_TOO_LARGE = Refusal(
    "group_too_large",
    400,
    "A group may have at most {limit} people for this event.",
    "Grupa jest zbyt liczna dla tego wydarzenia.",
)
ALREADY_REGISTERED = Refusal(
    "already_registered",
    409,
    "This email address is already registered for this event.",
    "Ten adres e-mail jest już zarejestrowany na to wydarzenie.",
)
EVENT_FULL = Refusal(
    "event_full",
    409,
    "There are {none} seats left for {whom}.",
    "Brak wolnych miejsc na to wydarzenie.",
)
GROUP_NOT_REGISTERED = Refusal(
    "group_not_registered",
    409,
    "Some of the group's email addresses could not be registered for this event, and we"
    " let each of their owners know by email. Nobody in the group was registered.",
    "Niektórych adresów e-mail z tej grupy nie udało się zarejestrować na to wydarzenie;"
    " każdemu z ich właścicieli dajemy o tym znać e-mailem. Nikt z grupy nie został"
    " zarejestrowany.",
)
TICKET_TYPE_SOLD_OUT = Refusal(
    "ticket_type_sold_out",
    409,
    "There are not enough tickets of this type left.",
    "Bilety tego rodzaju się skończyły.",
)
UNKNOWN_TICKET_TYPE = Refusal(
    "unknown_ticket_type",
    400,
    "There is no such ticket type.",
    "Nie ma takiego rodzaju biletu.",
)
TICKET_TYPE_NOT_FOUND = Refusal(
    "ticket_type_not_found",
    404,
    "The event has no ticket type {slug!r}.",
    "Nie ma takiego rodzaju biletu.",
)
QUOTA_BELOW_TAKEN = Refusal(
    "quota_below_taken",
    409,
    "{taken} tickets of this type are taken or offered; the quota cannot go below that.",
    "Zajętych lub zaoferowanych biletów tego rodzaju jest {taken}; limit nie może być mniejszy.",
)
TICKET_TYPE_IN_USE = Refusal(
    "ticket_type_in_use",
    409,
    "Registrations ({count}) have this ticket type; it cannot be removed.",
    "Ten rodzaj biletu mają już rejestracje (liczba: {count}); nie można go usunąć.",
    members=("count",),
)
QUESTION_NOT_FOUND = Refusal(
    "question_not_found",
    404,
    "The event has no question {key!r}.",
    "Nie ma takiego pytania.",
)
QUESTION_ANSWERED = Refusal(
    "question_answered",
    409,
    "Registrations ({count}) have answered this question; it cannot be removed.",
    "Na to pytanie odpowiedziały już rejestracje (liczba: {count}); nie można go usunąć.",
    members=("count",),
)
OPTION_IN_USE = Refusal(
    "option_in_use",
    409,
    "The choice {value!r} is in answers already given; it cannot be removed.",
    "Odpowiedź „{value}” wybrano już w rejestracjach; nie można jej usunąć.",
    members=("value",),
)
ACCESS_CODE_INVALID = Refusal(
    "access_code_invalid",
    403,
    "This ticket type needs a valid access code.",
    "Ten rodzaj biletu wymaga poprawnego kodu dostępu.",
)
RATE_LIMITED = Refusal(
    "rate_limited",
    429,
    "Too many registrations from this address; try again in {retry} s.",
    "Zbyt wiele rejestracji z tego adresu. Spróbuj za minutę.",
)
EMAIL_RATE_LIMITED = Refusal(
    "email_rate_limited",
    429,
    "Too many registration attempts for this email address; try again in {minutes} min.",
    "Zbyt wiele prób rejestracji dla tego adresu e-mail. Spróbuj ponownie później.",
)

RESEND_RATE_LIMITED = Refusal(
    "resend_rate_limited",
    429,
    "This address asked for its ticket again too often; try again in {minutes} min.",
    "Ten adres prosił już o ponowne wysłanie biletu zbyt wiele razy. Spróbuj ponownie za"
    " {minutes} min.",
)

# Seats, offers and sessions of a registration.
OFFER_EXPIRED = Refusal(
    "offer_expired",
    409,
    "This offer has expired; the seat went on.",
    "Czas na przyjęcie miejsca minął.",
)
NO_OPEN_OFFER = Refusal(
    "no_open_offer",
    409,
    "This registration has no open offer (it is {status}).",
    "Nie ma otwartej oferty miejsca.",
)
UNKNOWN_SESSION = Refusal(
    "unknown_session",
    400,
    "This event has no session {slug!r}.",
    "To wydarzenie nie ma takiej sesji.",
)
SESSIONS_OVERLAP = Refusal(
    "sessions_overlap",
    400,
    "Sessions {one!r} and {other!r} overlap in time; choose one.",
    "Wybrane sesje odbywają się w tym samym czasie; wybierz jedną z nich.",
)
SESSION_FULL = Refusal(
    "session_full",
    409,
    "There are no seats left in session {session!r}.",
    "W tej sesji nie ma wolnych miejsc.",
    members=("session",),
)
SESSION_STARTED = Refusal(
    "session_started",
    409,
    "Session {slug!r} has already started; it cannot be changed now.",
    "Ta sesja już się rozpoczęła; nie można jej teraz zmienić.",
)
REGISTRATION_CANCELLED = Refusal(
    "registration_cancelled",
    409,
    "This registration is cancelled.",
    "Ta rejestracja została anulowana.",
)
EVENT_NOT_OPEN = Refusal(
    "event_not_open",
    409,
    "The sessions of a {status} event cannot change.",
    "Sesji tego wydarzenia nie można teraz zmieniać.",
)

# Importing a CSV file of attendees.
BAD_ENCODING = Refusal(
    "bad_encoding", 400, "The file must be UTF-8.", "Plik musi być zapisany w UTF-8."
)
BAD_CSV = Refusal(
    "bad_csv",
    400,
    "Line {line} is not valid CSV: a field holds a line break without being in double quotes,"
    " or is longer than {kib} KiB; nothing was imported.",
    "Wiersz {line} pliku nie jest poprawnym CSV: pole zawiera znak końca wiersza, choć nie"
    " jest ujęte w cudzysłów, albo jest dłuższe niż {kib} KiB; nic nie zostało zaimportowane.",
    members=("line",),
)
BAD_CSV_HEADER = Refusal(
    "bad_csv_header",
    400,
    "The first line must name the columns: {columns} (name and email required); missing"
    " {missing}, unknown {unknown}.",
    "Pierwszy wiersz pliku CSV musi zawierać nagłówki kolumn (name,email,...).",
)
TOO_MANY_ROWS = Refusal(
    "too_many_rows", 413, "At most {limit} rows per import.", "Plik ma zbyt wiele wierszy."
)
IMPORT_REJECTED = Refusal(
    "import_rejected",
    422,
    "{count} rows are wrong; nothing was imported.",
    "Niektóre wiersze są błędne; nic nie zostało zaimportowane.",
    members=("rows",),
)

# The back office.
NOT_WAITLISTED = Refusal(
    "not_waitlisted",
    409,
    "Only a registration on the waitlist can be offered a seat; this one is {status}.",
    "Miejsce można zaproponować tylko osobie z listy oczekujących.",
)
NO_FREE_SEAT = Refusal(
    "no_free_seat",
    409,
    "No seat is free{of}.",
    "Nie ma wolnego miejsca.",
)
IMPORT_DRAFT_GONE = Refusal(
    "import_draft_gone",
    410,
    "The previewed file has expired or was imported already: upload it again.",
    "Podgląd wygasł albo plik już zaimportowano: wyślij plik ponownie.",
)
