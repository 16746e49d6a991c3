"""The refusals of offline packs and uploads, Polish and English."""

from __future__ import annotations

from shared.refusals import Refusal

INVALID_CURSOR = Refusal(
    "invalid_cursor",
    400,
    "The since cursor is not usable: {reason}",
    "Nieprawidłowy kursor paczki offline; pobierz pełną paczkę.",
)
