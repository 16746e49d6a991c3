"""The audit log's words, Polish and English side by side."""

from __future__ import annotations

_PAIRS: dict[str, tuple[str, str]] = {
    "audit_title": ("Historia zmian: {slug}", "Audit log: {slug}"),
    "audit_intro": (
        "Każda zmiana wprowadzona przez zespół, od najnowszej.",
        "Every change made by the staff, newest first.",
    ),
    "when": ("Kiedy", "When"),
    "who": ("Kto", "Who"),
    "what": ("Co", "What"),
    "change": ("Zmiana", "Change"),
    "no_entries": ("Nie ma jeszcze żadnych wpisów.", "No entries yet."),
    "none_value": ("(brak)", "(none)"),
    "newer": ("Nowsze", "Newer"),
    "older": ("Starsze", "Older"),
    "pages": ("Strony historii", "Audit log pages"),
    "history": ("Historia zmian", "Audit log"),
}

TEXTS: dict[str, dict[str, str]] = {
    "pl": {key: pl for key, (pl, _) in _PAIRS.items()},
    "en": {key: en for key, (_, en) in _PAIRS.items()},
}
