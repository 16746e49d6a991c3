"""Reading the printable PDF tickets in tests: their text (pypdf) and their QR code.

No PDF renderer is assumed (CI has no poppler): the QR code is drawn as filled rectangles,
so it is decoded by painting those rectangles onto a bitmap and reading that with zxing.
"""

from __future__ import annotations

import io
import re

import numpy
import pypdf
import zxingcpp

# The PDFs draw a QR code as "q a 0 0 d e f cm", then one "x y w h re" per run of dark
# modules in whole modules, then "f Q" (shared.ticket_pdf.qr_operators): scaled by (a, d)
# and moved by (e, f) into points, origin bottom left.
_QR = re.compile(rb"q ([\d.]+) 0 0 ([\d.]+) (-?[\d.]+) (-?[\d.]+) cm\n(.*?)\nf Q", re.DOTALL)
_RECT = re.compile(rb"(\d+) (\d+) (\d+) (\d+) re")
SCALE = 4  # pixels per point


def pdf_pages(pdf: bytes) -> list[pypdf.PageObject]:
    assert pdf.startswith(b"%PDF-"), pdf[:20]
    return list(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def pdf_text(pdf: bytes) -> str:
    """The text of every page, each run of whitespace one space."""
    return " ".join(" ".join(page.extract_text().split()) for page in pdf_pages(pdf))


def pdf_qr(pdf: bytes) -> str:
    """The QR code drawn on the first page, decoded."""
    [page, *_] = pdf_pages(pdf)
    height = float(page.mediabox.height)
    contents = page.get_contents()
    assert contents is not None, "an empty page"
    found_qr = _QR.search(contents.get_data())
    assert found_qr, "no QR code drawn on the page"
    a, d, e, f = (float(v) for v in found_qr.groups()[:4])
    rects = []
    for x, y, w, h in _RECT.findall(found_qr.group(5)):
        left, bottom = e + a * int(x), f + d * int(y)
        right, top = left + a * int(w), bottom + d * int(h)
        rects.append((left, height - top, right, height - bottom))  # origin top left
    assert rects, "no filled rectangles on the page"
    x0, y0 = min(r[0] for r in rects), min(r[1] for r in rects)
    x1, y1 = max(r[2] for r in rects), max(r[3] for r in rects)
    margin = 20  # points of white around the symbol: its quiet zone
    image = numpy.full(
        (int((y1 - y0 + 2 * margin) * SCALE), int((x1 - x0 + 2 * margin) * SCALE)),
        255,
        dtype=numpy.uint8,
    )
    for left, top, right, bottom in rects:
        image[
            round((top - y0 + margin) * SCALE) : round((bottom - y0 + margin) * SCALE),
            round((left - x0 + margin) * SCALE) : round((right - x0 + margin) * SCALE),
        ] = 0
    found = zxingcpp.read_barcodes(image)
    assert found, "no QR code found in the PDF's rectangles"
    return str(found[0].text)
