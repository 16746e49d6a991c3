"""The door scanner page (/door): an installable, offline-capable web app, and its pairing QR.

The page, its scripts and icons live in the ``door/`` folder next to this module and are
read once at start-up. The service worker gets the list of assets and a version (a hash of
every asset) written into it, so a change to any file installs a new worker that caches the
new set as one consistent snapshot.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from services.checkin import tokens
from shared.auth import bearer_token
from shared.http import ProblemError
from shared.keys import SETTINGS
from shared.qr import text_qr_png

FOLDER = Path(__file__).with_name("door")
PAGE = "/door"
PAIRING = f"{PAGE}/pairing.png"
TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".webmanifest": "application/manifest+json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
TEXT_TYPES = {".html", ".js", ".css", ".webmanifest", ".svg"}
# sw.js carries this literal until start-up replaces it with the real build.
BUILD_MARKER = '{"version": "dev", "assets": ["/door"]}'
COMMON_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:;"
        " connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none';"
        " base-uri 'none'; frame-ancestors 'none'; form-action 'none'"
    ),
    # The door token travels in the fragment, which is never sent; this keeps the rest
    # of the address out of other sites' logs as well.
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
}
WORKER_HEADERS = {"Service-Worker-Allowed": PAGE}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    content_type: str
    charset: str | None
    etag: str
    headers: dict[str, str]


def _asset(name: str, body: bytes, headers: dict[str, str] | None = None) -> Asset:
    suffix = Path(name).suffix
    return Asset(
        body=body,
        content_type=TYPES[suffix],
        charset="utf-8" if suffix in TEXT_TYPES else None,
        etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
        headers={**COMMON_HEADERS, **(headers or {})},
    )


def load_assets(folder: Path = FOLDER) -> dict[str, Asset]:
    """Every file of the page by its URL, the worker last, with the build written in."""
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in TYPES}
    page, worker = files.pop("index.html"), files.pop("sw.js")
    urls = {PAGE: ("index.html", page), **{f"{PAGE}/{n}": (n, b) for n, b in files.items()}}
    if PAIRING in urls:
        raise RuntimeError(f"{PAIRING} is a route, not a file")
    digest = hashlib.sha256()
    for url in sorted(urls):
        digest.update(url.encode() + b"\0" + urls[url][1] + b"\0")
    build = json.dumps({"version": digest.hexdigest()[:16], "assets": sorted(urls)})
    text = worker.decode()
    if BUILD_MARKER not in text:
        raise RuntimeError(f"door/sw.js lacks the build marker {BUILD_MARKER}")
    assets = {
        url: _asset(name, body, PAGE_HEADERS if url == PAGE else None)
        for url, (name, body) in urls.items()
    }
    assets[f"{PAGE}/sw.js"] = _asset(
        "sw.js", text.replace(BUILD_MARKER, build).encode(), WORKER_HEADERS
    )
    return assets


def _matches(request: web.Request, etag: str) -> bool:
    wanted = request.headers.get("If-None-Match", "")
    return any(tag.strip() in (etag, "*", f"W/{etag}") for tag in wanted.split(","))


def _serve(asset: Asset) -> Handler:
    async def serve_asset(request: web.Request) -> web.StreamResponse:
        headers = {**asset.headers, "ETag": asset.etag}
        if _matches(request, asset.etag):
            return web.Response(status=304, headers=headers)
        return web.Response(
            body=asset.body,
            content_type=asset.content_type,
            charset=asset.charset,
            headers=headers,
        )

    return serve_asset


async def redirect_to_page(request: web.Request) -> web.StreamResponse:
    raise web.HTTPMovedPermanently(PAGE)


async def get_pairing_qr(request: web.Request) -> web.Response:
    """The QR another phone scans to sign in with the same door token."""
    claims = await tokens.require_scanner(request)
    if claims.role != "door":
        # An organizer token on a shared door phone could do far more than scan.
        raise ProblemError(
            403, "forbidden", "Only a door token can be paired with a scanner device."
        )
    token = bearer_token(request)
    assert token is not None
    url = f"{request.app[SETTINGS].checkin_url}{PAGE}#token={token}"
    return web.Response(
        body=text_qr_png(url),
        content_type="image/png",
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get(PAIRING, get_pairing_qr)
    app.router.add_get(f"{PAGE}/", redirect_to_page)
    for url, asset in load_assets().items():
        app.router.add_get(url, _serve(asset))
