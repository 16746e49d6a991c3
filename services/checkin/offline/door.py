"""The door scanner page (/door): an installable, offline-capable web app.

The page, its scripts and icons live in the ``static/`` folder next to this module and are
read once at start-up. The service worker gets the list of assets and a version (a hash of
every asset) written into it, so a change to any file installs a new worker that caches the
new set as one consistent snapshot.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from shared import static

FOLDER = Path(__file__).with_name("static")
PAGE = "/door"
PAIRING = f"{PAGE}/pairing.png"
# sw.js carries this literal until start-up replaces it with the real build.
BUILD_MARKER = '{"version": "dev", "assets": ["/door"]}'
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:;"
        " connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none';"
        " base-uri 'none'; frame-ancestors 'none'; form-action 'none'"
    ),
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
}
WORKER_HEADERS = {"Service-Worker-Allowed": PAGE}


def load_assets(folder: Path = FOLDER) -> dict[str, static.Asset]:
    """Every file of the page by its URL, the worker last, with the build written in."""
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in static.TYPES}
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
        raise RuntimeError(f"static/sw.js lacks the build marker {BUILD_MARKER}")
    assets = {
        url: static.asset(name, body, PAGE_HEADERS if url == PAGE else None)
        for url, (name, body) in urls.items()
    }
    assets[f"{PAGE}/sw.js"] = static.asset(
        "sw.js", text.replace(BUILD_MARKER, build).encode(), WORKER_HEADERS
    )
    return assets


ASSETS = load_assets()
