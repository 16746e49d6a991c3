"""The tickets service's refusals and the ticket page's texts, Polish and English.

Plain dicts, not gettext catalogues: the service speaks two languages and has a handful
of texts, which read best side by side with the refusals they sit next to.
"""

from __future__ import annotations

from shared.refusals import Refusal

BUS_UNAVAILABLE = Refusal(
    "bus_unavailable",
    503,
    "NATS did not take the change, so checkin could not learn it; nothing was changed. Try again.",
    "NATS nie przyjął zmiany, więc nic nie zostało zmienione; spróbuj ponownie.",
)
KEY_NOT_FOUND = Refusal(
    "key_not_found",
    404,
    "There is no ticket signing key {key_id}.",
    "Nie ma takiego klucza podpisującego bilety.",
)
KEY_RETIRED = Refusal(
    "key_retired", 409, "Key {key_id} is retired already.", "Ten klucz jest już wycofany."
)
LAST_KEY = Refusal(
    "last_key",
    409,
    "Key {key_id} is the only key that signs tickets: rotate first (POST /api/v1/keys,"
    " cnk keys rotate), then retire it.",
    "To jedyny klucz, który podpisuje bilety: najpierw dodaj nowy (cnk keys rotate),"
    " potem wycofaj ten.",
)
TICKET_NOT_FOUND = Refusal(
    "ticket_not_found", 404, "There is no such ticket.", "Nie ma takiego biletu."
)
TICKET_NOT_ISSUED = Refusal(
    "ticket_not_issued",
    404,
    "No ticket has been issued for this registration yet; it follows within seconds.",
    "Bilet nie został jeszcze wystawiony; pojawi się za chwilę.",
)

# The printable ticket page (handlers.ticket_page), one catalogue per language.
PAGE_PL = {
    "ticket": "Bilet",
    "qr": "Kod QR biletu",
    "show": "Pokaż ten kod przy wejściu.",
    "pdf": "Bilet do wydruku (PDF)",
    "revoked": "Ten bilet został anulowany.",
    "missing": "Nie ma takiego biletu.",
}
PAGE_EN = {
    "ticket": "Ticket",
    "qr": "Ticket QR code",
    "show": "Show this code at the entrance.",
    "pdf": "Printable ticket (PDF)",
    "revoked": "This ticket has been cancelled.",
    "missing": "There is no such ticket.",
}
PAGE = {"pl": PAGE_PL, "en": PAGE_EN}
