"""What the back-office event pages share: rendering with their texts and notices, finding
the path's event, the redirect after a change."""

from __future__ import annotations

from typing import Any, get_args

from aiohttp import web

from services.registration.event_pages.forms import local_input
from services.registration.event_pages.texts import TEXTS
from services.registration.events import setup
from services.registration.records import Event
from services.registration.schemas import Ask, Kind
from shared.db import DB_POOL
from shared.events import EventKind
from shared.office.pages import lang_of, render
from shared.refusals import Refused
from shared.routes import staff_claims
from shared.timefmt import format_when, local_time

NOTICES = ("created", "saved", "added", "removed", "published", "cancelled_done")
KINDS: tuple[str, ...] = get_args(EventKind)
ASKS: tuple[str, ...] = get_args(Ask)
QUESTION_KINDS: tuple[str, ...] = get_args(Kind)


def page(
    request: web.Request,
    template: str,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    **context: Any,
) -> web.Response:
    """One of these pages, with the notice a redirect here asked for (``?done=``)."""
    done = request.query.get("done")
    claims = staff_claims(request)
    lang = lang_of(request, claims)
    return render(
        request,
        template,
        claims,
        TEXTS,
        status=status,
        errors=errors,
        notice=TEXTS[lang][done] if done in NOTICES else None,
        when=lambda item: format_when(item.starts_at, item.ends_at, lang),
        local=local_time,
        local_input=local_input,
        question_kinds=[(k, TEXTS[lang][f"q_{k}"]) for k in QUESTION_KINDS],
        kind_options=[(k, TEXTS[lang][f"kind_{k}"]) for k in KINDS],
        ask_options=[(a, TEXTS[lang][f"ask_{a}"]) for a in ASKS],
        **context,
    )


async def find(request: web.Request) -> Event | None:
    """The event of the path's slug, drafts too; None when there is none."""
    try:
        pool = request.app[DB_POOL]
        return await setup.find_event(pool, request.match_info["slug"], include_drafts=True)
    except Refused:
        return None


def done(path: str, notice: str) -> web.Response:
    """303 to ``path`` with a notice. Returned, not raised: the routes that change events
    are wrapped in changes_events, which tells the other instances only after an answer."""
    return web.Response(status=303, headers={"Location": f"{path}?done={notice}"})
