"""What the dashboard shows: the counts of an event read in one snapshot, and the
arrivals chart drawn as SVG on the server."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from html import escape

import asyncpg
import msgspec

from services.checkin.dashboard import db as dashboard_db
from services.checkin.dashboard.texts import TEXTS
from services.checkin.lists import db as lists_db
from services.checkin.scans import db
from shared.timefmt import VENUE_TZ

ALERT_PERCENT = 90
RECENT_SCANS = 20
CHART_BUCKETS = 36  # three hours of 5-minute buckets
BUCKET = timedelta(minutes=dashboard_db.ARRIVAL_BUCKET_MINUTES)


class ListCount(msgspec.Struct, frozen=True):
    slug: str
    name: str
    origin: str
    entries: int
    people: int
    refused: int
    inside: int
    limit: int | None
    percent: int | None  # inside against the limit, rounded down
    state: str  # ok, alert (at 90 %), full (at the limit)
    registered: int | None  # session lists: confirmed places in the session


class Bucket(msgspec.Struct, frozen=True):
    at: datetime
    count: int


class GateArrivals(msgspec.Struct, frozen=True):
    gate: str
    total: int
    buckets: list[Bucket]


class Counts(msgspec.Struct, frozen=True):
    event: str
    capacity: int | None
    status: str | None
    confirmed: int
    waitlisted: int
    offered: int
    cancelled: int
    tickets: int
    checked_in: int
    no_shows: int
    scans: int
    refused: int
    lists: list[ListCount]
    gates: list[dashboard_db.GateScans]
    arrivals: list[GateArrivals]
    recent: list[dashboard_db.RecentScan]


def list_state(inside: int, limit: int | None) -> tuple[int | None, str]:
    if limit is None:
        return None, "ok"
    percent = inside * 100 // limit
    if inside >= limit:
        return percent, "full"
    return percent, "alert" if percent >= ALERT_PERCENT else "ok"


async def load_counts(pool: asyncpg.Pool, event_id: uuid.UUID, slug: str) -> Counts:
    """Every count of the dashboard, read in one repeatable-read snapshot so that they
    agree with each other."""
    async with (
        pool.acquire() as conn,
        conn.transaction(isolation="repeatable_read", readonly=True),
    ):
        seats = await dashboard_db.select_event_seats(conn, event_id)
        statuses = {
            c.status: c.count for c in await dashboard_db.select_registration_counts(conn, event_id)
        }
        attendance = await db.select_attendance(conn, event_id)
        no_shows = await dashboard_db.select_no_shows(conn, event_id)
        lists = await lists_db.select_lists(conn, event_id)
        by_list = {s.list_id: s for s in await dashboard_db.select_list_scans(conn, event_id)}
        sessions = {
            s.slug: s.registered
            for s in await dashboard_db.select_session_registered(conn, event_id)
        }
        counted = []
        for listed in lists:
            inside = await lists_db.select_inside_count(conn, listed.id)
            scans = by_list.get(listed.id)
            percent, state = list_state(inside, listed.limit)
            counted.append(
                ListCount(
                    slug=listed.slug,
                    name=listed.name,
                    origin=listed.origin,
                    entries=scans.entries if scans else 0,
                    people=scans.people if scans else 0,
                    refused=scans.refused if scans else 0,
                    inside=inside,
                    limit=listed.limit,
                    percent=percent,
                    state=state,
                    registered=sessions.get(listed.slug, 0) if listed.origin == "session" else None,
                )
            )
        gates = await dashboard_db.select_gate_scans(conn, event_id)
        arrivals = await dashboard_db.select_arrivals(conn, event_id, CHART_BUCKETS)
        recent = await dashboard_db.select_recent_scans(conn, event_id, RECENT_SCANS)
    return Counts(
        event=slug,
        capacity=seats.capacity,
        status=seats.status,
        confirmed=statuses.get("confirmed", 0),
        waitlisted=statuses.get("waitlisted", 0),
        offered=statuses.get("offered", 0),
        cancelled=statuses.get("cancelled", 0),
        tickets=attendance.tickets,
        checked_in=attendance.checked_in,
        no_shows=no_shows,
        scans=attendance.scans,
        refused=attendance.refused,
        lists=counted,
        gates=gates,
        arrivals=_per_gate(arrivals),
        recent=recent,
    )


def _per_gate(rows: list[dashboard_db.Arrivals]) -> list[GateArrivals]:
    """Each gate's arrivals on one shared time axis (empty buckets included)."""
    if not rows:
        return []
    first, last = min(r.bucket for r in rows), max(r.bucket for r in rows)
    axis = []
    at = first
    while at <= last:
        axis.append(at)
        at += BUCKET
    counts: dict[str, dict[datetime, int]] = {}
    for r in rows:
        counts.setdefault(r.gate, {})[r.bucket] = r.count
    return [
        GateArrivals(
            gate=gate,
            total=sum(by_bucket.values()),
            buckets=[Bucket(at, by_bucket.get(at, 0)) for at in axis],
        )
        for gate, by_bucket in sorted(counts.items())
    ]


