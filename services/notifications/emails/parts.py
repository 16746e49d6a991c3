"""The pieces emails share: where and when in words, deadlines, session lines, the
calendar entry, the template context and the subject, in the texts of texts.py."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import msgspec

from services.notifications.texts import TEXTS
from shared import events
from shared.calendar import calendar_entry
from shared.timefmt import format_when, local_time


class SessionLine(msgspec.Struct, frozen=True):
    name: str
    when: str | None
    room: str | None
    status: str


def where(event: events.EventInfo, lang: str) -> str:
    if not event.room:
        return event.venue
    return f"{event.venue}, {TEXTS[lang]['room']} {event.room}"


def deadline(moment: datetime, lang: str) -> str:
    """A deadline as people at the CNK read it, e.g. ``24.03.2027 14:30 (Polish time)``."""
    return f"{local_time(moment)} ({TEXTS[lang]['polish_time']})"


def session_lines(choices: Iterable[events.SessionChoice], lang: str) -> list[SessionLine]:
    texts = TEXTS[lang]
    lines = []
    for c in choices:
        status = texts.get(f"session.{c.status}")
        if status is None:
            continue  # cancelled: dropped, not worth a line
        when = format_when(c.starts_at, c.ends_at, lang) if c.starts_at and c.ends_at else None
        until = deadline(c.offer_expires_at, lang) if c.offer_expires_at else ""
        lines.append(
            SessionLine(
                name=c.name.get(lang) if c.name else c.slug,
                when=when,
                room=c.room,
                status=status.format(until=until),
            )
        )
    return lines


def change_labels(changed: Iterable[str], lang: str) -> list[str]:
    """What changed, in words, each once (both ends of the time are "time")."""
    texts = TEXTS[lang]
    labels = [texts[f"change.{c}"] for c in changed if f"change.{c}" in texts]
    return list(dict.fromkeys(labels))


def event_calendar_entry(
    registration_id: uuid.UUID, event: events.EventInfo, lang: str, description: str = ""
) -> bytes:
    # One UID per registration (as on the manage page's calendar file), so a changed event
    # updates the attendee's calendar entry instead of adding a second one.
    return calendar_entry(
        uid=f"{registration_id}@cnk-events",
        summary=event.name.get(lang),
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        location=where(event, lang),
        description=description,
    )


def context(
    event: events.EventInfo,
    holder: events.Holder,
    manage_url: str | None,
    **extra: Any,
) -> dict[str, Any]:
    lang = holder.lang
    return {
        "holder": holder,
        "event": event,
        "name": event.name.get(lang),
        "when": format_when(event.starts_at, event.ends_at, lang),
        "where": where(event, lang),
        "manage_url": manage_url,
        **extra,
    }


def subject(template: str, event: events.EventInfo, lang: str, **extra: str) -> str:
    """The subject of ``template`` (``cancelled.organizer``: a variant of one) in ``lang``."""
    return TEXTS[lang][f"subject.{template}"].format(name=event.name.get(lang), **extra)


def has_subject(template: str) -> bool:
    return f"subject.{template}" in TEXTS["en"]


def text(key: str, lang: str) -> str:
    return TEXTS[lang][key]
