"""The language a person reads: Polish or English, from what the request says."""

from __future__ import annotations

from aiohttp import web


def preferred_lang(request: web.Request, default: str = "en") -> str:
    """``pl`` or ``en`` from Accept-Language (highest weight wins), else ``default``."""
    best, best_q = default, -1.0
    for part in request.headers.get("Accept-Language", "").split(","):
        tag, _, q = part.strip().partition(";q=")
        code = tag.split("-")[0].strip().lower()
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        if code in ("pl", "en") and weight > best_q:
            best, best_q = code, weight
    return best


def page_lang(request: web.Request) -> str:
    """A page's language: ``?lang=``, then the ``lang`` cookie (which the pages set when
    one is chosen), then Accept-Language, else Polish."""
    chosen = request.query.get("lang") or request.cookies.get("lang")
    if chosen in ("pl", "en"):
        return chosen
    return preferred_lang(request, default="pl")
