"""The verdict of a scan, as a pure function of what is known at that moment."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

Result = Literal[
    "accepted",
    "already_checked_in",
    "invalid",
    "revoked",
    "wrong_event",
    "not_valid_now",
    "not_on_list",
    "venue_full",
    "exited",
]

Policy = Literal["single", "reentry", "daily"]
Direction = Literal["in", "out"]

# "Once per day" means the calendar day at the venue.
LOCAL_TIME = ZoneInfo("Europe/Warsaw")


@dataclasses.dataclass(frozen=True, slots=True)
class FirstEntry:
    at: datetime
    gate: str
    device_id: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class ScanFacts:
    """Everything the verdict depends on, gathered with the ticket's row locked.

    ``first_entry`` and ``last_entry`` are the ticket's earliest and latest accepted
    entries on the list, ``inside`` whether its last entry or exit there was an entry,
    ``inside_count`` how many tickets are inside the list now.
    """

    code_valid: bool
    ticket_status: str | None = None
    event_covered: bool = True
    on_list: bool = True
    first_entry: FirstEntry | None = None
    policy: Policy = "single"
    direction: Direction = "in"
    now: datetime | None = None
    last_entry: FirstEntry | None = None
    inside: bool = False
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    inside_count: int = 0
    limit: int | None = None
    enforce_limit: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class Verdict:
    result: Result
    first_entry: FirstEntry | None = None

    @property
    def accepted(self) -> bool:
        return self.result == "accepted"


def local_day(at: datetime) -> str:
    return at.astimezone(LOCAL_TIME).date().isoformat()


def decide(facts: ScanFacts) -> Verdict:
    if not facts.code_valid:
        return Verdict("invalid")
    if not facts.event_covered:
        return Verdict("wrong_event")
    if facts.direction == "out":
        # Letting someone out is never refused: a refusal would only make the room's
        # count wrong. An exit of a ticket that is not inside changes nothing.
        return Verdict("exited")
    if facts.ticket_status == "revoked":
        return Verdict("revoked")
    if not facts.on_list:
        return Verdict("not_on_list")
    if facts.now is not None and (
        (facts.valid_from is not None and facts.now < facts.valid_from)
        or (facts.valid_until is not None and facts.now >= facts.valid_until)
    ):
        return Verdict("not_valid_now")
    blocking = _blocking_entry(facts)
    if blocking is not None:
        return Verdict("already_checked_in", blocking)
    if facts.enforce_limit and facts.limit is not None and facts.inside_count >= facts.limit:
        return Verdict("venue_full")
    return Verdict("accepted")


def _blocking_entry(facts: ScanFacts) -> FirstEntry | None:
    if facts.policy == "single":
        return facts.first_entry
    if facts.policy == "reentry":
        return facts.last_entry if facts.inside else None
    last = facts.last_entry
    if last is not None and facts.now is not None and local_day(last.at) == local_day(facts.now):
        return last
    return None


def on_list(
    list_ticket_types: list[str],
    list_sessions: list[str],
    ticket_type: str | None,
    confirmed_sessions: list[str] | None,
) -> bool:
    """Whether a holder belongs on a list: of one of its ticket types when it names some,
    and confirmed in one of its sessions when it names some."""
    if list_ticket_types and ticket_type not in list_ticket_types:
        return False
    if list_sessions and not set(list_sessions) & set(confirmed_sessions or ()):
        return False
    return True


def entry_key(policy: Policy, now: datetime, entries: int) -> str:
    """The key under which an accepted entry is unique (scans_one_accepted_entry).

    ``single``: one key per ticket and list. ``daily``: the local date. ``reentry``: the
    ordinal of the entry, so two scans racing for the same entry collide in the index.
    """
    if policy == "daily":
        return local_day(now)
    if policy == "reentry":
        return str(entries + 1)
    return ""
