"""The verdict of a scan, as a pure function of what is known at that moment."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Literal

Result = Literal[
    "accepted",
    "already_checked_in",
    "invalid",
    "revoked",
    "wrong_event",
    "not_valid_now",
    "not_on_list",
    "venue_full",
    "exited",
]

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


@dataclasses.dataclass(frozen=True, slots=True)
class FirstEntry:
    at: datetime
    gate: str
    device_id: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class ScanFacts:
    """Everything the verdict depends on, gathered with the ticket's row locked."""

    code_valid: bool
    ticket_status: str | None = None
    event_covered: bool = True
    on_list: bool = True
    first_entry: FirstEntry | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Verdict:
    result: Result
    first_entry: FirstEntry | None = None

    @property
    def accepted(self) -> bool:
        return self.result == "accepted"


def decide(facts: ScanFacts) -> Verdict:
    if not facts.code_valid:
        return Verdict("invalid")
    if not facts.event_covered:
        return Verdict("wrong_event")
    if facts.ticket_status == "revoked":
        return Verdict("revoked")
    if not facts.on_list:
        return Verdict("not_on_list")
    if facts.first_entry is not None:
        return Verdict("already_checked_in", facts.first_entry)
    return Verdict("accepted")
