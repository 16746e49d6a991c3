"""Every verdict vector (tests/checkin/vectors.py) decided by services/checkin/scans/rules.py.

The adapter builds the ScanFacts the server gathers under the ticket's lock
(handlers._list_facts):

- ``code_valid``: the code is ``valid``; ``event_covered``: it is for ``this`` event.
- ``ticket_status``: ``revoked`` when the ticket is revoked, else its row's status; a
  ticket checkin does not know gets a placeholder row, status ``valid``.
- ``on_list``: rules.on_list over the list and the ticket's registration (none for a
  ticket checkin does not know).
- The ticket's history on the list is every earlier scan of this ticket on this list
  that is ``accepted`` or ``exited`` (lists_db.select_entries), whoever knew of it:
  ``first_entry``/``last_entry`` its earliest and latest accepted entries, ``inside``
  whether its last move was an entry.
- ``inside_count``: the other tickets inside, plus this one when it is inside.
"""

from __future__ import annotations

from typing import Any

import pytest

from services.checkin.scans import rules
from services.checkin.scans.texts import MESSAGES
from tests.checkin import vectors


def facts(case: dict[str, Any]) -> rules.ScanFacts:
    ticket, listed = case["ticket"], case["list"]
    history = [
        move
        for move in case["previous"]
        if move["ticket"] == "this"
        and move["list"] == listed["slug"]
        and move["result"] in ("accepted", "exited")
    ]
    entries = [
        rules.FirstEntry(vectors.at(move["at"]), move["gate"], move["device_id"])
        for move in history
        if move["result"] == "accepted"
    ]
    inside = bool(history) and history[-1]["direction"] == "in"
    if ticket["revoked_listed"]:
        status = "revoked"
    else:
        status = ticket["status"] if ticket["known"] else "valid"
    window = {
        bound: vectors.at(listed[bound]) if listed[bound] else None
        for bound in ("valid_from", "valid_until")
    }
    return rules.ScanFacts(
        code_valid=ticket["code"] == "valid",
        ticket_status=status,
        event_covered=ticket["event"] == "this",
        on_list=rules.on_list(
            listed["ticket_types"],
            listed["sessions"],
            ticket["ticket_type"] if ticket["known"] else None,
            ticket["sessions"] if ticket["known"] else None,
        ),
        first_entry=entries[0] if entries else None,
        policy=listed["policy"],
        direction=case["direction"],
        now=vectors.at(case["now"]),
        last_entry=entries[-1] if entries else None,
        inside=inside,
        valid_from=window["valid_from"],
        valid_until=window["valid_until"],
        inside_count=case["others_inside"] + inside,
        limit=listed["limit"],
        enforce_limit=listed["enforce_limit"],
    )


def test_there_are_vectors_for_every_result() -> None:
    results = {case["expected"]["result"] for case in vectors.CASES}
    assert results == set(MESSAGES)
    assert len(vectors.CASES) >= 30


@pytest.mark.parametrize("case", vectors.CASES, ids=[case["name"] for case in vectors.CASES])
def test_rules_decide_as_the_vector_says(case: dict[str, Any]) -> None:
    decided = rules.decide(facts(case))
    first = decided.first_entry
    got = {
        "result": decided.result,
        "first": None
        if first is None
        else {"at": first.at, "gate": first.gate, "device_id": first.device_id},
    }
    expected = case["expected"]
    assert got == vectors.verdict(expected["result"], expected["first"]), case.get("why")
