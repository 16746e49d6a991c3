"""Every screen-text catalogue says the same things in Polish and in English."""

from __future__ import annotations

from typing import Any

import pytest

from services.checkin.dashboard import texts as dashboard
from services.checkin.evidence import texts as evidence
from services.checkin.scans import texts as scans
from services.notifications import texts as notifications
from services.registration import texts as registration
from services.registration.mailings import texts as mailings
from services.registration.roster import texts as roster
from services.tickets import texts as tickets

BY_LANGUAGE = {
    "registration": registration.TEXTS,
    "registration.roster": roster.TEXTS,
    "tickets": tickets.PAGE,
    "notifications": notifications.TEXTS,
    "notifications.page": notifications.PAGE,
    "registration.mailings": mailings.TEXTS,
    "checkin.dashboard": dashboard.TEXTS,
    "checkin.evidence": evidence.TEXTS,
}


@pytest.mark.parametrize("name", sorted(BY_LANGUAGE))
def test_both_languages_have_the_same_texts(name: str) -> None:
    catalogue: dict[str, dict[str, Any]] = BY_LANGUAGE[name]
    assert set(catalogue) == {"pl", "en"}
    assert sorted(catalogue["pl"].keys() ^ catalogue["en"].keys()) == []
    assert all(catalogue["pl"].values()) and all(catalogue["en"].values())


def test_every_verdict_message_is_in_both_languages() -> None:
    for result, message in scans.MESSAGES.items():
        assert set(message) == {"pl", "en"} and all(message.values()), result
