"""What the dashboard's stream sends: the counts of an event, rendered once per variant
for every browser watching it (live.py)."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp_jinja2
import msgspec
from aiohttp import web

from services.checkin.dashboard.live import close_streams, hub_context
from services.checkin.dashboard.texts import TEXTS
from services.checkin.dashboard.view import Counts, charts_html, feed_clock, load_counts


def event_renderer(app: web.Application) -> Callable[[Counts, str], bytes]:
    """Renders the data of a ``counts`` event for a stream variant: ``<lang>`` (the counts
    and the gates' charts) or ``<lang>:html`` (also the page's changing parts as HTML, so
    the page's script only swaps them in)."""

    def render_event(counts: Counts, variant: str) -> bytes:
        lang, _, parts = variant.partition(":")
        body = msgspec.to_builtins(counts)
        body["charts_svg"] = charts_html(counts, lang)
        if parts == "html":
            macros = aiohttp_jinja2.get_env(app).get_template("dashboard_parts.html").module
            t = TEXTS[lang]
            body["html"] = {
                "rooms": str(macros.rooms(counts, t)),  # type: ignore[attr-defined]
                "gates": str(macros.gates(counts, t)),  # type: ignore[attr-defined]
                "feed": str(macros.feed(counts, t, lang, feed_clock)),  # type: ignore[attr-defined]
                "alerts": str(macros.alerts(counts, t)),  # type: ignore[attr-defined]
            }
        return msgspec.json.encode(body)

    return render_event


def setup(app: web.Application) -> None:
    """The hub of live counts, and the streams closed at shutdown."""
    app.cleanup_ctx.append(hub_context(load_counts, event_renderer(app)))
    app.on_shutdown.append(close_streams)
