"""The scan verdict as a pure function of the facts."""

from __future__ import annotations

import itertools
import typing
from datetime import UTC, datetime

import pytest

from services.checkin.scans.rules import FirstEntry, Result, ScanFacts, Verdict, decide
from services.checkin.scans.texts import MESSAGES

FIRST = FirstEntry(at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC), gate="hall-a", device_id="d-1")


def test_valid_code_on_the_list_first_time_is_accepted() -> None:
    verdict = decide(ScanFacts(code_valid=True, ticket_status="valid"))
    assert verdict == Verdict("accepted")
    assert verdict.accepted
    assert verdict.first_entry is None


def test_invalid_code_is_invalid_whatever_else_is_known() -> None:
    for status, covered, on_list, first in itertools.product(
        (None, "valid", "revoked"), (True, False), (True, False), (None, FIRST)
    ):
        facts = ScanFacts(
            code_valid=False,
            ticket_status=status,
            event_covered=covered,
            on_list=on_list,
            first_entry=first,
        )
        assert decide(facts) == Verdict("invalid"), facts
    assert not decide(ScanFacts(code_valid=False)).accepted


def test_event_not_covered_is_wrong_event_before_status_list_or_first_entry() -> None:
    for status, on_list, first in itertools.product(
        (None, "valid", "revoked"), (True, False), (None, FIRST)
    ):
        facts = ScanFacts(
            code_valid=True,
            ticket_status=status,
            event_covered=False,
            on_list=on_list,
            first_entry=first,
        )
        assert decide(facts) == Verdict("wrong_event"), facts


def test_revoked_ticket_is_revoked_even_when_already_checked_in_or_off_the_list() -> None:
    for on_list, first in itertools.product((True, False), (None, FIRST)):
        facts = ScanFacts(
            code_valid=True, ticket_status="revoked", on_list=on_list, first_entry=first
        )
        assert decide(facts) == Verdict("revoked"), facts


@pytest.mark.parametrize("first", [None, FIRST])
def test_ticket_not_on_the_list_is_not_on_list(first: FirstEntry | None) -> None:
    verdict = decide(
        ScanFacts(code_valid=True, ticket_status="valid", on_list=False, first_entry=first)
    )
    assert verdict == Verdict("not_on_list")
    assert verdict.first_entry is None


def test_second_scan_is_already_checked_in_carrying_the_first_entry() -> None:
    verdict = decide(ScanFacts(code_valid=True, ticket_status="valid", first_entry=FIRST))
    assert verdict.result == "already_checked_in"
    assert verdict.first_entry is FIRST
    assert not verdict.accepted


@pytest.mark.parametrize("status", [None, "valid", "issued", "used"])
def test_any_status_but_revoked_can_be_accepted(status: str | None) -> None:
    assert decide(ScanFacts(code_valid=True, ticket_status=status)) == Verdict("accepted")


def test_only_accepted_verdicts_say_accepted() -> None:
    for result in typing.get_args(Result):
        assert Verdict(result).accepted is (result == "accepted")


def test_every_result_has_a_polish_and_an_english_message() -> None:
    results = set(typing.get_args(Result))
    assert set(MESSAGES) == results
    for result in results:
        assert set(MESSAGES[result]) == {"pl", "en"}, result
        assert MESSAGES[result]["pl"].strip(), result
        assert MESSAGES[result]["en"].strip(), result
        assert MESSAGES[result]["pl"] != MESSAGES[result]["en"], result
