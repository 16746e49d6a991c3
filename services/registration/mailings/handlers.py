"""HTTP of the messages page: parse the form, call the use case, render."""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from services.registration.events.setup import find_event
from services.registration.mailings import sending
from services.registration.mailings.texts import TEXTS
from services.registration.records import Event
from shared.db import DB_POOL
from shared.http import read_form
from shared.office import pages
from shared.office.pages import lang_of
from shared.refusals import Refused
from shared.routes import staff_claims
from shared.timefmt import format_when


async def _event(request: web.Request) -> Event | None:
    try:
        return await find_event(request.app[DB_POOL], request.match_info["slug"], True)
    except Refused as e:
        if e.refusal.code == "event_not_found":
            return None
        raise


def _email_view(event: Event, lang: str) -> dict[str, str]:
    """What the email's heading says of the event, as notifications writes it."""
    where = event.venue
    if event.room:
        where += f", {'sala' if lang == 'pl' else 'room'} {event.room}"
    name = event.name.pl if lang == "pl" else event.name.en
    return {"name": name, "when": format_when(event.starts_at, event.ends_at, lang), "where": where}


async def _page(
    request: web.Request,
    event: Event,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    **context: Any,
) -> web.Response:
    pool = request.app[DB_POOL]
    claims = staff_claims(request)
    lang = lang_of(request, claims)
    sessions = await sending.sessions_of(pool, event)
    names = {s.slug: s.name.pl if lang == "pl" else s.name.en for s in sessions}
    view = {lg: _email_view(event, lg) for lg in ("pl", "en")}
    return pages.render(
        request,
        "mailings/page.html",
        claims,
        TEXTS,
        status=status,
        errors=errors,
        event=event,
        slug=event.slug,
        tab="tab_messages",
        audiences=sending.AUDIENCES,
        session_options=list(names.items()),
        session_names=names,
        sent=await sending.sent_messages(pool, event),
        email=view,
        greetings={lg: TEXTS[lg]["hello"] for lg in view},
        abouts={lg: TEXTS[lg]["about"].format(**view[lg]) for lg in view},
        footers={lg: TEXTS[lg]["footer"].format(**view[lg]).split("\n") for lg in view},
        **context,
    )


async def messages_page(request: web.Request) -> web.Response:
    event = await _event(request)
    if event is None:
        return pages.not_found(request, staff_claims(request))
    notice = request.query.get("sent")
    return await _page(
        request,
        event,
        form={},
        notice=int(notice) if notice and notice.isdigit() else None,
        already="already" in request.query,
    )


async def write_message(request: web.Request) -> web.Response:
    """Preview (the email in each language, and how many it reaches) or send."""
    claims = staff_claims(request)
    event = await _event(request)
    if event is None:
        return pages.not_found(request, claims)
    form = await read_form(request)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    pool = request.app[DB_POOL]
    sessions = {s.slug: s.id for s in await sending.sessions_of(pool, event)}
    draft, problems = sending.read_draft(fields, sessions)
    words = TEXTS[lang_of(request, claims)]
    counts = {"pl": 0, "en": 0}
    if "audience" not in problems and "session" not in problems:
        counts = await sending.count_recipients(pool, event, draft)
        if not sum(counts.values()):
            problems["audience"] = "nobody"
        # A language nobody in the audience reads may stay empty.
        problems = sending.unneeded_missing(problems, counts)
    if problems:
        errors = {field: words[f"err_{key}"] for field, key in problems.items()}
        return await _page(request, event, status=400, errors=errors, form=fields)
    if fields.get("action") != "send":
        return await _page(
            request,
            event,
            form=fields,
            draft=draft,
            counts=counts,
            message_id=uuid.uuid4(),
        )
    try:
        message_id = uuid.UUID(fields.get("message_id", ""))
    except ValueError:
        message_id = uuid.uuid4()
    try:
        sent = await sending.send(pool, claims, event, draft, message_id)
    except sending.LanguageMissing as e:  # someone of that language joined since the preview
        errors = {
            f"{name}_{lang}": words["err_missing"]
            for lang in e.langs
            for name in ("subject", "body")
        }
        errors = {f: errors[f] for f in sending.TEXT_FIELDS if f in errors}
        return await _page(request, event, status=400, errors=errors, form=fields)
    if sent == 0:  # the audience emptied since the preview
        return await _page(
            request, event, status=400, errors={"audience": words["err_nobody"]}, form=fields
        )
    here = f"/office/events/{event.slug}/messages"
    raise web.HTTPSeeOther(f"{here}?already=1" if sent is None else f"{here}?sent={sent}")
