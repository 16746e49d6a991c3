"""Security headers on every response, unless its handler set its own (the door page, the
dashboard)."""

from __future__ import annotations

from aiohttp import web

# Pages and their static files: scripts, styles, images and forms of this origin only, no
# inline script, never in a frame.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# JSON answers are never rendered; downloads (PDF, CSV) may open in the browser's viewer,
# which a stricter policy could break, but never in someone else's frame.
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"
DOWNLOAD_POLICY = "frame-ancestors 'none'"
DATA_TYPES = ("application/json", "application/problem+json")
DOWNLOAD_TYPES = ("application/pdf", "text/csv", "text/calendar")


def _policy(content_type: str) -> str:
    if content_type in DATA_TYPES:
        return DATA_POLICY
    if content_type in DOWNLOAD_TYPES:
        return DOWNLOAD_POLICY
    return PAGE_POLICY


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # Manage links carry a token until their first visit: no address leaves in a Referer.
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Content-Security-Policy", _policy(response.content_type))
