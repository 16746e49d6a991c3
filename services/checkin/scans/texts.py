"""The scans' refusals, and what the scanner shows for each verdict, Polish and English."""

from __future__ import annotations

from shared.refusals import Refusal

GATE_NOT_COVERED = Refusal(
    "gate_not_covered",
    403,
    "This door token is for gate {gate!r} only.",
    "Token nie obejmuje tego wejścia.",
)
SCAN_IN_PROGRESS = Refusal(
    "scan_in_progress",
    409,
    "This scan_id is being recorded; retry.",
    "Ten skan jest właśnie przetwarzany; spróbuj ponownie za chwilę.",
)
NO_TICKET = Refusal(
    "no_ticket",
    409,
    "This registration has no ticket yet: it can be checked in once its ticket is issued.",
    "Ta rejestracja nie ma jeszcze biletu: można ją odprawić, gdy bilet zostanie wydany.",
)

# The verdict's message, by result (rules.Result).
MESSAGES: dict[str, dict[str, str]] = {
    "accepted": {"pl": "Wejście przyznane.", "en": "Entry granted."},
    "already_checked_in": {
        "pl": "Ten bilet został już zeskanowany na tej liście.",
        "en": "This ticket has already been checked in on this list.",
    },
    "invalid": {
        "pl": "Nieważny kod: nie jest to bilet wydany przez CNK.",
        "en": "Invalid code: not a ticket issued by CNK.",
    },
    "revoked": {"pl": "Bilet anulowany.", "en": "This ticket has been cancelled."},
    "wrong_event": {
        "pl": "Bilet na inne wydarzenie.",
        "en": "This ticket is for a different event.",
    },
    "not_valid_now": {"pl": "Bilet nie jest ważny o tej porze.", "en": "Not valid at this time."},
    "not_on_list": {
        "pl": "Bilet nie uprawnia do wejścia na tę listę.",
        "en": "This ticket is not on this check-in list.",
    },
    "venue_full": {"pl": "Sala jest pełna.", "en": "The room is full."},
    "exited": {"pl": "Wyjście zapisane.", "en": "Exit recorded."},
}

# The back office's manual check-in (scans/pages.py).
TEXTS: dict[str, dict[str, str]] = {
    "pl": {
        "manual_title": "Ręczne wpuszczenie",
        "manual_intro": "Zapisz wejście bez skanowania biletu, np. gdy uczestnik nie ma"
        " telefonu. Obowiązują te same zasady co przy bramce.",
        "f_reason": "Powód",
        "h_reason": "Zostanie zapisany w historii zmian.",
        "f_list": "Lista wejść",
        "check_in": "Wpuść",
        "verdict_title": "Wynik",
        "first_at": "Pierwsze wejście: {at}, bramka {gate}.",
        "back": "Wróć do rejestracji",
        "err_invalid": "Nieprawidłowa wartość.",
        "err_reason": "Podaj powód (do 500 znaków).",
        "err_list": "Wybierz listę wejść tego wydarzenia.",
    },
    "en": {
        "manual_title": "Manual check-in",
        "manual_intro": "Record an entry without scanning the ticket, for example when the"
        " attendee has no phone. The same rules apply as at the door.",
        "f_reason": "Reason",
        "h_reason": "It is kept in the audit log.",
        "f_list": "Check-in list",
        "check_in": "Check in",
        "verdict_title": "Result",
        "first_at": "First entry: {at}, gate {gate}.",
        "back": "Back to the registration",
        "err_invalid": "This value is not valid.",
        "err_reason": "Enter a reason (up to 500 characters).",
        "err_list": "Choose a check-in list of this event.",
    },
}
