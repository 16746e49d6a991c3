"""The scan verdict vectors (verdict_vectors.json), the one set of cases that both
services/checkin/scans/rules.py (tests/checkin/test_verdict_vectors.py) and the door page's
services/checkin/offline/static/decide.js (tests/e2e/test_door_verdicts.py) must decide alike.

A case, once the file's ``defaults`` are filled in (``ticket`` and ``list`` key by key):

- ``ticket``: ``code`` is ``valid``, ``forged`` (it parses, its signature is wrong) or
  ``garbled`` (it does not parse); ``event`` is ``this`` (the event scanned for) or
  ``other``; ``known`` whether checkin knows the ticket (a row from ``ticket.issued``, a
  ticket in the offline pack) or only its code vouches for it; ``status`` the ticket row's
  status; ``ticket_type`` and ``sessions`` its registration's type and confirmed sessions;
  ``revoked_listed`` whether it is revoked (the server's status ``revoked``, the pack's
  revoked list).
- ``list``: the list scanned on, as the offline pack carries it (slug, policy, ticket
  types, sessions, window, limit and whether it is enforced).
- ``direction`` (``in``/``out``) and ``now``, the scan's time.
- ``previous``: earlier scans, oldest first, each ``at``, ``gate``, ``device_id``,
  ``direction``, ``result``; ``list`` (default: the case's list) and ``ticket``
  (``this`` unless ``other``); ``known_to`` who knows of it: ``device`` (this device's
  own scans, the default), ``pack`` (an accepted entry in the offline pack), ``both``, or
  ``server`` (recorded at another door, not yet in the pack).
- ``others_inside``: how many other tickets are inside the list now.
- ``expected``: ``result`` and ``first``, the entry a refusal points at (``at``, ``gate``,
  ``device_id``) or null.
- ``offline`` (rare): the door's verdict where the device knows less than the server by
  design (every door's count, scans not yet in its pack); ``why`` says why.
"""

from __future__ import annotations

import json
import typing
from datetime import datetime
from pathlib import Path
from typing import Any

from services.checkin.scans.rules import Result

FILE = Path(__file__).with_name("verdict_vectors.json")
KNOWN_TO = {"device", "pack", "both", "server"}


def load() -> list[dict[str, Any]]:
    """Every case with its defaults filled in, checked for shape."""
    doc = json.loads(FILE.read_text())
    defaults = doc["defaults"]
    cases = []
    for raw in doc["cases"]:
        case = {**defaults, **raw}
        case["ticket"] = {**defaults["ticket"], **raw.get("ticket", {})}
        case["list"] = {**defaults["list"], **raw.get("list", {})}
        case["previous"] = [
            {"list": case["list"]["slug"], "ticket": "this", "known_to": "device", **move}
            for move in raw.get("previous", [])
        ]
        _check(case)
        cases.append(case)
    names = [case["name"] for case in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return cases


def _check(case: dict[str, Any]) -> None:
    name = case["name"]
    results = set(typing.get_args(Result))
    for verdict in (case["expected"], case.get("offline", case["expected"])):
        assert verdict["result"] in results, name
    times = [at(move["at"]) for move in case["previous"]]
    assert times == sorted(times), f"{name}: previous scans must be oldest first"
    for move in case["previous"]:
        assert move["known_to"] in KNOWN_TO, name
        if move["known_to"] in ("pack", "both"):
            # The pack carries accepted entries only.
            assert (move["direction"], move["result"]) == ("in", "accepted"), name


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def verdict(result: str, first: dict[str, Any] | None) -> dict[str, Any]:
    """A verdict in one comparable shape: ``first.at`` as an aware datetime."""
    if first is None:
        return {"result": result, "first": None}
    blamed = {"at": at(first["at"]), "gate": first["gate"], "device_id": first["device_id"]}
    return {"result": result, "first": blamed}


CASES = load()
