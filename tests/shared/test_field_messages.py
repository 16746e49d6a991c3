"""Field errors read in Polish: msgspec's and our own checks' wording, translated."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared import field_messages

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("english", "polish"),
    [
        ("Object missing required field `email`", "Brak wymaganego pola `email`."),
        ("Object contains unknown field `is_admin`", "Nieznane pole `is_admin`."),
        ("Expected `int` >= 1", "Wartość musi wynosić co najmniej 1."),
        ("Expected `array` of length <= 30", "Lista musi mieć najwyżej 30 elementów."),
        (
            "Expected `datetime` with a timezone component",
            "Data z godziną musi zawierać strefę czasową.",
        ),
        ("`ends_at` must be after `starts_at`", "`ends_at` musi być później niż `starts_at`."),
        ("must be after registration_opens_at", "Musi być później niż `registration_opens_at`."),
        ("an answer is required", "Odpowiedź jest wymagana."),
        ("must be one of: a, b", "Wybierz jedną z odpowiedzi: a, b."),
        ("must be a list of: a, b", "Wybierz odpowiedzi spośród: a, b."),
        ("no such session: ai-lab", "Nie ma sesji ai-lab."),
        ("ai-lab overlaps iot-lab", "Sesje ai-lab i iot-lab odbywają się w tym samym czasie."),
        ("full: ai-lab", "W sesji ai-lab nie ma wolnych miejsc."),
        ("started: ai-lab", "Sesja ai-lab już się rozpoczęła."),
        ("at most 29", "Najwyżej 29."),
        ("Choose a ticket type: press, speaker.", "Wybierz rodzaj biletu: press, speaker."),
        ("Lies in the future.", "Czas skanu leży w przyszłości."),
        ("The event has no check-in list 'vip'.", "Wydarzenie nie ma listy wejść 'vip'."),
        ("anna@example.org", "anna@example.org"),
    ],
)
def test_field_messages_have_polish_wording(english: str, polish: str) -> None:
    assert field_messages.polish(english) == polish


def test_an_unknown_message_shape_has_no_polish_wording() -> None:
    assert field_messages.polish("Something nobody wrote a rule for") is None
