"""Event times as people at the CNK read them: Europe/Warsaw, in Polish or English."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

VENUE_TZ = ZoneInfo("Europe/Warsaw")
MONTHS_PL = (
    "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października"
    " listopada grudnia"
).split()


def _day(moment: datetime, lang: str) -> str:
    month = MONTHS_PL[moment.month - 1] if lang == "pl" else moment.strftime("%B")
    return f"{moment.day} {month} {moment.year}"


def format_when(starts_at: datetime, ends_at: datetime, lang: str) -> str:
    start, end = starts_at.astimezone(VENUE_TZ), ends_at.astimezone(VENUE_TZ)
    end_text = end.strftime("%H:%M")
    if end.date() != start.date():
        end_text = f"{_day(end, lang)}, {end_text}"
    zone = "czasu polskiego" if lang == "pl" else "Polish time"
    return f"{_day(start, lang)}, {start.strftime('%H:%M')}–{end_text} ({zone})"


def local_time(moment: datetime | None) -> str:
    return moment.astimezone(VENUE_TZ).strftime("%d.%m.%Y %H:%M") if moment else ""
