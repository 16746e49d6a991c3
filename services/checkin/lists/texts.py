"""The refusals of check-in lists, Polish and English."""

from __future__ import annotations

from shared.refusals import Refusal

GATE_TAKEN = Refusal(
    "gate_taken",
    409,
    "Gate {gate!r} already leads to the list {other!r}; a gate belongs to one list.",
    "Ta bramka jest już przypisana do innej listy wejść.",
)
LIST_EXISTS = Refusal(
    "list_exists",
    409,
    "The event already has a list {slug!r}.",
    "To wydarzenie ma już listę wejść o tym identyfikatorze.",
)
LIST_MEMBERSHIP_FIXED = Refusal(
    "list_membership_fixed",
    409,
    "The {origin} list {slug!r} takes its slug and members from the event: only its name,"
    " policy, window and limit can change.",
    "Identyfikator i uprawnieni listy głównej i list sesji wynikają z wydarzenia;"
    " można zmienić tylko nazwę, zasady wejścia, godziny i limit.",
)
LIST_NOT_FOUND = Refusal(
    "list_not_found",
    404,
    "This event has no check-in list {list!r}.",
    "To wydarzenie nie ma takiej listy wejść.",
)
LIST_NOT_REMOVABLE = Refusal(
    "list_not_removable",
    409,
    "The {origin} list {slug!r} belongs to the event and cannot be removed; close it with a"
    " window instead.",
    "Listy głównej ani list sesji nie można usunąć; można je zamknąć, ustawiając godziny.",
)
