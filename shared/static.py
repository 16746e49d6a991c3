"""Static files of the pages (scripts, styles, icons), read once at start and served with
an ETag, so a browser revalidates them with a 304 instead of fetching them again."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".webmanifest": "application/manifest+json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
TEXT_TYPES = {".html", ".js", ".css", ".webmanifest", ".svg"}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    content_type: str
    charset: str | None
    etag: str
    headers: Mapping[str, str]


def asset(name: str, body: bytes, headers: Mapping[str, str] | None = None) -> Asset:
    suffix = Path(name).suffix
    return Asset(
        body=body,
        content_type=TYPES[suffix],
        charset="utf-8" if suffix in TEXT_TYPES else None,
        etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
        headers={"Cache-Control": "no-cache", **(headers or {})},
    )


def file(path: Path) -> Asset:
    return asset(path.name, path.read_bytes())


def folder(path: Path, url_prefix: str) -> dict[str, Asset]:
    """Every file of ``path`` that a page can use, by its URL under ``url_prefix``."""
    return {f"{url_prefix}/{p.name}": file(p) for p in sorted(path.iterdir()) if p.suffix in TYPES}


def _matches(request: web.Request, etag: str) -> bool:
    wanted = request.headers.get("If-None-Match", "")
    return any(tag.strip() in (etag, "*", f"W/{etag}") for tag in wanted.split(","))


def respond(request: web.Request, found: Asset) -> web.Response:
    headers = {**found.headers, "ETag": found.etag}
    if _matches(request, found.etag):
        return web.Response(status=304, headers=headers)
    return web.Response(
        body=found.body, content_type=found.content_type, charset=found.charset, headers=headers
    )


def serve(found: Asset) -> Handler:
    async def serve_asset(request: web.Request) -> web.StreamResponse:
        return respond(request, found)

    return serve_asset


def serve_from(assets: Mapping[str, Asset]) -> Handler:
    """One route for a folder of assets: the one at the request's path, else 404."""

    async def serve_asset(request: web.Request) -> web.StreamResponse:
        found = assets.get(request.path)
        if found is None:
            raise web.HTTPNotFound()
        return respond(request, found)

    return serve_asset
