"""The certificate verification page: a verdict, or a notice when there is none."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from services.checkin.evidence.texts import TEXTS
from services.checkin.evidence.verifying import Verdict
from shared import certificates
from shared.certificate_pdf import day_text
from shared.language import page_lang
from shared.timefmt import VENUE_TZ, format_when

PAGE_HEADERS = {
    "X-Robots-Tag": "noindex",  # the pages name people
    "Cache-Control": "no-store",
}


def render(
    request: web.Request,
    verdict: Verdict | None,
    status: int = 200,
    *,
    notice: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """The page, with a verdict, or with a ``notice`` (a key of TEXTS) when there is none."""
    lang = page_lang(request)
    claims = verdict.claims if verdict else None
    details: dict[str, Any] | None = None
    if claims is not None:
        session = claims.session
        details = {
            "holder": claims.holder,
            "event": claims.event.name.get(lang),
            "session": session.name.get(lang) if session else None,
            "when": format_when(
                session.starts_at if session else claims.event.starts_at,
                session.ends_at if session else claims.event.ends_at,
                lang,
            ),
            "attended": ", ".join(day_text(d, lang) for d in claims.attended),
            "issued": day_text(claims.issued_at.astimezone(VENUE_TZ).date(), lang),
            "number": str(claims.id),
            "issuer": certificates.ISSUER.get(lang),
        }

    def switch_url(code: str) -> str:
        return f"{request.path}?{urlencode({**request.query, 'lang': code})}"

    response = aiohttp_jinja2.render_template(
        "certificate_verify.html",
        request,
        {
            "lang": lang,
            "t": TEXTS[lang],
            "verdict": verdict,
            "notice": notice,
            "details": details,
            "switch_url": switch_url,
            "form_action": f"/verify?{urlencode({'lang': lang})}",
        },
        status=status,
    )
    response.headers.update(PAGE_HEADERS)
    response.headers.update(headers or {})
    response.headers["Content-Language"] = lang
    return response


STATUS = {"genuine": 200, "not_found": 404, "withdrawn": 410}
# What the page tells about a refused upload, by the refusal's code.
NOTICES = {"verify_busy": "busy", "verify_rate_limited": "rate_limited"}
