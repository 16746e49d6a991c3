"""Rendering the public pages: Polish or English (``?lang=``, then the ``lang`` cookie,
then Accept-Language), server-rendered, no JavaScript needed."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from services.registration.records import Event, Session
from services.registration.texts import TEXTS
from shared.csrf import csrf_token
from shared.language import page_lang
from shared.refusals import Refused
from shared.timefmt import format_when, local_time

LANG_COOKIE_SECONDS = 365 * 24 * 3600


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    lang = page_lang(request)

    def switch_url(code: str) -> str:
        query = dict(request.query)
        query["lang"] = code
        return f"{request.path}?{urlencode(query)}"

    def when(item: Event | Session) -> str:
        return format_when(item.starts_at, item.ends_at, lang)

    response = aiohttp_jinja2.render_template(
        template,
        request,
        {
            "lang": lang,
            "t": TEXTS[lang],
            "switch_url": switch_url,
            "when": when,
            "local": local_time,
            "csrf": lambda: csrf_token(request),
            **context,
        },
        status=status,
    )
    if request.query.get("lang") in TEXTS:
        response.set_cookie("lang", lang, max_age=LANG_COOKIE_SECONDS, samesite="Lax")
    return response


def not_found(request: web.Request) -> web.Response:
    t = TEXTS[page_lang(request)]
    return render(request, "error.html", 404, title=t["not_found"], message=t["not_found_text"])


def session_problem(lang: str, e: Refused, sessions: list[Session], slugs: list[str]) -> str:
    """A refused choice of sessions in the page's words, naming the sessions concerned."""
    t = TEXTS[lang]
    names = {s.slug: getattr(s.name, lang) for s in sessions}
    if e.code == "session_full":
        slug = str(e.values.get("session", ""))
        return t["err_session_full"].format(names.get(slug, slug))
    if e.code == "sessions_overlap":
        chosen = [s for s in sessions if s.slug in slugs]
        pairs = [(a, b) for i, a in enumerate(chosen) for b in chosen[i + 1 :] if a.overlaps(b)]
        return (
            t["err_sessions_overlap"].format(*(names[s.slug] for s in pairs[0]))
            if pairs
            else e.detail
        )
    return t.get(f"err_{e.code}", e.detail)
