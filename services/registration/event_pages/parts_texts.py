"""Texts of changing and removing an event's ticket types and questions, Polish and
English (merged into the event pages' texts)."""

from __future__ import annotations

PL: dict[str, str] = {
    "removed": "Usunięto.",
    "edit_part": "Zmień lub usuń: {name}",
    "new_access_code": "Nowy kod dostępu",
    "keep_code_hint": "Puste: kod zostaje bez zmian.",
    "add_code_hint": "Puste: bilet nadal dla każdego. Z kodem: tylko dla zaproszonych.",
    "open_type": "Usuń kod dostępu (bilet dla każdego)",
    "quota_edit_hint": "Puste: bez limitu. Nie mniej niż zajęte: {taken}.",
    "remove_ticket_type": "Usuń ten rodzaj biletu",
    "remove_type_hint": "Usunąć można tylko rodzaj biletu, którego nie ma żadna rejestracja.",
    "kind_fixed": "Rodzaj odpowiedzi: {kind} (nie zmienia się po dodaniu pytania).",
    "choices": "Odpowiedzi do wyboru",
    "choice_pl": "Odpowiedź {n} po polsku",
    "choice_en": "Odpowiedź {n} po angielsku",
    "remove_choice": "Usuń odpowiedź {n}",
    "choices_hint": "Odpowiedzi wybranej już w rejestracjach nie można usunąć; można zmienić"
    " jej nazwę.",
    "new_options": "Nowe odpowiedzi do wyboru",
    "remove_question": "Usuń to pytanie",
    "remove_question_hint": "Usunąć można tylko pytanie, na które nikt jeszcze nie odpowiedział.",
    "err_code_and_open": "Wpisz nowy kod albo zaznacz jego usunięcie, nie jedno i drugie.",
}

EN: dict[str, str] = {
    "removed": "Removed.",
    "edit_part": "Change or remove: {name}",
    "new_access_code": "New access code",
    "keep_code_hint": "Left empty: the code stays as it is.",
    "add_code_hint": "Left empty: still open to all. With a code: invited guests only.",
    "open_type": "Remove the access code (open to all)",
    "quota_edit_hint": "Left empty: no quota. Not below those taken: {taken}.",
    "remove_ticket_type": "Remove this ticket type",
    "remove_type_hint": "Only a ticket type that no registration has can be removed.",
    "kind_fixed": "Kind of answer: {kind} (it does not change once the question is added).",
    "choices": "Choices",
    "choice_pl": "Choice {n} in Polish",
    "choice_en": "Choice {n} in English",
    "remove_choice": "Remove choice {n}",
    "choices_hint": "A choice already picked in registrations cannot be removed; its name can"
    " change.",
    "new_options": "New choices",
    "remove_question": "Remove this question",
    "remove_question_hint": "Only a question nobody has answered yet can be removed.",
    "err_code_and_open": "Type a new code or tick removing it, not both.",
}
