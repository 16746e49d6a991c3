"""Answers carrying a file of evidence: CSV (UTF-8 with a byte-order mark, which Excel in
Poland needs to read Polish letters right; a cell that starts with = + - @, a tab or a
carriage return gets a leading apostrophe, so a name cannot become a spreadsheet formula)
and PDF. Personal data, changed by erasure: never cached."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aiohttp import web

from shared.spreadsheet import csv_bytes

NO_CACHE = {"Cache-Control": "private, no-store"}


def csv_response(
    header: Sequence[str], rows: Iterable[Sequence[object]], filename: str
) -> web.Response:
    return web.Response(
        body=csv_bytes(header, rows),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', **NO_CACHE},
    )


def pdf_response(pdf: bytes, filename: str) -> web.Response:
    return web.Response(
        body=pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"', **NO_CACHE},
    )
