"""The catalogue of refusals: every code declared once, in Polish and English, and raised
only from the catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import services.checkin.app
import services.notifications.app
import services.registration.app
import services.tickets.app
from shared.refusals import CATALOGUE

ROOT = Path(__file__).resolve().parents[2]
APPS = (services.checkin.app, services.notifications.app, services.registration.app)
APPS += (services.tickets.app,)


def test_every_refusal_has_both_texts_naming_only_what_it_is_given() -> None:
    assert len(CATALOGUE) > 60
    for code, refusal in CATALOGUE.items():
        assert re.fullmatch(r"[a-z][a-z_]+", code), code
        assert 400 <= refusal.status < 600, code
        assert refusal.en.strip() and refusal.pl.strip(), code
        # A Polish text may leave out a value the English one names, never add one.
        assert refusal.placeholders("pl") <= refusal.placeholders("en"), code


def test_refusals_are_raised_from_the_catalogue_alone() -> None:
    written_out = [
        str(p.relative_to(ROOT))
        for folder in ("services", "shared", "cnk")
        for p in (ROOT / folder).rglob("*.py")
        if "ProblemError" in p.read_text()
    ]
    assert written_out == []