def feed_clock(at: datetime) -> str:
    """A scan's time of day in the feed."""
    return at.astimezone(VENUE_TZ).strftime("%H:%M:%S")


def _clock(at: datetime) -> str:
    return at.astimezone(VENUE_TZ).strftime("%H:%M")


WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 320, 140, 28, 20, 8


def arrivals_svg(arrivals: GateArrivals, lang: str, index: int) -> str:
    """One gate's arrivals as an accessible bar chart (``index`` keeps ids unique)."""
    t = TEXTS[lang]
    title_id, desc_id = f"arrivals-{index}-title", f"arrivals-{index}-desc"
    peak = max(arrivals.buckets, key=lambda b: b.count)
    top = max(peak.count, 1)
    summary = t["arrivals_summary"].format(
        total=arrivals.total, peak=peak.count, at=_clock(peak.at)
    )
    plot_w, plot_h = WIDTH - LEFT - 4, HEIGHT - BOTTOM - TOP
    step = plot_w / len(arrivals.buckets)
    gate = escape(arrivals.gate)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' aria-labelledby="{title_id} {desc_id}" xmlns="http://www.w3.org/2000/svg"'
        f' data-gate="{gate}">',
        f'<title id="{title_id}">{escape(t["arrivals_at"])} {gate}</title>',
        f'<desc id="{desc_id}">{escape(summary)}</desc>',
        f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 4}"'
        f' y2="{TOP + plot_h}" stroke="#55585f"/>',
        f'<text class="tick" x="{LEFT - 4}" y="{TOP + 8}" text-anchor="end">{top}</text>',
        f'<text class="tick" x="{LEFT - 4}" y="{TOP + plot_h}" text-anchor="end">0</text>',
    ]
    for i, bucket in enumerate(arrivals.buckets):
        x = LEFT + i * step
        if bucket.count:
            h = plot_h * bucket.count / top
            label = f"{_clock(bucket.at)}–{_clock(bucket.at + BUCKET)}: {bucket.count}"
            parts.append(
                f'<rect class="bar" x="{x + 1:.1f}" y="{TOP + plot_h - h:.1f}"'
                f' width="{max(step - 2, 1):.1f}" height="{h:.1f}" fill="#00569b">'
                f"<title>{escape(label)}</title></rect>"
            )
        if i % 6 == 0:  # a label every half hour
            parts.append(
                f'<text class="tick" x="{x:.1f}" y="{HEIGHT - 4}">{_clock(bucket.at)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def charts_html(counts: Counts, lang: str) -> str:
    """The chart of every gate, as the page shows it and the stream resends it."""
    if not counts.arrivals:
        return f'<p class="meta">{escape(TEXTS[lang]["no_arrivals"])}</p>'
    return "".join(
        f'<figure class="gate-chart"><figcaption>{escape(TEXTS[lang]["gate"])}'
        f" {escape(a.gate)}</figcaption>{arrivals_svg(a, lang, i)}</figure>"
        for i, a in enumerate(counts.arrivals)
    )
