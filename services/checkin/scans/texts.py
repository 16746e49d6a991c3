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
